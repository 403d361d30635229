/**
 * Channels under real workflows: the small seed plan on the time-skipping server, its outbox on SQLite, reminders
 * routed to DingTalk and SMS by the channel policy, secrets in the environment and a secrets file. The first reminders
 * reach 福州市's robot (signed) and its officer's mobile, 厦门市 (no endpoints) by mail; the timelines show each
 * endpoint's delivery; and no secret — nor a URL embedding one, nor a mobile number — is in any workflow history or
 * any log line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import type { Directory } from '../../src/domain/directory';
import { planSchedule } from '../../src/domain/obligations';
import { createDubanClient } from '../../src/service';
import { smallSeedPlan } from '../fixtures/small-seed';
import { obligationIds } from '../helpers/fault';
import { createTimeSkippingEnv, type PlanFromPublication, runPlanFromPublication } from '../helpers/temporal';
import { memoryLogger } from '../mail/smtp';
import { SECRETS, VendorServers } from './vendors';

jest.setTimeout(180_000);

const MOBILE = '+8613900000009';

describe('channels under real workflows (time-skipping server, loopback vendors)', () => {
  let env: TestWorkflowEnvironment;
  let vendors: VendorServers;
  let runtime: ActivityRuntime;
  let run: PlanFromPublication;
  let dir: string;
  const log = memoryLogger();
  const seed = smallSeedPlan();
  const plan = seed.plan;
  const directory: Directory = {
    ...seed.directory,
    units: seed.directory.units.map((u) =>
      u.code === 'fj-fuzhou'
        ? {
            ...u,
            officer: { ...u.officer, mobile: MOBILE },
            channels: { dingtalk: { url: 'env:DT_FUZHOU_URL', secret: 'file:dt-fuzhou-secret' } },
          }
        : u,
    ),
  };
  const planNow = async () => (await env.currentTimeMs()) + run.shift;

  beforeAll(async () => {
    vendors = new VendorServers();
    await vendors.start();
    env = await createTimeSkippingEnv();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-channels-wf-'));
    const secretsFile = path.join(dir, 'secrets.json');
    fs.writeFileSync(secretsFile, JSON.stringify({ 'dt-fuzhou-secret': SECRETS.dingtalkSecret }));
    const channelsFile = path.join(dir, 'channels.json');
    fs.writeFileSync(
      channelsFile,
      JSON.stringify({
        stages: { reminder: ['dingtalk', 'sms'] },
        sms: { url: vendors.urls.sms, key: 'env:SMS_KEY' },
      }),
    );
    runtime = await openActivityRuntime({
      directory,
      env: {
        DUBAN_DATA_DIR: dir,
        DATABASE_URL: '',
        DUBAN_DIGEST_GRACE_MS: '100',
        DUBAN_CHANNELS_FILE: channelsFile,
        DUBAN_SECRETS_FILE: secretsFile,
        DT_FUZHOU_URL: vendors.urls.dingtalk,
        SMS_KEY: SECRETS.smsKey,
      },
      logger: log.logger,
      dispatcher: { pollMs: 100 },
    });
    run = await runPlanFromPublication(env, plan, directory, {
      taskQueue: 'channels-test',
      activities: runtime.activities,
    });
    // The first reminders of the implementation plans go out at 2017-05-22 09:00.
    await env.sleep(Date.parse('2017-05-22T09:30:00+08:00') - (await planNow()));
    for (let i = 0; ; i++) {
      const counts = await runtime.store.countDeliveries();
      if (vendors.accepted('dingtalk').length > 0 && counts.queued + counts.sending === 0) break;
      if (i > 300) throw new Error(`the outbox did not settle: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    run?.worker.shutdown();
    await run?.running;
    await runtime?.close();
    await env?.teardown();
    await vendors?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sends 福州市's reminder to its robot and its officer's mobile, 厦门市's by mail, and shows each on the timeline", async () => {
    const duban = createDubanClient({
      client: env.client,
      directory,
      plan,
      namespace: 'default',
      timeShiftMs: run.shift,
      now: planNow,
      taskQueue: 'channels-test',
      searchAttributes: false,
      outbox: runtime.store,
    });
    const ref = { planId: plan.id, obligation: 'implementation-plan' as const };
    const reminder = async (unitCode: string) =>
      (await duban.obligations.timeline({ ...ref, unitCode })).find(
        (t) => t.type === 'notice' && t.stage === 'reminder-5',
      );
    const fuzhou = await reminder('fj-fuzhou');
    expect(fuzhou?.delivery?.recipients.map((r) => [r.address, r.status]).sort()).toEqual([
      ['dingtalk:fj-fuzhou', 'sent'],
      ['sms:fj-fuzhou/officer', 'sent'],
    ]);
    const xiamen = await reminder('fj-xiamen');
    expect(xiamen?.delivery?.recipients.map((r) => [r.address, r.status])).toEqual([
      ['xiamen.officer@duban.example', 'sent'],
    ]);
    expect(vendors.requests.every((r) => r.verified)).toBe(true);
    expect(vendors.accepted('sms').every((r) => r.body.to === MOBILE)).toBe(true);
  });

  it('keeps every secret, URL and mobile number out of the workflow histories and the logs', async () => {
    const secrets = [...Object.values(SECRETS), vendors.urls.dingtalk, vendors.urls.sms, MOBILE];
    const ids = obligationIds(plan, planSchedule(plan, directory));
    expect(ids.length).toBeGreaterThan(5);
    let checked = 0;
    for (const id of ids) {
      const history = await env.client.workflow.getHandle(id).fetchHistory();
      const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      for (const s of secrets) expect(bytes.includes(Buffer.from(s))).toBe(false);
      // The routing is visible there by address only.
      if (id.includes('fj-fuzhou') && bytes.includes(Buffer.from('dingtalk:fj-fuzhou'))) checked++;
    }
    expect(checked).toBeGreaterThan(0);
    const logged = JSON.stringify(log.lines);
    expect(log.lines.some((l) => l.message === 'digest sent')).toBe(true);
    for (const s of secrets) expect(logged).not.toContain(s);
  });
});
