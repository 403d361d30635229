/**
 * duban's one logger (pino): JSON lines with time, level, message and context for machines, or readable lines for a
 * terminal, on stderr (stdout stays for `--json` and tables). The Temporal SDK logs through it too
 * ({@link sdkLogger}), at the same level. Lines carry keys and codes, never secrets or mail addresses; the last step
 * before a line is written scrubs credentials in URLs and anything shaped like a mail address all the same.
 */
import { DateTime } from 'luxon';
import pino from 'pino';
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { z } from 'zod';

/** The logging surface duban's code writes to: a message and fields (keys and codes only). */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A {@link Logger} that also logs debug lines and makes children with more context. */
export interface DubanLogger extends Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  trace(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line also carries `bindings` (e.g. `{ component: 'http' }`). */
  child(bindings: Record<string, unknown>): DubanLogger;
  /** Whether lines at `level` are written. */
  enabled(level: LogLevel): boolean;
  /** How lines are written: a progress bar belongs on a terminal's readable lines only. */
  readonly format: LogFormat;
}

/** The levels of DUBAN_LOG_LEVEL, the SDK's names. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `json`: one JSON object per line; `pretty`: `HH:mm:ss.SSS LEVEL [label] message  key=value` (Asia/Shanghai). */
export type LogFormat = 'json' | 'pretty';

/** What a logger is made from. */
export interface LogOptions {
  /** Lines below it are dropped. (Default: INFO) */
  level?: LogLevel;
  /** (Default: pretty when `stream` is a terminal, else json) */
  format?: LogFormat;
  /** Where lines go. (Default: process.stderr) */
  stream?: { write(line: string): unknown; isTTY?: boolean };
  /** Fields on every line, e.g. the rehearsal label. (Default: none) */
  bindings?: Record<string, unknown>;
  /** Colour the level and label in pretty lines. (Default: a terminal stream without NO_COLOR) */
  color?: boolean;
}

const envSchema = z.object({
  DUBAN_LOG_LEVEL: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(LOG_LEVELS))
    .optional(),
  DUBAN_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

/**
 * DUBAN_LOG_LEVEL (TRACE, DEBUG, INFO, WARN, ERROR, any case) and DUBAN_LOG_FORMAT (json, pretty) from the
 * environment; an invalid value throws naming the variable. (Default: INFO; the format follows the stream)
 */
export function logConfigFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<LogOptions, 'level' | 'format'> {
  const parsed = envSchema.safeParse({
    DUBAN_LOG_LEVEL: env.DUBAN_LOG_LEVEL || undefined,
    DUBAN_LOG_FORMAT: env.DUBAN_LOG_FORMAT || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const allowed = name === 'DUBAN_LOG_LEVEL' ? LOG_LEVELS.join(', ') : 'json, pretty';
    throw new Error(`${name}: ${JSON.stringify(env[name])} is not one of ${allowed}`);
  }
  return { level: parsed.data.DUBAN_LOG_LEVEL ?? 'INFO', format: parsed.data.DUBAN_LOG_FORMAT };
}

// The password of `scheme://user:password@` in a URL, and anything shaped like a mail address.
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:"]*):[^\s/@"]+@/gi;
const MAIL_ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** A line with URL credentials and mail addresses replaced: the last guard before anything is written. */
export function scrub(line: string): string {
  return line.replace(URL_CREDENTIALS, '$1:…@').replace(MAIL_ADDRESS, '<address>');
}

const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

const LEVEL_COLOUR: Record<string, number> = { trace: 90, debug: 90, info: 36, warn: 33, error: 31, fatal: 31 };

/** One JSON line as a terminal reads it: time, level, the label, the message, then the other fields. */
export function prettyLine(json: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, label, ...fields } = entry;
  const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  // Wall time where duban's users are, as every other time duban prints.
  const clock =
    typeof time === 'string' ? DateTime.fromISO(time, { zone: 'Asia/Shanghai' }).toFormat('HH:mm:ss.SSS') : '';
  const levelText = String(level ?? '').toUpperCase();
  const parts = [
    paint(90, clock),
    paint(LEVEL_COLOUR[String(level)] ?? 0, levelText.padEnd(5)),
    ...(label ? [paint(35, `[${String(label)}]`)] : []),
    String(msg ?? ''),
  ];
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${parts.join(' ')}${rest.length ? `  ${paint(90, rest.join(' '))}` : ''}\n`;
}

function wrap(logger: pino.Logger, format: LogFormat): DubanLogger {
  const at =
    (level: pino.Level) =>
    (message: string, fields?: Record<string, unknown>): void =>
      fields && Object.keys(fields).length ? logger[level](fields, message) : logger[level](message);
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => wrap(logger.child(bindings), format),
    enabled: (level) => logger.isLevelEnabled(PINO_LEVEL[level]),
    format,
  };
}

/** A new logger; see {@link LogOptions} for the defaults. */
export function createLogger(options: LogOptions = {}): DubanLogger {
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? (stream.isTTY ? 'pretty' : 'json');
  const color = options.color ?? (stream.isTTY === true && !process.env.NO_COLOR);
  const destination: pino.DestinationStream = {
    write: (line: string) => {
      const clean = scrub(line);
      stream.write(format === 'pretty' ? prettyLine(clean, color) : clean);
    },
  };
  const logger = pino(
    {
      level: PINO_LEVEL[options.level ?? 'INFO'],
      base: options.bindings ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Belt and braces: fields that could hold a secret never reach the line under these names.
      redact: {
        paths: ['password', 'pass', 'token', 'apiKey', 'authorization', 'cookie', 'smtpUrl', 'databaseUrl'],
        censor: '[redacted]',
      },
    },
    destination,
  );
  return wrap(logger, format);
}

let root: DubanLogger | undefined;

/**
 * The process's logger, made from the environment on first use (DUBAN_LOG_LEVEL, DUBAN_LOG_FORMAT; an invalid value
 * falls back to the defaults here: commands validate it at start with {@link logConfigFromEnv}).
 */
export function log(): DubanLogger {
  if (!root) {
    let config: Pick<LogOptions, 'level' | 'format'> = {};
    try {
      config = logConfigFromEnv();
    } catch {
      // Reported by the command that reads the configuration; a log line must not throw.
    }
    root = createLogger(config);
  }
  return root;
}

/** Replaces the process's logger, e.g. with the rehearsal label on every line. (Default options: the environment's) */
export function configureLog(options: LogOptions = {}): DubanLogger {
  root = createLogger({ ...logConfigFromEnv(), ...options });
  return root;
}

/** A logger of the process that forwards to {@link log} as it is when each line is written. */
export const processLogger: Logger = {
  info: (message, fields) => log().info(message, fields),
  warn: (message, fields) => log().warn(message, fields),
  error: (message, fields) => log().error(message, fields),
};

const SDK_LEVEL: Record<SdkLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's logger (for `Runtime.install({ logger })`) writing through duban's: the same format and context,
 * with `sdk: true`, lines below `minimum` dropped (as well as below duban's level). Metadata keys stay as the SDK names
 * them (`sdkComponent`, `workflowId`, …). (Default: duban's logger, every level)
 */
export function sdkLogger(logger: () => DubanLogger = log, minimum: LogLevel = 'TRACE'): SdkLogger {
  const floor = LOG_LEVELS.indexOf(minimum);
  const write = (level: SdkLogLevel, message: string, meta?: LogMetadata) => {
    if (LOG_LEVELS.indexOf(level) >= floor) logger()[SDK_LEVEL[level]](message, { sdk: true, ...meta });
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/** A logger that writes nothing: for callers that report in their own words (and tests). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
