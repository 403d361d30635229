/**
 * What became of each notice, as operators read it: the small seed plan on the time-skipping server, its outbox on
 * SQLite sent through a real SMTP server on loopback that refuses, at the end of DATA, every message to 福州市's
 * officer. Its first reminder shows `failed` with the server's answer in the service's timeline, in `duban history`
 * (text and --json) and on the dashboard's obligation page; 厦门市's shows `sent`; the general office hears once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import { createHttpServer, type DubanHttp } from '../../src/http/server';
import {
  createDubanClient,
  type DubanClient,
  type HistoryEntry,
  type StatusRow,
  type TimelineRow,
} from '../../src/service';
import { smallSeedPlan } from '../fixtures/small-seed';
import { createTimeSkippingEnv, type PlanFromPublication, runPlanFromPublication } from '../helpers/temporal';
import { runCli } from '../import/run-cli';
import { memoryLogger, TestSmtpServer } from '../mail/smtp';
import { callApi, TOKENS } from './fixture';

jest.setTimeout(180_000);

const REFUSED = 'fuzhou.officer@duban.example';
const DELIVERED = 'xiamen.officer@duban.example';

describe('delivery status of notices (real SMTP refusing one recipient at DATA)', () => {
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtpServer;
  let runtime: ActivityRuntime;
  let run: PlanFromPublication;
  let duban: DubanClient;
  let http: DubanHttp;
  let baseUrl: string;
  let dir: string;
  const log = memoryLogger();
  const { plan, directory } = smallSeedPlan();
  const planNow = async () => (await env.currentTimeMs()) + run.shift;
  const fuzhou = { planId: plan.id, unitCode: 'fj-fuzhou', obligation: 'implementation-plan' as const };
  const xiamen = { ...fuzhou, unitCode: 'fj-xiamen' };
  const reminder = (timeline: TimelineRow[]) => timeline.find((t) => t.type === 'notice' && t.stage === 'reminder-5');

  /** Runs `duban …` in-process against the test server and the test store. */
  const cli = async (...argv: string[]) => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      DUBAN_DATA_DIR: dir,
      DATABASE_URL: '',
    });
    try {
      return await runCli(...argv);
    } finally {
      process.env = saved;
    }
  };

  beforeAll(async () => {
    smtp = new TestSmtpServer(
      () => false,
      (rcptTo) => rcptTo.includes(REFUSED),
    );
    await smtp.start();
    env = await createTimeSkippingEnv();
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-deliveries-'));
    runtime = await openActivityRuntime({
      directory,
      env: {
        DUBAN_DATA_DIR: dir,
        DATABASE_URL: '',
        SMTP_URL: smtp.url,
        SMTP_TLS_INSECURE: '1',
        DUBAN_DIGEST_GRACE_MS: '100',
      },
      logger: log.logger,
      dispatcher: { pollMs: 100 },
    });
    run = await runPlanFromPublication(env, plan, directory, {
      taskQueue: 'deliveries-test',
      activities: runtime.activities,
    });
    // The first reminders of the implementation plans go out at 2017-05-22 09:00.
    await env.sleep(Date.parse('2017-05-22T09:30:00+08:00') - (await planNow()));
    for (let i = 0; ; i++) {
      const counts = await runtime.store.countDeliveries();
      const reports = await runtime.store.listNotices({ kind: 'undeliverable-report' });
      if (counts.sent > 0 && counts.queued + counts.sending === 0 && reports.length > 0) break;
      if (i > 300) throw new Error(`the outbox did not settle: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    duban = createDubanClient({
      client: env.client,
      directory,
      plan,
      namespace: 'default',
      timeShiftMs: run.shift,
      now: planNow,
      taskQueue: 'deliveries-test',
      searchAttributes: false,
      outbox: runtime.store,
    });
    http = createHttpServer({
      duban,
      store: runtime.store,
      plan,
      directory,
      config: {
        operatorToken: TOKENS.operator,
        unitTokens: new Map([[TOKENS.fuzhou, 'fj-fuzhou']]),
        secureCookies: false,
      },
    });
    baseUrl = `http://127.0.0.1:${await http.listen(0)}`;
  });

  afterAll(async () => {
    await http?.close();
    run?.worker.shutdown();
    await run?.running;
    await runtime?.close();
    await env?.teardown();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows on the timeline the reminder that failed, with the server's answer, and the one sent", async () => {
    const failed = reminder(await duban.obligations.timeline(fuzhou));
    expect(failed?.delivery).toMatchObject({ status: 'failed' });
    expect(failed?.delivery?.recipients).toEqual([
      expect.objectContaining({
        address: REFUSED,
        role: 'officer',
        status: 'failed',
        error: expect.stringContaining('554 5.6.0 message content rejected'),
        sentAt: null,
      }),
    ]);
    const sent = reminder(await duban.obligations.timeline(xiamen));
    expect(sent?.delivery?.recipients.map((r) => [r.address, r.status, r.error])).toEqual([[DELIVERED, 'sent', null]]);
  });

  it('says in duban history (text and --json) that the reminder failed for its recipient, and why; the other was sent', async () => {
    const text = await cli('history', '--unit', '福州市', '--obligation', 'implementation-plan');
    expect(text.code).toBe(0);
    const line = text.out.split('\n').find((l) => l.includes('notice reminder-5'));
    expect(line).toContain(`failed for ${REFUSED} (`);
    expect(line).toContain('554 5.6.0 message content rejected');
    expect(line).not.toMatch(/sent to/);

    const json = await cli('history', '--unit', '福州市', '--obligation', 'implementation-plan', '--json');
    expect(json.code).toBe(0);
    const entries = (JSON.parse(json.out) as { entries: HistoryEntry[] }).entries;
    const notice = entries.find((e) => e.kind === 'notice' && e.summary.includes('reminder-5'));
    expect(notice?.noticeKey).toBe(`${plan.id}/-/fj-fuzhou/implementation-plan/-/reminder-5`);
    expect(notice?.delivery?.recipients.map((r) => [r.address, r.status])).toEqual([[REFUSED, 'failed']]);
    expect(notice?.delivery?.recipients[0]?.error).toContain('554 5.6.0');

    const other = await cli('history', '--unit', '厦门市', '--obligation', 'implementation-plan');
    expect(other.out.split('\n').find((l) => l.includes('notice reminder-5'))).toContain(`sent to ${DELIVERED}`);
  });

  it("gives status rows from the read model their last notice's deliveries: CLI, API, task page", async () => {
    const text = await cli('status', '--unit', '福州市');
    expect(text.code).toBe(0);
    expect(text.out.split('\n').find((l) => /implementation-plan/.test(l))).toMatch(/last reminder-5: failed 1$/);
    const sentLine = (await cli('status', '--unit', '厦门市')).out
      .split('\n')
      .find((l) => /implementation-plan/.test(l));
    expect(sentLine).toMatch(/last reminder-5: sent 1$/);

    // The dashboard as duban serve runs it: status read from the store's read model.
    const served = createHttpServer({
      duban: createDubanClient({
        client: env.client,
        directory,
        plan,
        timeShiftMs: run.shift,
        now: planNow,
        searchAttributes: false,
        outbox: runtime.store,
        readModel: runtime.store,
      }),
      store: runtime.store,
      plan,
      directory,
      config: { operatorToken: TOKENS.operator, unitTokens: new Map(), secureCookies: false },
    });
    try {
      const url = `http://127.0.0.1:${await served.listen(0)}`;
      const api = await callApi(url, `/api/plans/${plan.id}/status?kind=implementation-plan`, {
        token: TOKENS.operator,
      });
      expect(api.status).toBe(200);
      const rows = api.json.rows as StatusRow[];
      const of = (unit: string) => rows.find((r) => r.unitCode === unit)!;
      const key = (unit: string) => `${plan.id}/-/${unit}/implementation-plan/-/reminder-5`;
      expect(of('fj-fuzhou').delivery).toEqual({
        key: key('fj-fuzhou'),
        stage: 'reminder-5',
        at: '2017-05-22T09:00:00.000+08:00',
        status: 'failed',
        queued: 0,
        sent: 0,
        failed: 1,
        undeliverable: 0,
      });
      expect(of('fj-xiamen').delivery).toMatchObject({ key: key('fj-xiamen'), status: 'sent', sent: 1, failed: 0 });
      // The fields a status row had before are all there, as they were.
      const fromWorkflows = await duban.obligations.status({ planId: plan.id, obligation: 'implementation-plan' });
      expect(rows.map(({ delivery: _delivery, ...row }) => row)).toEqual(fromWorkflows.rows);
      // A task's page shows it in its rows: each weekly reminder of task 20, sent.
      const taskPage = await callApi(url, `/plans/${plan.id}/tasks/20`, { token: TOKENS.operator });
      expect(taskPage.status).toBe(200);
      expect(taskPage.text).toContain('<th>上次通知</th>');
      expect(taskPage.text).toMatch(/<td><span class="delivery" data-status="sent">第1次督办：已发送 1<\/span><\/td>/);
    } finally {
      await served.close();
    }
  });

  it("shows the failure and its reason on the dashboard's obligation page and in its API", async () => {
    const page = await callApi(baseUrl, `/plans/${plan.id}/units/fj-fuzhou/obligations/implementation-plan`, {
      token: TOKENS.fuzhou,
    });
    expect(page.status).toBe(200);
    const timeline = page.text.slice(page.text.indexOf('id="timeline"'), page.text.indexOf('id="history"'));
    expect(timeline).toContain('通知未能送达');
    expect(timeline).toMatch(/data-status="failed"\s*>fuzhou\.officer@duban\.example（发送失败：[^）]*554 5\.6\.0/);
    expect(timeline).not.toContain('通知已发送');

    const sentPage = await callApi(baseUrl, `/plans/${plan.id}/units/fj-xiamen/obligations/implementation-plan`, {
      token: TOKENS.operator,
    });
    expect(sentPage.text).toMatch(/data-status="sent"\s*>xiamen\.officer@duban\.example（已发送）/);

    const api = await callApi(
      baseUrl,
      `/api/plans/${plan.id}/units/fj-fuzhou/obligations/implementation-plan/timeline`,
      {
        token: TOKENS.operator,
      },
    );
    const entry = reminder(api.json.timeline as TimelineRow[]);
    expect(entry?.delivery?.recipients.map((r) => [r.status, r.error?.includes('554')])).toEqual([['failed', true]]);
  });

  it('tells the general office once per failed delivery, naming the notice and the recipient, and logs no address', async () => {
    const failed = (await runtime.store.listNotices({ kind: 'notice' })).flatMap((n) =>
      n.deliveries.filter((d) => d.status === 'failed').map(() => n.key),
    );
    // Every message to 福州市's officer so far: the weekly reminders of task 20 and the implementation plan's first.
    expect(failed).toContain(`${plan.id}/-/fj-fuzhou/implementation-plan/-/reminder-5`);
    const reports = await runtime.store.listNotices({ kind: 'undeliverable-report' });
    const about = reports.map((r) => (r.payload.kind === 'undeliverable-report' ? r.payload.report.notice.key : ''));
    expect(about.sort()).toEqual([...failed].sort());
    expect(reports.every((r) => r.deliveries.every((d) => d.status === 'sent'))).toBe(true);
    const toOffice = smtp.received.filter((m) => m.parsed.subject === '【邮件无法投递】福州市的实施方案通知未能送达');
    expect(toOffice.map((m) => m.envelopeTo).sort()).toEqual([
      ['bgt.head@duban.example'],
      ['bgt.officer@duban.example'],
    ]);
    const mail = toOffice[0]!.parsed;
    expect(mail.text).toContain(`福州市政府办联络员（福州市 联络员） <${REFUSED}>`);
    expect(mail.text).toContain('554 5.6.0 message content rejected');
    expect(mail.text).toContain('reminder-5');
    expect(smtp.received.some((m) => m.envelopeTo.includes(DELIVERED))).toBe(true);
    expect(JSON.stringify(log.lines)).not.toContain(REFUSED);
  });

  it("shows on an incident's page which recipient of `opened` it failed for, and that it was sent to the other", async () => {
    const incidentId = 'fuzhou-flood-1';
    await duban.incidents.report({
      unit: 'fj-fuzhou',
      incidentId,
      level: '重大',
      summary: '暴雨',
      occurredAt: new Date((await planNow()) - 3_600_000).toISOString(),
    });
    let opened: TimelineRow | undefined;
    for (let i = 0; i < 100; i++) {
      opened = (await duban.incidents.timeline(incidentId)).find((t) => t.stage === 'opened');
      if (opened?.delivery && opened.delivery.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(opened?.delivery?.recipients.map((r) => [r.address, r.status])).toEqual([
      [REFUSED, 'failed'],
      ['fuzhou.head@duban.example', 'sent'],
    ]);
    const page = await callApi(baseUrl, `/plans/${plan.id}/incidents/${incidentId}`, { token: TOKENS.fuzhou });
    expect(page.status).toBe(200);
    expect(page.text).toContain('通知部分送达');
    expect(page.text).toMatch(/data-status="failed"\s*>fuzhou\.officer@duban\.example（发送失败：[^）]*554 5\.6\.0/);
    expect(page.text).toMatch(/data-status="sent"\s*>fuzhou\.head@duban\.example（已发送）/);
    const history = await duban.incidents.history(incidentId);
    expect(history.find((h) => h.noticeKey?.endsWith('/opened'))?.summary).toMatch(
      new RegExp(`: sent to fuzhou\\.head@duban\\.example; failed for ${REFUSED.replace(/\./g, '\\.')} \\(.*554`),
    );
  });
});
