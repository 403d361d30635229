/**
 * Channels beside mail through the same outbox, against loopback servers standing in for the DingTalk and Feishu
 * robots, a WeCom robot, a generic webhook and an SMS gateway (test/channels/vendors.ts), which verify signatures the
 * way the vendors document them and can answer 429, 5xx or be down. The dispatcher runs on an injected clock so a
 * minute of rate limit takes no real minute; the store is a real SQLite database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Activities, createActivities } from '../../activities';
import type { Directory } from '../../src/domain/directory';
import { type ChannelPolicy, DEFAULT_CHANNEL_POLICY, parseChannelPolicy } from '../../src/mail/channels/config';
import { secretsFromEnv } from '../../src/mail/channels/secrets';
import { Channels, smsSegments, smsText } from '../../src/mail/channels/senders';
import { type SignForConfig, verifySignForToken } from '../../src/mail/sign-for-token';
import { Dispatcher } from '../../src/mail/dispatcher';
import { emlMailer } from '../../src/mail/transport';
import { validateDirectory } from '../../src/import/directory';
import type { Store } from '../../src/store';
import { directory as baseDirectory, notice } from '../mail/fixtures';
import { memoryLogger } from '../mail/smtp';
import { type OpenedStore, openTestStore } from '../store/stores';
import { SECRETS, VendorServers } from './vendors';

const T0 = Date.parse('2017-12-22T09:00:05+08:00');

/** fj-czt has every robot and mobiles; fj-fgw has none; the general office has a DingTalk robot. */
const directory: Directory = {
  ...baseDirectory,
  units: baseDirectory.units.map((u) =>
    u.code === 'fj-czt'
      ? {
          ...u,
          officer: { ...u.officer, mobile: '+8613800000001' },
          head: { ...u.head, mobile: '+8613800000002' },
          channels: {
            dingtalk: { url: 'env:DT_CZT_URL', secret: 'env:DT_CZT_SECRET' },
            feishu: { url: 'file:feishu-czt-url', secret: 'file:feishu-czt-secret' },
            wecom: { url: 'env:WECOM_CZT_URL' },
            webhook: { url: 'env:HOOK_CZT_URL', secret: 'env:HOOK_CZT_SECRET' },
          },
        }
      : u.code === 'fj-bgt'
        ? { ...u, channels: { dingtalk: { url: 'env:DT_CZT_URL', secret: 'env:DT_CZT_SECRET' } } }
        : u,
  ),
};

describe('channels through the outbox (loopback vendor servers)', () => {
  let vendors: VendorServers;
  let opened: OpenedStore;
  let store: Store;
  let dir: string;
  let nowMs: number;
  let log: ReturnType<typeof memoryLogger>;
  let env: NodeJS.ProcessEnv;

  /** A dispatcher and activities on the injected clock with `policy`. */
  function outbox(policy: ChannelPolicy, over: { env?: NodeJS.ProcessEnv; signFor?: SignForConfig } = {}) {
    const clock = () => new Date(nowMs);
    const channels = new Channels({ directory, policy, secrets: secretsFromEnv(over.env ?? env) });
    const mailer = emlMailer(path.join(dir, 'outbox'), 'duban <duban@duban.test>');
    const dispatcher = new Dispatcher(
      { store, mailer, directory, clock, logger: log.logger, channels },
      { graceMs: 0, retryBaseMs: 1000, retryMaxMs: 8000, signFor: over.signFor },
    );
    // Stopped: rounds run only when a test calls runOnce, on the injected clock (no timer of its own).
    void dispatcher.stop();
    const activities: Activities = createActivities({
      store,
      directory,
      mailer,
      dispatcher,
      clock,
      logger: log.logger,
      channelPolicy: policy,
    });
    return { dispatcher, activities, channels };
  }

  const addresses = async (key: string) => (await store.deliveriesOf(key)).map((d) => d.address).sort();

  beforeEach(async () => {
    nowMs = T0;
    vendors = new VendorServers(SECRETS, () => nowMs);
    await vendors.start();
    opened = await openTestStore('sqlite');
    store = opened.store;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-channels-'));
    const secretsFile = path.join(dir, 'secrets.json');
    fs.writeFileSync(
      secretsFile,
      JSON.stringify({ 'feishu-czt-url': vendors.urls.feishu, 'feishu-czt-secret': SECRETS.feishuSecret }),
    );
    env = {
      DUBAN_SECRETS_FILE: secretsFile,
      DT_CZT_URL: vendors.urls.dingtalk,
      DT_CZT_SECRET: SECRETS.dingtalkSecret,
      WECOM_CZT_URL: vendors.urls.wecom,
      HOOK_CZT_URL: vendors.urls.webhook,
      HOOK_CZT_SECRET: SECRETS.webhookSecret,
      SMS_KEY: SECRETS.smsKey,
    };
    log = memoryLogger();
  });

  afterEach(async () => {
    // Whatever happened in the test, no secret (nor a URL embedding one) reached a log line.
    const logged = JSON.stringify(log.lines);
    for (const secret of Object.values(SECRETS)) expect(logged).not.toContain(secret);
    await vendors.stop();
    await opened.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const every = (sms: boolean) =>
    parseChannelPolicy({
      stages: { reminder: ['dingtalk', 'feishu', 'wecom', 'webhook', ...(sms ? ['sms'] : [])] },
      sms: { url: vendors.urls.sms, key: 'env:SMS_KEY' },
    });

  it('signs DingTalk and Feishu messages as the vendors document, reaches WeCom by key, signs the webhook body and sends the SMS with its key', async () => {
    const { dispatcher, activities } = outbox(every(true));
    const n = notice();
    await activities.sendNotice(n);
    expect(await addresses(n.key)).toEqual([
      'dingtalk:fj-czt',
      'feishu:fj-czt',
      'sms:fj-czt/officer',
      'webhook:fj-czt',
      'wecom:fj-czt',
    ]);
    const summary = await dispatcher.runOnce();
    expect(summary).toMatchObject({ sent: 5, retried: 0, failed: 0, deferred: 0 });
    for (const vendor of ['dingtalk', 'feishu', 'wecom', 'webhook', 'sms'] as const)
      expect(vendors.accepted(vendor)).toHaveLength(1);
    expect((await store.deliveriesOf(n.key)).map((d) => d.status)).toEqual(Array(5).fill('sent'));
    // The same notice content in each format: the subject and the unit's dashboard link.
    const ding = vendors.accepted('dingtalk')[0]!.body as {
      msgtype: string;
      markdown: { title: string; text: string };
    };
    expect(ding.msgtype).toBe('markdown');
    expect(ding.markdown.text).toContain('加强预算公开');
    expect(ding.markdown.text).toContain('/plans/fj-2017-zwgk/units/fj-czt');
    expect(ding.markdown.text).not.toContain('此邮件');
    const hook = vendors.accepted('webhook')[0]!.body as { notices: { key: string }[]; unit: { code: string } };
    expect(hook.notices.map((x) => x.key)).toEqual([n.key]);
    expect(hook.unit.code).toBe('fj-czt');
    const sms = vendors.accepted('sms')[0]!.body as { to: string; text: string; segments: number };
    expect(sms.to).toBe('+8613800000001');
    expect(sms.segments).toBe(smsSegments(sms.text));
    expect(sms.segments).toBeLessThanOrEqual(2);
    // A repeat of the activity (a retry) queues nothing twice.
    await activities.sendNotice(n);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 0 });
    expect(vendors.requests).toHaveLength(5);
  });

  it('carries the sign-for (签收) link in robot messages too', async () => {
    const signFor: SignForConfig = { key: Buffer.from('channels-sign-for-key-0123'), ttlMs: 3_600_000 };
    const { dispatcher, activities } = outbox(parseChannelPolicy({ stages: { reminder: ['dingtalk'] } }), { signFor });
    const n = notice();
    await activities.sendNotice(n);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });
    const ding = vendors.accepted('dingtalk')[0]!.body as { markdown: { text: string } };
    const token = /一键签收：\S*\/sign-for\/([\w-]+\.[\w-]+)/.exec(ding.markdown.text)?.[1];
    expect(token).toBeDefined();
    expect(verifySignForToken(signFor, token!, nowMs)).toMatchObject({ key: n.key, unitCode: 'fj-czt' });
  });

  it('fails a delivery whose robot refuses the signature (wrong secret), and tells the general office by mail', async () => {
    const { dispatcher, activities } = outbox(parseChannelPolicy({ stages: { reminder: ['dingtalk'] } }), {
      env: { ...env, DT_CZT_SECRET: 'SECwrong' },
    });
    const n = notice();
    await activities.sendNotice(n);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 0, failed: 1 });
    // The report to the general office goes out in the next round, by mail.
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 2 });
    const [delivery] = await store.deliveriesOf(n.key);
    expect(delivery).toMatchObject({ address: 'dingtalk:fj-czt', status: 'failed' });
    expect(delivery?.lastError).toContain('310000');
    expect(vendors.requests.filter((r) => r.vendor === 'dingtalk').map((r) => r.verified)).toEqual([false]);
    const reports = await store.listNotices({ kind: 'undeliverable-report' });
    expect(reports.flatMap((r) => r.deliveries.map((d) => [d.address, d.status])).sort()).toEqual([
      ['bgt.head@duban.test', 'sent'],
      ['bgt.officer@duban.test', 'sent'],
    ]);
  });

  it('keeps mail only for every stage by default, whatever channels the directory names', async () => {
    const { dispatcher, activities } = outbox(DEFAULT_CHANNEL_POLICY);
    const reminder = notice();
    const escalation = notice({ stage: 'escalation-3', notify: ['general-office'], at: '2017-12-22T09:00:00+08:00' });
    await activities.sendNotice(reminder);
    await activities.sendNotice(escalation);
    expect(await addresses(reminder.key)).toEqual(['czt.officer@duban.test']);
    expect(await addresses(escalation.key)).toEqual(['bgt.head@duban.test', 'bgt.officer@duban.test']);
    await dispatcher.runOnce();
    expect(vendors.requests).toHaveLength(0);
  });

  it('sends reminders by IM and escalations by IM + SMS + mail as the policy says, and mails whoever has no endpoint', async () => {
    const policy = parseChannelPolicy({
      stages: { reminder: ['dingtalk'], escalation: ['dingtalk', 'sms', 'mail'] },
      sms: { url: vendors.urls.sms, key: 'env:SMS_KEY' },
    });
    const { dispatcher, activities } = outbox(policy);
    const reminder = notice();
    const escalation = notice({ stage: 'escalation-1', notify: ['head'], at: '2017-12-22T09:00:00+08:00' });
    const toLeads = notice({ stage: 'reminder-2', notify: ['officer', 'lead-units'], at: '2017-12-22T09:00:00+08:00' });
    await activities.sendNotice(reminder);
    await activities.sendNotice(escalation);
    await activities.sendNotice(toLeads);
    expect(await addresses(reminder.key)).toEqual(['dingtalk:fj-czt']);
    expect(await addresses(escalation.key)).toEqual(['czt.head@duban.test', 'dingtalk:fj-czt', 'sms:fj-czt/head']);
    // 省发改委 (the lead unit) has no robot: its head hears by mail; fj-czt's officer by its robot.
    expect(await addresses(toLeads.key)).toEqual(['dingtalk:fj-czt', 'fgw.head@duban.test']);
    await dispatcher.runOnce();
    // One robot message for the three notices of the same instant: a digest, as mail has.
    expect(vendors.accepted('dingtalk')).toHaveLength(1);
    expect((vendors.accepted('dingtalk')[0]!.body as { markdown: { text: string } }).markdown.text).toMatch(/3/);
    expect(vendors.accepted('sms').map((r) => r.body.to)).toEqual(['+8613800000002']);
  });

  it('holds a robot to 20 messages a minute, queues the overflow and sends every message exactly once', async () => {
    const { dispatcher, activities } = outbox(parseChannelPolicy({ stages: { reminder: ['dingtalk'] } }));
    const keys: string[] = [];
    for (let i = 0; i < 25; i++) {
      // 25 instants, so 25 digests (one per instant and endpoint).
      const n = notice({ period: `2017-W${10 + i}`, at: new Date(T0 - 5000 - i * 60_000).toISOString() });
      keys.push(n.key);
      await activities.sendNotice(n);
    }
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 20, deferred: 5, retried: 0 });
    const queued = (await Promise.all(keys.map((k) => store.deliveriesOf(k))))
      .flat()
      .filter((d) => d.status === 'queued');
    expect(queued).toHaveLength(5);
    expect(queued[0]?.lastError).toMatch(/rate limit of dingtalk:fj-czt \(20 a minute\)/);
    expect(queued.every((d) => d.attempts === 0)).toBe(true);
    // Within the minute nothing more goes out; after it, the rest.
    nowMs += 30_000;
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 0 });
    nowMs += 31_000;
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 5, deferred: 0 });
    const all = (await Promise.all(keys.map((k) => store.deliveriesOf(k)))).flat();
    expect(all.map((d) => [d.status, d.attempts])).toEqual(Array(25).fill(['sent', 1]));
    expect(vendors.accepted('dingtalk')).toHaveLength(25);
    // The robot never saw more than 20 in a minute: it answered no 130101.
    expect(vendors.requests.every((r) => r.verified)).toBe(true);
    const ids = vendors.requests.map((r) => r.headers['x-duban-message-id']);
    expect(new Set(ids).size).toBe(25);
  });

  it('retries after a 429, a 5xx and a robot rate-limit answer, delivering once in the end', async () => {
    const { dispatcher, activities } = outbox(parseChannelPolicy({ stages: { reminder: ['dingtalk', 'wecom'] } }));
    vendors.force('dingtalk', 429, '{"errcode":-1}');
    vendors.force('dingtalk', 200, '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}');
    vendors.force('wecom', 502, '<html>bad gateway</html>');
    const n = notice();
    await activities.sendNotice(n);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 0, retried: 2 });
    for (let round = 0; round < 5 && (await store.countDeliveries()).sent < 2; round++) {
      nowMs += 10_000;
      await dispatcher.runOnce();
    }
    const deliveries = await store.deliveriesOf(n.key);
    expect(deliveries.map((d) => [d.address, d.status])).toEqual([
      ['dingtalk:fj-czt', 'sent'],
      ['wecom:fj-czt', 'sent'],
    ]);
    expect(deliveries.find((d) => d.address === 'dingtalk:fj-czt')?.attempts).toBe(3);
    expect(vendors.accepted('dingtalk')).toHaveLength(1);
    expect(vendors.accepted('wecom')).toHaveLength(1);
  });

  it('keeps SMS queued while the gateway is down or unreachable, and sends each once it is back', async () => {
    const policy = parseChannelPolicy({
      stages: { reminder: ['sms'] },
      sms: { url: vendors.urls.sms, key: 'env:SMS_KEY' },
    });
    const { dispatcher, activities } = outbox(policy);
    vendors.down = true;
    const a = notice();
    const b = notice({ unitCode: 'fj-czt', notify: ['head'], period: '2017-W50' });
    await activities.sendNotice(a);
    await activities.sendNotice(b);
    for (let round = 0; round < 4; round++) {
      await dispatcher.runOnce();
      nowMs += 10_000;
    }
    let deliveries = [...(await store.deliveriesOf(a.key)), ...(await store.deliveriesOf(b.key))];
    expect(deliveries.map((d) => d.status)).toEqual(['queued', 'queued']);
    expect(deliveries[0]?.lastError).toContain('HTTP 503');
    // Unreachable (nothing listens) is the same: later, not never.
    await vendors.stop();
    nowMs += 10_000;
    await dispatcher.runOnce();
    deliveries = [...(await store.deliveriesOf(a.key)), ...(await store.deliveriesOf(b.key))];
    expect(deliveries.map((d) => d.status)).toEqual(['queued', 'queued']);
    expect(deliveries[0]?.lastError).toMatch(/no answer \((ECONNREFUSED|UND_ERR_SOCKET)\)/);
    vendors = new VendorServers(SECRETS, () => nowMs);
    await vendors.start();
    const moved = parseChannelPolicy({
      stages: { reminder: ['sms'] },
      sms: { url: vendors.urls.sms, key: 'env:SMS_KEY' },
    });
    const again = outbox(moved);
    nowMs += 60_000;
    expect(await again.dispatcher.runOnce()).toMatchObject({ sent: 2 });
    expect(
      vendors
        .accepted('sms')
        .map((r) => r.body.to)
        .sort(),
    ).toEqual(['+8613800000001', '+8613800000002']);
    expect(log.lines.some((l) => /transient channel failure \(sms:fj-czt\/(officer|head)\)/.test(l.message))).toBe(
      true,
    );
  });

  it('sends a digest again after a crash between hand-over and marking, with the same message id, once', async () => {
    const { dispatcher, activities } = outbox(parseChannelPolicy({ stages: { reminder: ['webhook'] } }));
    const n = notice();
    await activities.sendNotice(n);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 1 });
    // As if a worker had claimed it again and died before marking: the row is `sending` with a lease.
    await store.markRetry(
      (await store.deliveriesOf(n.key)).map((d) => d.id),
      {
        error: 'test',
        nextAttemptMs: nowMs,
        nowMs,
      },
    );
    const [row] = await store.claimGroup({ address: 'webhook:fj-czt', atMs: Date.parse(n.at) }, nowMs, 1000);
    expect(row?.status).toBe('sending');
    nowMs += 1000;
    expect(await dispatcher.runOnce()).toMatchObject({ possibleDuplicates: 1, sent: 1 });
    const ids = vendors.accepted('webhook').map((r) => r.headers['x-duban-message-id']);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(await dispatcher.runOnce()).toMatchObject({ sent: 0 });
  });

  it('keeps a delivery queued, naming the reference, while its secret is not set', async () => {
    const { dispatcher, activities } = outbox(parseChannelPolicy({ stages: { reminder: ['dingtalk'] } }), {
      env: { ...env, DT_CZT_SECRET: undefined },
    });
    const n = notice();
    await activities.sendNotice(n);
    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1, sent: 0 });
    const [delivery] = await store.deliveriesOf(n.key);
    expect(delivery?.status).toBe('queued');
    expect(delivery?.lastError).toContain('env:DT_CZT_SECRET is not set');
  });

  it('keeps a delivery queued while its robot URL is not https, without quoting the URL', async () => {
    const clear = 'http://oapi.dingtalk.example/robot/send?access_token=' + SECRETS.dingtalkToken;
    const { dispatcher, activities } = outbox(parseChannelPolicy({ stages: { reminder: ['dingtalk'] } }), {
      env: { ...env, DT_CZT_URL: clear },
    });
    const n = notice();
    await activities.sendNotice(n);
    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1, sent: 0 });
    const [delivery] = await store.deliveriesOf(n.key);
    expect(delivery?.status).toBe('queued');
    expect(delivery?.lastError).toBe(
      'dingtalk:fj-czt url (env:DT_CZT_URL) must be https:// (http:// only for a loopback host)',
    );
  });

  it('lists at start the secret references the routed channels need and lack, naming references, not values', () => {
    const policy = parseChannelPolicy({ stages: { reminder: ['dingtalk', 'wecom'] } });
    const { channels } = outbox(policy, { env: { ...env, DT_CZT_SECRET: undefined, WECOM_CZT_URL: '' } });
    expect(channels.missingSecrets()).toEqual([
      'fj-bgt.dingtalk.secret: env:DT_CZT_SECRET',
      'fj-czt.dingtalk.secret: env:DT_CZT_SECRET',
      'fj-czt.wecom.url: env:WECOM_CZT_URL',
    ]);
    // Channels no stage uses are not asked for.
    expect(outbox(DEFAULT_CHANNEL_POLICY, { env: {} }).channels.missingSecrets()).toEqual([]);
  });
});

describe('SMS text', () => {
  it('counts 70 characters as one segment and longer texts in parts of 67', () => {
    expect(smsSegments('督'.repeat(70))).toBe(1);
    expect(smsSegments('督'.repeat(71))).toBe(2);
    expect(smsSegments('督'.repeat(134))).toBe(2);
    expect(smsSegments('督'.repeat(135))).toBe(3);
  });

  it('fills the template and shortens the subject until the text fits the segments allowed', () => {
    const vars = { unit: '省财政厅', subject: '督'.repeat(200), count: 2, link: 'https://duban.example/p' };
    const one = smsText('【督办】{unit}：{subject}。{link}', vars, 1);
    expect(one.length).toBeLessThanOrEqual(70);
    expect(one).toMatch(/^【督办】省财政厅：督+…。https:\/\/duban\.example\/p$/);
    expect(smsSegments(smsText('{subject}', vars, 2))).toBe(2);
    expect(smsText('{unit}{count}', vars, 1)).toBe('省财政厅2');
  });
});

describe('channel policy file', () => {
  it('names the field of a mistake, and refuses SMS without a gateway or a gateway key in clear', () => {
    expect(() => parseChannelPolicy({ stages: { reminder: ['dingtalk', 'pager'] } })).toThrow(
      /^channels\.stages\.reminder\[1\]: expected mail \| dingtalk/,
    );
    expect(() => parseChannelPolicy({ stages: { escalation: ['sms'] } })).toThrow(/channels\.sms: required/);
    expect(() => parseChannelPolicy({ sms: { url: 'https://sms.example/send', key: 'abc123' } })).toThrow(
      /channels\.sms\.key: expected a secret reference/,
    );
    expect(() => parseChannelPolicy({ sms: { url: 'http://sms.example/send' } })).toThrow(/must be https/);
    expect(() => parseChannelPolicy({ stages: { reminders: ['mail'] } })).toThrow(/unknown field/);
    expect(() => parseChannelPolicy({ stages: { reminder: [] } })).toThrow(/non-empty/);
  });
});

describe('channels in the unit directory', () => {
  const unit = (over: Record<string, unknown>) => ({
    generalOffice: 'fj-bgt',
    units: [
      {
        code: 'fj-bgt',
        name: '省政府办公厅',
        kind: 'office',
        officer: { name: '联络员', email: 'o@duban.test', mobile: '+8613800000001' },
        head: { name: '负责人', email: 'h@duban.test' },
        ...over,
      },
    ],
  });

  it('loads robot references and mobiles', () => {
    const d = validateDirectory(
      unit({ channels: { dingtalk: { url: 'env:DT_URL', secret: 'file:dt-secret' } } }),
      'd.json',
    );
    expect(d.units[0]?.channels).toEqual({ dingtalk: { url: 'env:DT_URL', secret: 'file:dt-secret' } });
    expect(d.units[0]?.officer.mobile).toBe('+8613800000001');
  });

  it('refuses a webhook URL or secret written into the directory, and a malformed mobile, naming the field', () => {
    expect(() =>
      validateDirectory(
        unit({ channels: { dingtalk: { url: 'https://oapi.dingtalk.com/robot/send?access_token=x' } } }),
        'd.json',
      ),
    ).toThrow(/units\[0\]\.channels\.dingtalk\.url: expected a secret reference/);
    expect(() => validateDirectory(unit({ channels: { pager: { url: 'env:X' } } }), 'd.json')).toThrow(/pager/);
    expect(() =>
      validateDirectory(unit({ head: { name: '负责人', email: 'h@duban.test', mobile: '138-0000' } }), 'd.json'),
    ).toThrow(/units\[0\]\.head\.mobile: expected a mobile number/);
  });
});
