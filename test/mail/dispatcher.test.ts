import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { type Activities, createActivities } from '../../activities';
import { Dispatcher, type DispatcherOptions } from '../../src/mail/dispatcher';
import { mailConfigFromEnv } from '../../src/mail/config';
import { type Mailer, createMailer, smtpMailer } from '../../src/mail/transport';
import type { Store } from '../../src/store';
import { type OpenedStore, openTestStore } from '../store/stores';
import { directory, notice } from './fixtures';
import { TestSmtpServer, memoryLogger } from './smtp';

const FAST: DispatcherOptions = { graceMs: 150, pollMs: 100, retryBaseMs: 100, retryMaxMs: 400, leaseMs: 60_000 };

describe('outbox over a real SMTP server on loopback', () => {
  let smtp: TestSmtpServer;
  let opened: OpenedStore;
  let store: Store;
  let mailer: Mailer;
  let dispatcher: Dispatcher;
  let activities: Activities;
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(async () => {
    smtp = new TestSmtpServer();
    await smtp.start();
    opened = await openTestStore('sqlite');
    store = opened.store;
    mailer = smtpMailer(smtp.url, 'duban 督办 <duban@duban.test>', true);
    log = memoryLogger();
    dispatcher = new Dispatcher({ store, mailer, directory, logger: log.logger }, FAST);
    activities = createActivities({ store, directory, mailer, dispatcher, logger: log.logger });
  });

  afterEach(async () => {
    await dispatcher.stop();
    mailer.close();
    await smtp.stop();
    await opened.dispose();
  });

  it('sends three notices for one recipient and instant as one digest with a Chinese subject and both parts', async () => {
    await activities.sendNotice(
      notice({ obligation: 'implementation-plan', taskNo: null, due: '2017-05-27', at: '2017-05-22T09:00:00+08:00' }),
    );
    await activities.sendNotice(
      notice({
        obligation: 'quarterly-progress',
        taskNo: null,
        period: '2017-Q2',
        due: '2017-06-30',
        at: '2017-05-22T09:00:00+08:00',
      }),
    );
    await activities.sendNotice(notice({ taskNo: 12, due: '2017-05-31', at: '2017-05-22T09:00:00+08:00' }));
    const [message] = await smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(smtp.received).toHaveLength(1);
    const mail = message!.parsed;
    expect(message!.envelopeTo).toEqual(['czt.officer@duban.test']);
    expect(mail.subject).toBe('【督办提醒】省财政厅：实施方案、季度落实情况、任务时限共3项（最早截止 2017年5月27日）');
    expect(message!.raw).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(mail.text).toContain('任务12 加强预算公开 — 任务时限');
    expect(mail.text).toContain('截止时间：2017年5月27日（还剩 5天15小时）');
    expect(mail.text).toContain('duban fulfil --plan fj-2017-zwgk --unit fj-czt --obligation implementation-plan');
    expect(mail.text).toContain('http://localhost:8080/plans/fj-2017-zwgk/units/fj-czt');
    expect(mail.html).toContain('<li><strong>实施方案</strong>');
    expect(mail.to && !Array.isArray(mail.to) && mail.to.value[0]?.name).toBe('王联络');
    const counts = await store.countDeliveries();
    expect(counts.sent).toBe(3);
  });

  it('delivers a notice once when the activity is retried', async () => {
    const n = notice();
    const first = await activities.sendNotice(n);
    const second = await activities.sendNotice(n);
    expect(second).toEqual(first);
    await smtp.waitFor(1);
    await dispatcher.runOnce();
    await activities.sendNotice(n);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received).toHaveLength(1);
    expect(log.lines.some((l) => l.message.includes('already in the outbox') && l.meta?.key === n.key)).toBe(true);
  });

  it('keeps everything queued while the server is down and delivers it all when it returns', async () => {
    await smtp.stop();
    for (const taskNo of [1, 2, 3]) await activities.sendNotice(notice({ taskNo, notify: ['officer', 'head'] }));
    await activities.sendNotice(notice({ taskNo: 4, at: '2017-12-22T10:00:00+08:00' }));
    await new Promise((r) => setTimeout(r, 800));
    expect(smtp.received).toHaveLength(0);
    const pending = await store.countDeliveries();
    expect(pending.queued + pending.sending).toBe(7);
    expect(log.lines.some((l) => l.message.startsWith('transient mail failure'))).toBe(true);
    await smtp.start();
    // Officer: one digest at 09:00 and one at 10:00; head: one digest at 09:00.
    const received = await smtp.waitFor(3);
    expect(received.map((r) => r.envelopeTo[0]).sort()).toEqual([
      'czt.head@duban.test',
      'czt.officer@duban.test',
      'czt.officer@duban.test',
    ]);
    // The server has the messages; the dispatcher marks them sent right after its SMTP answer.
    let counts = await store.countDeliveries();
    for (let i = 0; i < 50 && counts.sent < 7; i++) {
      await new Promise((r) => setTimeout(r, 100));
      counts = await store.countDeliveries();
    }
    expect(counts).toMatchObject({ queued: 0, sending: 0, sent: 7 });
  });

  it('records a refused recipient as undeliverable and tells the general office', async () => {
    const refusing = {
      ...directory,
      units: directory.units.map((u) =>
        u.code === 'fj-czt' ? { ...u, officer: { ...u.officer, email: 'refused.officer@duban.test' } } : u,
      ),
    };
    await dispatcher.stop();
    dispatcher = new Dispatcher({ store, mailer, directory: refusing, logger: log.logger }, FAST);
    const acts = createActivities({
      store,
      directory: refusing,
      mailer,
      dispatcher,
      logger: log.logger,
      awaitDeliveryMs: 5000,
    });
    const n = notice({ notify: ['officer'] });
    await expect(acts.sendNotice(n)).rejects.toMatchObject({ type: 'Undeliverable', nonRetryable: true });
    expect((await store.deliveriesOf(n.key)).map((d) => [d.status, d.lastError])).toEqual([
      ['undeliverable', expect.stringContaining('550')],
    ]);
    const received = await smtp.waitFor(2);
    expect(received.map((r) => r.envelopeTo[0]).sort()).toEqual(['bgt.head@duban.test', 'bgt.officer@duban.test']);
    expect(received[0]!.parsed.subject).toBe('【邮件无法投递】省财政厅的任务时限通知未能送达');
    expect(received[0]!.parsed.text).toContain('王联络（省财政厅 联络员） <refused.officer@duban.test>');
    expect(JSON.stringify(log.lines)).not.toContain('refused.officer@duban.test');
  });

  /** A dispatcher and activities on an SMTP server that refuses, at the end of DATA, messages to `refused`. */
  async function refusingData(refused: string[]) {
    await dispatcher.stop();
    await smtp.stop();
    smtp = new TestSmtpServer(
      () => false,
      (rcptTo) => rcptTo.some((a) => refused.includes(a)),
    );
    await smtp.start();
    mailer.close();
    mailer = smtpMailer(smtp.url, 'duban 督办 <duban@duban.test>', true);
    dispatcher = new Dispatcher({ store, mailer, directory, logger: log.logger }, FAST);
    return createActivities({ store, directory, mailer, dispatcher, logger: log.logger });
  }

  /** Waits until nothing is queued or sending any more. */
  async function settled(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const c = await store.countDeliveries();
      if (c.queued + c.sending === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the outbox did not settle');
  }

  it('tells the general office once when the mail server refuses a message at DATA, and the others still get it', async () => {
    const acts = await refusingData(['czt.officer@duban.test']);
    const n = notice({ notify: ['officer', 'head'] });
    await acts.sendNotice(n);
    await settled();
    const deliveries = await store.deliveriesOf(n.key);
    expect(deliveries.map((d) => [d.address, d.status])).toEqual([
      ['czt.officer@duban.test', 'failed'],
      ['czt.head@duban.test', 'sent'],
    ]);
    expect(deliveries[0]!.lastError).toContain('554 5.6.0 message content rejected');
    const reports = await store.listNotices({ kind: 'undeliverable-report' });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.deliveries.map((d) => [d.address, d.status]).sort()).toEqual([
      ['bgt.head@duban.test', 'sent'],
      ['bgt.officer@duban.test', 'sent'],
    ]);
    const toOffice = smtp.received.filter((r) => r.envelopeTo[0]!.startsWith('bgt.'));
    expect(toOffice.map((r) => r.envelopeTo[0]).sort()).toEqual(['bgt.head@duban.test', 'bgt.officer@duban.test']);
    const mail = toOffice[0]!.parsed;
    expect(mail.subject).toBe('【邮件无法投递】省财政厅的任务时限通知未能送达');
    expect(mail.text).toContain('以下通知未能送达收件人');
    expect(mail.text).toContain('王联络（省财政厅 联络员） <czt.officer@duban.test>');
    expect(mail.text).toContain('554 5.6.0 message content rejected');
    expect(mail.text).toContain('任务12 加强预算公开');
    // A second round, and the notice again (an activity retry), report nothing twice.
    await dispatcher.runOnce();
    await acts.sendNotice(n);
    await settled();
    expect(await store.listNotices({ kind: 'undeliverable-report' })).toHaveLength(1);
    expect(smtp.received).toHaveLength(3);
    expect(JSON.stringify(log.lines)).not.toContain('czt.officer@duban.test');
  });

  it('logs, and does not report again, a report to the general office that fails too', async () => {
    const acts = await refusingData(['czt.officer@duban.test', 'bgt.officer@duban.test', 'bgt.head@duban.test']);
    const n = notice({ notify: ['officer'] });
    await acts.sendNotice(n);
    await settled();
    await new Promise((r) => setTimeout(r, 500));
    await settled();
    const reports = await store.listNotices({ kind: 'undeliverable-report' });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.deliveries.map((d) => d.status)).toEqual(['failed', 'failed']);
    expect(await store.listNotices()).toHaveLength(2);
    expect(smtp.received).toHaveLength(0);
    expect(log.lines.filter((l) => l.message.includes('report to the general office failed too'))).toHaveLength(2);
    const logged = JSON.stringify(log.lines);
    for (const address of ['czt.officer@duban.test', 'bgt.officer@duban.test', 'bgt.head@duban.test'])
      expect(logged).not.toContain(address);
  });

  it('tells the general office about a digest that could not be composed', async () => {
    // A notice whose stored recipient name breaks a header: the dispatcher's own check refuses to compose it.
    const n = notice();
    await store.enqueue(
      {
        key: n.key,
        payload: { kind: 'notice', notice: n },
        recipients: [
          {
            address: 'czt.officer@duban.test',
            name: '王联络\r\nBcc: x@evil.test',
            role: 'officer',
            unitCode: 'fj-czt',
            locale: 'zh',
          },
        ],
        atMs: Date.parse(n.at),
        notBeforeMs: 0,
      },
      Date.now(),
    );
    await dispatcher.runOnce();
    expect((await store.deliveriesOf(n.key)).map((d) => [d.status, d.lastError])).toEqual([
      ['failed', expect.stringContaining('recipient name contains a line break')],
    ]);
    await dispatcher.runOnce(Number.MAX_SAFE_INTEGER);
    await settled();
    const reports = await store.listNotices({ kind: 'undeliverable-report' });
    expect(reports.map((r) => r.deliveries.map((d) => d.status))).toEqual([['sent', 'sent']]);
  });

  it('refuses a contact name or address with CR/LF before anything is queued', async () => {
    const injected = (officer: { name: string; email: string }) => ({
      ...directory,
      units: directory.units.map((u) => (u.code === 'fj-czt' ? { ...u, officer } : u)),
    });
    const byName = createActivities({
      store,
      directory: injected({ name: '王联络\r\nBcc: x@evil.test', email: 'a@duban.test' }),
      mailer,
      dispatcher,
    });
    const byAddress = createActivities({
      store,
      directory: injected({ name: '王联络', email: 'a@duban.test\nBcc: x@evil.test' }),
      mailer,
      dispatcher,
    });
    await expect(byName.sendNotice(notice())).rejects.toMatchObject({ type: 'HeaderInjection', nonRetryable: true });
    await expect(byAddress.sendNotice(notice())).rejects.toMatchObject({ type: 'HeaderInjection', nonRetryable: true });
    await expect(
      mailer.send({
        to: { name: 'x', address: 'a@duban.test' },
        subject: '督办\r\nBcc: x@evil.test',
        text: '',
        html: '',
        messageId: '<a@b>',
      }),
    ).rejects.toMatchObject({ type: 'HeaderInjection' });
    expect(await store.listNotices()).toEqual([]);
  });

  it('skips one contact that cannot be mailed, delivers to the rest, and tells the general office', async () => {
    const bad = {
      ...directory,
      units: directory.units.map((u) =>
        u.code === 'fj-czt' ? { ...u, officer: { ...u.officer, name: '张三\n' } } : u,
      ),
    };
    const acts = createActivities({ store, directory: bad, mailer, dispatcher, logger: log.logger });
    const n = notice({ notify: ['officer', 'head'] });
    const result = await acts.sendNotice(n);
    expect(result.recipients).toEqual(['czt.head@duban.test']);
    expect((await store.deliveriesOf(n.key)).map((d) => d.address)).toEqual(['czt.head@duban.test']);
    const received = await smtp.waitFor(3);
    expect(received.map((r) => r.envelopeTo[0]).sort()).toEqual([
      'bgt.head@duban.test',
      'bgt.officer@duban.test',
      'czt.head@duban.test',
    ]);
    const report = received.find((r) => r.envelopeTo[0] === 'bgt.head@duban.test')!.parsed;
    expect(report.subject).toBe('【邮件无法投递】省财政厅的任务时限通知未能送达');
    expect(report.text).toContain('省财政厅 联络员（通讯录中的姓名或邮箱无法用于邮件，未发送）');
    expect(report.text).toContain('name of the officer of fj-czt contains a line break');
    // Sending the notice again (an activity retry) reports nothing twice.
    await acts.sendNotice(n);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received).toHaveLength(3);
  });

  it('refuses a unit name with a line break, which would land in the subject', async () => {
    const bad = {
      ...directory,
      units: directory.units.map((u) => (u.code === 'fj-czt' ? { ...u, name: '省财政厅\nBcc: x@evil.test' } : u)),
    };
    await expect(
      createActivities({ store, directory: bad, mailer, dispatcher }).sendNotice(notice()),
    ).rejects.toMatchObject({
      type: 'HeaderInjection',
    });
  });

  it('resends once and logs a possible duplicate when the process died between the accept and the mark', async () => {
    const crashing: Store = Object.create(store, {
      markSent: { value: async () => Promise.reject(new Error('process killed')) },
    });
    const doomed = new Dispatcher(
      { store: crashing, mailer, directory, logger: log.logger },
      { ...FAST, leaseMs: 300 },
    );
    const n = notice();
    await createActivities({ store: crashing, directory, mailer, dispatcher: doomed }).sendNotice(n);
    await smtp.waitFor(1);
    await doomed.stop();
    expect((await store.deliveriesOf(n.key))[0]?.status).toBe('sending');
    await new Promise((r) => setTimeout(r, 350));
    const restarted = new Dispatcher({ store, mailer, directory, logger: log.logger }, { ...FAST, leaseMs: 300 });
    const summary = await restarted.runOnce();
    expect(summary).toMatchObject({ possibleDuplicates: 1, sent: 1 });
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1]!.parsed.messageId).toBe(smtp.received[0]!.parsed.messageId);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringContaining('possible duplicate'),
        meta: expect.objectContaining({ key: n.key }),
      }),
    );
    expect((await store.deliveriesOf(n.key))[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('sends an emergency breach without waiting for the grouping grace', async () => {
    const slow = new Dispatcher({ store, mailer, directory, logger: log.logger }, { ...FAST, graceMs: 60_000 });
    const acts = createActivities({ store, directory, mailer, dispatcher: slow });
    await acts.sendNotice(
      notice({
        obligation: 'emergency-information',
        taskNo: 55,
        period: 'inc-1',
        stage: 'breach',
        due: '2017-08-01T15:00:00+08:00',
        at: '2017-08-01T15:00:00+08:00',
        notify: ['head', 'general-office'],
      }),
    );
    const received = await smtp.waitFor(3, 3000);
    expect(received[0]!.parsed.subject).toMatch(
      /^【超时通报】省财政厅：突发事件权威信息发布（截止 2017年8月1日 15:00）$/,
    );
    await slow.stop();
  });
});

describe('the .eml outbox when no SMTP_URL is set', () => {
  it('writes each message as a readable .eml file under DUBAN_DATA_DIR/outbox', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-eml-'));
    const config = mailConfigFromEnv({ DUBAN_DATA_DIR: dataDir });
    expect(config.transport).toEqual({ kind: 'eml', dir: path.join(dataDir, 'outbox') });
    const opened = await openTestStore('sqlite');
    const mailer = createMailer(config.transport, config.from);
    const dispatcher = new Dispatcher({ store: opened.store, mailer, directory, logger: memoryLogger().logger }, FAST);
    try {
      await createActivities({ store: opened.store, directory, mailer, dispatcher }).sendNotice(
        notice({ unitCode: 'fj-fgw', notify: ['officer'] }),
      );
      await dispatcher.waitForDelivery(notice({ unitCode: 'fj-fgw' }).key, 5000);
      const files = fs.readdirSync(path.join(dataDir, 'outbox'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d{8}T\d{6}-[0-9a-f]{12}\.eml$/);
      const parsed = await simpleParser(fs.readFileSync(path.join(dataDir, 'outbox', files[0]!)));
      // fj-fgw's officer reads English.
      expect(parsed.subject).toBe('[duban reminder] 省发改委: task deadline, due 31 Dec 2017');
      expect(parsed.text).toContain('9 days 15 h left');
      expect(parsed.from?.value[0]).toMatchObject({ name: 'duban 督办', address: 'duban@localhost' });
    } finally {
      await dispatcher.stop();
      await opened.dispose();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
