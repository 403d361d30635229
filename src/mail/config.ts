/** Mail configuration from the environment, validated once at start-up. */
import path from 'node:path';
import { z } from 'zod';
import { assertHeaderSafe } from './errors';

/** How messages leave duban. */
export type MailTransportConfig =
  | {
      kind: 'smtp';
      /** SMTP_URL, e.g. `smtps://user:pass@smtp.example.org:465` or `smtp://host:587` (STARTTLS required). */
      url: string;
      /**
       * SMTP_TLS_INSECURE=1: allow a plain or self-signed connection, honoured only for a loopback host on a
       * port other than 465/587 (a local test server). (Default: false)
       */
      insecureLoopback: boolean;
    }
  | {
      kind: 'eml';
      /** Directory the `.eml` files are written to. (Default: `${DUBAN_DATA_DIR}/outbox`) */
      dir: string;
    };

export interface MailConfig {
  transport: MailTransportConfig;
  /** MAIL_FROM, the From header. (Default: `duban 督办 <duban@localhost>`) */
  from: string;
  /** DUBAN_PUBLIC_URL, base of dashboard links in messages. (Default: `http://localhost:8080`) */
  publicUrl: string;
  /** DUBAN_DIGEST_GRACE_MS, how long a queued notice waits for others of the same instant. (Default: 2000) */
  digestGraceMs: number;
  /** DUBAN_OUTBOX_CONCURRENCY, digests one worker's dispatcher sends at once. (Default: 4) */
  outboxConcurrency: number;
}

/** The From header when MAIL_FROM is not set. */
export const DEFAULT_FROM = 'duban 督办 <duban@localhost>';
/** Dashboard base URL when DUBAN_PUBLIC_URL is not set. */
export const DEFAULT_PUBLIC_URL = 'http://localhost:8080';

const env = z.object({
  SMTP_URL: z
    .string()
    .trim()
    .optional()
    .refine(
      (v) => !v || /^smtps?:\/\/[^/]+/.test(v),
      'SMTP_URL must look like smtps://user:pass@host:465 or smtp://host:587',
    ),
  SMTP_TLS_INSECURE: z.enum(['', '0', '1', 'true', 'false']).optional(),
  MAIL_FROM: z.string().optional(),
  DUBAN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DUBAN_DIGEST_GRACE_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  DUBAN_OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  DUBAN_DATA_DIR: z.string().optional(),
});

/** Reads the mail configuration; errors name the variable and never echo SMTP_URL (it may hold a password). */
export function mailConfigFromEnv(source: NodeJS.ProcessEnv = process.env): MailConfig {
  const parsed = env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid mail configuration: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  const from = e.MAIL_FROM?.trim() || DEFAULT_FROM;
  assertHeaderSafe(from, 'MAIL_FROM');
  return {
    transport: e.SMTP_URL
      ? {
          kind: 'smtp',
          url: e.SMTP_URL,
          insecureLoopback: e.SMTP_TLS_INSECURE === '1' || e.SMTP_TLS_INSECURE === 'true',
        }
      : { kind: 'eml', dir: path.join(e.DUBAN_DATA_DIR || './data', 'outbox') },
    from,
    publicUrl: (e.DUBAN_PUBLIC_URL ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, ''),
    digestGraceMs: e.DUBAN_DIGEST_GRACE_MS ?? 2000,
    outboxConcurrency: e.DUBAN_OUTBOX_CONCURRENCY ?? 4,
  };
}
