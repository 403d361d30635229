/** Where rendered messages go: an SMTP server (SMTP_URL) or `.eml` files in the outbox directory. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { MailTransportConfig } from './config';
import { MailInputError, assertAddress, assertHeaderSafe } from './errors';

/** One rendered message to one recipient. */
export interface OutgoingMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** `<id@domain>`; deterministic per digest so a duplicate after a crash can be recognised. */
  messageId: string;
}

/** What the transport reports back. */
export interface SendResult {
  messageId: string;
  /** The SMTP server's final answer, or where the `.eml` file was written. */
  response: string;
  /** The `.eml` file, for the file transport. */
  file?: string;
}

/** A mail transport. */
export interface Mailer {
  readonly kind: 'smtp' | 'eml';
  /** The From header every message carries. */
  readonly from: string;
  /** Where messages go, without credentials (for logs and `duban notify test`). */
  readonly target: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

/** Submission ports, where a client must never talk without TLS. */
const SUBMISSION_PORTS = new Set([465, 587]);

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  return bare === '::1';
}

/**
 * Turns SMTP_URL into nodemailer options. TLS is always required — implicit (`smtps://`, port 465) or
 * STARTTLS (`requireTLS`) — with TLS 1.2 or later and certificate checks on. The one exception is a
 * test server: SMTP_TLS_INSECURE=1 AND a loopback host AND a port other than 465/587; only then may the
 * session stay plain. Anything else asking for insecure is a configuration error, not a silent downgrade.
 */
export function smtpOptions(url: string, insecureLoopback = false): SMTPTransportOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('SMTP_URL is not a valid URL');
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new Error('SMTP_URL must use smtp:// or smtps://');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const implicitTls = u.protocol === 'smtps:';
  const port = u.port ? Number(u.port) : implicitTls ? 465 : 587;
  const secure = implicitTls || port === 465;
  if (insecureLoopback && (!isLoopback(host) || SUBMISSION_PORTS.has(port))) {
    throw new Error('SMTP_TLS_INSECURE is honoured only for a loopback SMTP host on a port other than 465 or 587');
  }
  const plainAllowed = insecureLoopback && !secure;
  return {
    host,
    port,
    secure,
    requireTLS: !secure && !plainAllowed,
    tls: {
      minVersion: 'TLSv1.2',
      rejectUnauthorized: !insecureLoopback,
      servername: net.isIP(host) ? undefined : host,
    },
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    disableFileAccess: true,
    disableUrlAccess: true,
    // Bounded so a send always ends well inside the dispatcher's lease.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
}

function checkMail(mail: OutgoingMail, from: string): void {
  assertHeaderSafe(from, 'MAIL_FROM');
  assertHeaderSafe(mail.to.name, 'recipient name');
  assertAddress(mail.to.address, 'recipient address');
  assertHeaderSafe(mail.subject, 'subject');
  assertHeaderSafe(mail.messageId, 'Message-ID');
}

function message(mail: OutgoingMail, from: string) {
  return {
    from,
    to: { name: mail.to.name, address: mail.to.address },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
  };
}

/** Sends through SMTP. */
export function smtpMailer(url: string, from: string, insecureLoopback = false): Mailer {
  const options = smtpOptions(url, insecureLoopback);
  const transport = nodemailer.createTransport(options);
  return {
    kind: 'smtp',
    from,
    target: `smtp${options.secure ? 's' : ''}://${options.host}:${options.port}`,
    async send(mail) {
      checkMail(mail, from);
      const info = await transport.sendMail(message(mail, from));
      return { messageId: info.messageId, response: info.response };
    },
    close: () => transport.close(),
  };
}

/** Writes each message as an `.eml` file under `dir`, so a newcomer can open what would have been sent. */
export function emlMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    kind: 'eml',
    from,
    target: path.resolve(dir),
    async send(mail) {
      checkMail(mail, from);
      const info = await transport.sendMail(message(mail, from));
      const body = info.message;
      if (!Buffer.isBuffer(body)) throw new Error('stream transport did not buffer the message');
      fs.mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
      const id = crypto.createHash('sha256').update(mail.messageId).digest('hex').slice(0, 12);
      const file = path.resolve(dir, `${stamp}-${id}.eml`);
      // Written aside and renamed, so whoever watches the directory never opens half a message.
      const partial = `${file}.partial`;
      try {
        fs.writeFileSync(partial, body);
        fs.renameSync(partial, file);
      } catch (err) {
        // A full disk leaves half a message: never let the retries pile them up.
        fs.rmSync(partial, { force: true });
        throw err;
      }
      return { messageId: info.messageId, response: `written to ${file}`, file };
    },
    close: () => undefined,
  };
}

/** The configured mailer. */
export function createMailer(config: MailTransportConfig, from: string): Mailer {
  return config.kind === 'smtp' ? smtpMailer(config.url, from, config.insecureLoopback) : emlMailer(config.dir, from);
}

/** How a failed send should be treated. */
export type SendFailure = 'transient' | 'undeliverable' | 'failed';

/**
 * Classifies a send error. A permanent (5xx) reply to RCPT TO means the address is refused: undeliverable.
 * A permanent reply to DATA means this message is refused: failed. Everything else — 4xx, connection
 * refused, timeouts, TLS and authentication trouble — may pass later or after an operator fixes the
 * configuration, so it is retried and nothing is lost.
 */
export function classifySendError(err: unknown): SendFailure {
  // Our own refusal (header injection, bad address) will refuse again on every retry.
  if (err instanceof MailInputError) return 'failed';
  const e = err as NodemailerError;
  const permanent =
    e.permanent ?? (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode !== 503);
  if (e.code === 'EENVELOPE' && permanent)
    return /^RCPT/i.test(e.command ?? '') || (e.rejected?.length ?? 0) > 0 ? 'undeliverable' : 'transient';
  if (permanent && /^(DATA|BDAT)|^\.$/i.test(e.command ?? '')) return 'failed';
  if (e.code === 'EMESSAGE' || e.code === 'EFILEACCESS' || e.code === 'EURLACCESS') return 'failed';
  return 'transient';
}

/** A one-line description of a send error for the store (codes and the server's reply, no credentials). */
export function describeSendError(err: unknown): string {
  const e = err as NodemailerError;
  const text = e.response ?? e.message;
  // A file-system error's message already starts with its code (`ENOSPC: no space left on device, open …`).
  const code = e.code && text?.startsWith(`${e.code}:`) ? undefined : e.code;
  return [code, e.command, text].filter(Boolean).join(' ').slice(0, 500);
}
