import { MockActivityEnvironment } from '@temporalio/testing';
import { type Activities, createActivities } from '../../activities';
import { Dispatcher } from '../../src/mail/dispatcher';
import { emlMailer } from '../../src/mail/transport';
import type { Notice } from '../../src/domain/notice';
import { directory, notice } from '../mail/fixtures';
import { memoryLogger } from '../mail/smtp';
import { type OpenedStore, type StoreKind, openTestStore } from '../store/stores';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Task 12's deadline outcome for 省财政厅, not yet fulfilled; tests set the status. */
const TASK_12_OUTCOME = {
  planId: 'fj-2017-zwgk',
  taskNo: 12,
  unitCode: 'fj-czt',
  obligation: 'task-deadline' as const,
  period: null,
  due: '2017-12-31',
  fulfilledAt: null,
};

describe.each<StoreKind>(['sqlite', 'postgres'])('activities on %s', (kind) => {
  let opened: OpenedStore;
  let dispatcher: Dispatcher;
  let activities: Activities;
  let observed: string[];
  let outbox: string;

  beforeEach(async () => {
    opened = await openTestStore(kind);
    outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-act-'));
    const mailer = emlMailer(outbox, 'duban <duban@duban.test>');
    const { logger } = memoryLogger();
    dispatcher = new Dispatcher({ store: opened.store, mailer, directory, logger }, { graceMs: 50 });
    observed = [];
    activities = createActivities({
      store: opened.store,
      directory,
      mailer,
      dispatcher,
      logger,
      observer: {
        notice: (n, recipients) => observed.push(`notice ${n.key} → ${recipients.join(' ')}`),
        outcome: (o) => observed.push(`outcome ${o.status}`),
      },
    });
  });
  afterEach(async () => {
    await dispatcher.stop();
    await opened.dispose();
    fs.rmSync(outbox, { recursive: true, force: true });
  });

  it('resolves officer, head, lead units and the general office (head and officer) to addresses', async () => {
    const env = new MockActivityEnvironment();
    const result = await env.run<[Notice], { recipients: string[] }, Activities['sendNotice']>(
      activities.sendNotice,
      notice({ stage: 'escalation-3', notify: ['officer', 'head', 'lead-units', 'general-office'] }),
    );
    expect(result.recipients).toEqual([
      'czt.officer@duban.test',
      'czt.head@duban.test',
      'fgw.head@duban.test',
      'bgt.head@duban.test',
      'bgt.officer@duban.test',
    ]);
  });

  it('fails without retry on a unit missing from the directory', async () => {
    await expect(activities.sendNotice(notice({ unitCode: 'fj-nope' }))).rejects.toMatchObject({
      type: 'UnknownUnit',
      nonRetryable: true,
    });
    await expect(
      activities.sendNotice(notice({ notify: ['lead-units'], leadUnitCodes: ['fj-gone'] })),
    ).rejects.toMatchObject({
      type: 'UnknownUnit',
    });
    await expect(activities.sendNotice(notice({ notify: ['lead-units'], leadUnitCodes: [] }))).rejects.toMatchObject({
      type: 'NoRecipients',
    });
    await expect(activities.sendNotice(notice({ at: 'tomorrow' }))).rejects.toMatchObject({ type: 'InvalidNotice' });
  });

  it('delivers an instant in one call: notices queued once, a refused one reported, outcomes recorded', async () => {
    const good = notice({ stage: 'escalation-3', notify: ['officer', 'head'] });
    const unknown = notice({ stage: 'escalation-3', unitCode: 'fj-nope' });
    const missed = { ...TASK_12_OUTCOME, status: 'missed' as const };
    const batch = { notices: [good, unknown], outcomes: [missed] };
    const report = await activities.deliverDue(batch);
    expect(report.notices).toEqual([
      {
        key: good.key,
        stage: 'escalation-3',
        period: null,
        due: '2017-12-31',
        at: good.at,
        recipients: ['czt.officer@duban.test', 'czt.head@duban.test'],
      },
      expect.objectContaining({ key: unknown.key, refused: expect.objectContaining({ type: 'UnknownUnit' }) }),
    ]);
    expect(report.outcomes).toEqual([{ period: null, due: '2017-12-31', status: 'missed' }]);
    // The observer hears what was queued and recorded, not what was refused.
    expect(observed).toEqual([`notice ${good.key} → czt.officer@duban.test czt.head@duban.test`, 'outcome missed']);
    // A retry of the whole call (a worker died before its result was recorded) queues nothing twice.
    await activities.deliverDue(batch);
    const queued = await opened.store.listNotices({ planId: 'fj-2017-zwgk' });
    expect(queued.map((n) => n.key)).toEqual([good.key]);
    expect(await opened.store.listOutcomes({ planId: 'fj-2017-zwgk' })).toEqual([
      expect.objectContaining({ status: 'missed', due: '2017-12-31' }),
    ]);
  });

  it('fails a delivery as a whole on a store error, for the retry to redo it', async () => {
    const broken = createActivities({
      store: { ...opened.store, upsertOutcome: () => Promise.reject(new Error('connection refused')) },
      directory,
      mailer: emlMailer(outbox, 'duban <duban@duban.test>'),
      dispatcher,
      logger: memoryLogger().logger,
    });
    await expect(
      broken.deliverDue({
        notices: [],
        outcomes: [
          {
            planId: 'fj-2017-zwgk',
            taskNo: null,
            unitCode: 'fj-czt',
            obligation: 'implementation-plan',
            period: null,
            due: '2017-05-27',
            status: 'missed',
            fulfilledAt: null,
          },
        ],
      }),
    ).rejects.toThrow('connection refused');
  });

  it('records outcomes by obligation and period, the latest winning', async () => {
    const outcome = TASK_12_OUTCOME;
    await activities.recordOutcome({ ...outcome, status: 'missed' });
    await activities.recordOutcome({
      ...outcome,
      status: 'late',
      fulfilledAt: '2018-01-05T10:00:00+08:00',
      evidence: { document: '闽财〔2018〕3号', recordedBy: 'op-1' },
    });
    const outcomes = await opened.store.listOutcomes({ planId: 'fj-2017-zwgk' });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ status: 'late', evidence: { document: '闽财〔2018〕3号' } });
  });

  it('records an operator event once even when the activity is retried', async () => {
    const input = {
      planId: 'fj-2017-zwgk',
      taskNo: null,
      unitCode: 'fj-czt',
      obligation: 'implementation-plan' as const,
      period: null,
      event: {
        type: 'fulfilment' as const,
        at: '2017-05-26T16:00:00+08:00',
        evidence: { url: 'http://czt.fujian.gov.cn/zwgk/ssfa.htm', recordedBy: 'op-1' },
      },
    };
    await activities.recordEvent(input);
    await activities.recordEvent(input);
    const events = await opened.store.listEvents({ unitCode: 'fj-czt' });
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toEqual(input.event);
  });
});
