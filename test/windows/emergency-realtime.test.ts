/**
 * Real time on the dev server: an incident reported now reaches the unit's officer and head at a real SMTP server
 * on loopback, through the real activities, outbox and dispatcher, stating both deadlines.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { Dispatcher } from '../../src/mail/dispatcher';
import { smtpMailer } from '../../src/mail/transport';
import { createDubanClient } from '../../src/service';
import { importTableFile } from '../../src/import/plan-file';
import { closeSignal } from '../../workflows/messages';
import { createDevServerEnv, workflowBundle } from '../helpers/temporal';
import { TestSmtpServer, memoryLogger } from '../mail/smtp';
import { type OpenedStore, openTestStore } from '../store/stores';

jest.setTimeout(120_000);

describe('emergency report on the dev server in real time', () => {
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtpServer;
  let opened: OpenedStore;
  beforeAll(async () => {
    env = await createDevServerEnv();
    smtp = new TestSmtpServer();
    await smtp.start();
    opened = await openTestStore('sqlite');
  });
  afterAll(async () => {
    await env?.teardown();
    await smtp?.stop();
    await opened?.dispose();
  });

  it('sends `opened` at once to the officer and the head of 福州市, stating both deadlines', async () => {
    const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
    const mailer = smtpMailer(smtp.url, 'duban 督办 <duban@duban.test>', true);
    const { logger } = memoryLogger();
    const dispatcher = new Dispatcher({ store: opened.store, mailer, directory, logger });
    dispatcher.start();
    const activities = createActivities({ store: opened.store, directory, mailer, dispatcher, logger });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'realtime',
      workflowBundle: await workflowBundle(),
      activities,
    });
    try {
      await worker.runUntil(async () => {
        const occurred = Date.now() - 60_000;
        const startedAt = Date.now();
        const { plan } = importTableFile(require.resolve('../../examples/fujian-2017/tasks.txt'), { directory });
        const duban = createDubanClient({ client: env.client, plan, directory, taskQueue: 'realtime' });
        // Listed before the report: visibility's answer (none) is kept for WINDOW_LIST_TTL_MS.
        expect(await duban.incidents.list({ unitCode: '福州市' })).toEqual([]);
        const r = await duban.incidents.report({
          unit: '福州市',
          incidentId: `rt-${startedAt}`,
          level: '特别重大',
          summary: '实时测试',
          occurredAt: new Date(occurred).toISOString(),
        });
        // This client started it: listed at once, on top of the answer kept from before the report.
        expect((await duban.incidents.list({ unitCode: '福州市' })).map((i) => i.incidentId)).toEqual([
          `rt-${startedAt}`,
        ]);
        const received = await smtp.waitFor(2, 10_000);
        const latencyMs = Date.now() - startedAt;
        expect(received.map((m) => m.envelopeTo).sort()).toEqual([
          ['fuzhou.head@duban.example'],
          ['fuzhou.officer@duban.example'],
        ]);
        for (const m of received) {
          expect(m.parsed.subject).toContain('【突发事件时限】福州市');
          expect(m.parsed.text).toContain(r.agenda.information.due);
          expect(m.parsed.text).toContain(r.agenda.pressConference.due);
        }
        // The urgent path skips the digest grace (2 s): a report is in the inbox well within it.
        expect(latencyMs).toBeLessThan(2000);
        // Operators find it in the plan's list of incidents (visibility), inside both windows: green.
        let listed = await duban.incidents.list({ unitCode: '福州市' });
        for (let i = 0; i < 20 && listed.length === 0; i++) {
          await new Promise((done) => setTimeout(done, 250));
          listed = await duban.incidents.list({ unitCode: '福州市' });
        }
        expect(
          listed.map((i) => [i.incidentId, i.unitName, i.steps.map((s) => `${s.step} ${s.state} ${s.light}`)]),
        ).toEqual([[`rt-${startedAt}`, '福州市', ['information pending green', 'press-conference pending green']]]);
        await env.client.workflow.getHandle(r.workflowId).signal(closeSignal, { reason: 'test over' });
        await env.client.workflow.getHandle(r.workflowId).result();
      });
    } finally {
      await dispatcher.stop();
      mailer.close();
    }
  });
});
