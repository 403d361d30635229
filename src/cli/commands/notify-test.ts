import crypto from 'node:crypto';
import { mailConfigFromEnv } from '../../mail/config';
import { MailInputError, assertAddress } from '../../mail/errors';
import { createMailer } from '../../mail/transport';
import { type Command, UsageError } from '../command';
import { FLAGS, printResult } from '../kit';

/** `duban notify test --to ADDRESS`: proves the mail configuration end to end. */
export const notifyTestCommand: Command = {
  path: ['notify', 'test'],
  summary: 'send one test message through the configured mail transport',
  description: [
    "Sends one test message through the configured transport and prints the server's answer (or, with no",
    'SMTP_URL, the path of the .eml file written under DUBAN_DATA_DIR/outbox/).',
    '',
    'Environment:',
    '  SMTP_URL           smtps://user:pass@host:465 or smtp://host:587 (STARTTLS required); unset: .eml files',
    '  MAIL_FROM          From header (default: duban 督办 <duban@localhost>)',
    '  SMTP_TLS_INSECURE  1: allow plain/self-signed TLS, only for a loopback host off ports 465/587 (test servers)',
  ],
  flags: [{ name: 'to', type: 'string', value: 'ADDRESS', help: 'where to send it', required: true }, FLAGS.json],
  async run({ values }) {
    const to = String(values.to);
    try {
      assertAddress(to, '--to');
    } catch (err) {
      if (err instanceof MailInputError) throw new UsageError(err.message);
      throw err;
    }
    const config = mailConfigFromEnv();
    const mailer = createMailer(config.transport, config.from);
    const sentAt = new Date().toISOString();
    try {
      const result = await mailer.send({
        to: { name: '', address: to },
        subject: '【督办】邮件测试 / duban test message',
        text: `这是一封来自 duban 督办系统的测试邮件，发送时间 ${sentAt}。\nThis is a test message from duban, sent at ${sentAt}.\n`,
        html: `<p>这是一封来自 duban 督办系统的测试邮件，发送时间 ${sentAt}。</p><p>This is a test message from duban, sent at ${sentAt}.</p>`,
        messageId: `<test-${crypto.randomUUID()}@duban.invalid>`,
      });
      printResult(
        values,
        { transport: mailer.target, file: result.file ?? null, response: result.response ?? null },
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
  },
};
