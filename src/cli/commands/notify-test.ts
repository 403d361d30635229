import crypto from 'node:crypto';
import { CHANNELS, type ChannelName, ChannelConfigError, channelPolicyFromEnv } from '../../mail/channels/config';
import { secretsFromEnv } from '../../mail/channels/secrets';
import { type ChannelAddress, ChannelSendError, Channels, channelAddress } from '../../mail/channels/senders';
import { mailConfigFromEnv } from '../../mail/config';
import { MailInputError, assertAddress } from '../../mail/errors';
import { dashboardLink } from '../../mail/message';
import { createMailer } from '../../mail/transport';
import { type Command, UsageError } from '../command';
import { FLAGS, flag, loadDirectoryFlag, printResult, unitFlag } from '../kit';

const SUBJECT = '【督办】测试消息 / duban test message';
const body = (sentAt: string) =>
  `这是一条来自 duban 督办系统的测试消息，发送时间 ${sentAt}。\nThis is a test message from duban, sent at ${sentAt}.`;

/** `duban notify test`: proves the mail configuration, or one channel of one unit, end to end. */
export const notifyTestCommand: Command = {
  path: ['notify', 'test'],
  summary: 'send one test message by mail, or on one channel of one unit',
  description: [
    "Sends one test message and prints the server's answer. By mail (--to ADDRESS, or --channel mail --unit U for the",
    "unit's officer) through the configured transport (with no SMTP_URL, the path of the .eml file written under",
    "DUBAN_DATA_DIR/outbox/); on a channel (--channel dingtalk|feishu|wecom|webhook|sms --unit U) to the unit's robot",
    "or webhook from the directory, or by SMS to the unit's officer (--contact head for its head), through",
    'DUBAN_CHANNELS_FILE and the secrets it and the directory reference (docs/channels.md).',
    '',
    'Environment:',
    '  SMTP_URL             smtps://user:pass@host:465 or smtp://host:587 (STARTTLS required); unset: .eml files',
    '  MAIL_FROM            From header (default: duban 督办 <duban@localhost>)',
    '  SMTP_TLS_INSECURE    1: allow plain/self-signed TLS, only for a loopback host off ports 465/587 (test servers)',
    '  DUBAN_CHANNELS_FILE  the channel policy: stages per channel, rate limits, the SMS gateway',
    '  DUBAN_SECRETS_FILE   JSON of secrets referenced as file:NAME (env:NAME reads the environment)',
  ],
  flags: [
    { name: 'to', type: 'string', value: 'ADDRESS', help: 'where to send a test mail' },
    { name: 'channel', type: 'string', value: 'NAME', help: `${CHANNELS.join(' | ')}`, default: 'mail' },
    flag(FLAGS.unit, { help: 'the unit whose robot, webhook, mobile or mail receives it' }),
    {
      name: 'contact',
      type: 'string',
      value: 'officer|head',
      help: 'whose mobile or mail (with --unit)',
      default: 'officer',
    },
    FLAGS.directory,
    FLAGS.json,
  ],
  async run({ values }) {
    const channel = String(values.channel ?? 'mail') as ChannelName;
    if (!CHANNELS.includes(channel))
      throw new UsageError(`--channel: expected ${CHANNELS.join(' | ')}, got '${String(values.channel)}'`);
    const which = String(values.contact ?? 'officer');
    if (which !== 'officer' && which !== 'head')
      throw new UsageError(`--contact: expected officer | head, got '${which}'`);
    if (channel !== 'mail' && values.to !== undefined) throw new UsageError('--to is for mail; a channel needs --unit');
    if (values.to === undefined && values.unit === undefined)
      throw new UsageError(
        channel === 'mail' ? '--to ADDRESS or --unit U is required' : `--channel ${channel} needs --unit U`,
      );
    const sentAt = new Date().toISOString();

    if (channel === 'mail') {
      const to =
        values.to !== undefined
          ? String(values.to)
          : unitFlag(await loadDirectoryFlag(values), values.unit)[which].email;
      try {
        assertAddress(to, '--to');
      } catch (err) {
        if (err instanceof MailInputError) throw new UsageError(err.message);
        throw err;
      }
      const config = mailConfigFromEnv();
      const mailer = createMailer(config.transport, config.from);
      try {
        const result = await mailer.send({
          to: { name: '', address: to },
          subject: SUBJECT,
          text: `${body(sentAt)}\n`,
          html: body(sentAt)
            .split('\n')
            .map((l) => `<p>${l}</p>`)
            .join(''),
          messageId: `<test-${crypto.randomUUID()}@duban.invalid>`,
        });
        printResult(
          values,
          { channel, transport: mailer.target, file: result.file ?? null, response: result.response ?? null },
          () => [
            `transport: ${mailer.target}`,
            result.file ? `written: ${result.file}` : `server answered: ${result.response}`,
          ],
        );
        return 0;
      } catch (err) {
        const e = err as { code?: string; response?: string; message: string };
        console.error(
          `duban notify test: sending via ${mailer.target} failed: ${[e.code, e.response ?? e.message].filter(Boolean).join(' ')}`,
        );
        return 1;
      } finally {
        mailer.close();
      }
    }

    const directory = await loadDirectoryFlag(values);
    const unit = unitFlag(directory, values.unit);
    let policy;
    try {
      policy = channelPolicyFromEnv();
    } catch (err) {
      if (err instanceof ChannelConfigError) throw new UsageError(err.message);
      throw err;
    }
    const address: ChannelAddress =
      channel === 'sms' ? { channel, unitCode: unit.code, which } : { channel, unitCode: unit.code };
    const target = channelAddress(address);
    const channels = new Channels({ directory, policy, secrets: secretsFromEnv() });
    try {
      const result = await channels.send(address, {
        id: `test-${crypto.randomUUID()}`,
        subject: SUBJECT,
        text: body(sentAt),
        link: dashboardLink(mailConfigFromEnv().publicUrl, { planId: '-', unitCode: unit.code }),
        unitName: unit.name,
        count: 1,
        notices: [],
      });
      printResult(
        values,
        { channel, target, response: result.response, ...(result.segments ? { segments: result.segments } : {}) },
        () => [`channel: ${target}`, `answered: ${result.response}`],
      );
      return 0;
    } catch (err) {
      if (!(err instanceof ChannelSendError)) throw err;
      console.error(`duban notify test: sending to ${target} failed: ${err.message}`);
      return 1;
    }
  },
};
