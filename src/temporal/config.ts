import path from 'node:path';
import { z } from 'zod';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const schema = z.object({
  DUBAN_DATA_DIR: z.string().default('./data'),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('duban'),
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_API_KEY: optionalString,
  DUBAN_DEV_SERVER_PORT: port(7233),
  DUBAN_DEV_UI_PORT: port(8233),
  DUBAN_SERVER_LOSS_TIMEOUT_S: z.coerce.number().positive().default(60),
  DUBAN_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
});

/** Connection and local-server settings, read once from the environment at start-up. */
export interface TemporalConfig {
  /** Data directory for the dev server's SQLite file, the outbox and the store. (Default: `./data`) */
  dataDir: string;
  /** A real cluster's `host:port`; when unset duban starts the embedded dev server. (Default: unset) */
  address: string | undefined;
  /** Temporal namespace. (Default: `default`) */
  namespace: string;
  /** Task queue the worker polls. (Default: `duban`) */
  taskQueue: string;
  /** mTLS client certificate and key files, for a real cluster. (Default: unset) */
  tls: { certPath: string; keyPath: string; caPath?: string; serverName?: string } | undefined;
  /** API key for Temporal Cloud; implies TLS. Never logged. (Default: unset) */
  apiKey: string | undefined;
  /** gRPC port of the embedded dev server. (Default: 7233) */
  devServerPort: number;
  /** Web UI port of the embedded dev server. (Default: 8233) */
  devUiPort: number;
  /** Seconds a worker keeps retrying a lost server before it exits non-zero. (Default: 60) */
  serverLossTimeoutS: number;
  /** Temporal SDK log level. (Default: `WARN`) */
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/** A configuration error names the variable; it is reported without a stack trace. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment once; every problem is reported with its variable name. */
export function loadTemporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (Boolean(e.TEMPORAL_TLS_CERT_PATH) !== Boolean(e.TEMPORAL_TLS_KEY_PATH)) {
    throw new ConfigError('invalid configuration: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  if ((e.TEMPORAL_TLS_CERT_PATH || e.TEMPORAL_API_KEY) && !e.TEMPORAL_ADDRESS) {
    throw new ConfigError('invalid configuration: TLS or TEMPORAL_API_KEY needs TEMPORAL_ADDRESS (a real cluster)');
  }
  return {
    dataDir: path.resolve(e.DUBAN_DATA_DIR),
    address: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    tls:
      e.TEMPORAL_TLS_CERT_PATH && e.TEMPORAL_TLS_KEY_PATH
        ? {
            certPath: e.TEMPORAL_TLS_CERT_PATH,
            keyPath: e.TEMPORAL_TLS_KEY_PATH,
            caPath: e.TEMPORAL_TLS_CA_PATH,
            serverName: e.TEMPORAL_TLS_SERVER_NAME,
          }
        : undefined,
    apiKey: e.TEMPORAL_API_KEY,
    devServerPort: e.DUBAN_DEV_SERVER_PORT,
    devUiPort: e.DUBAN_DEV_UI_PORT,
    serverLossTimeoutS: e.DUBAN_SERVER_LOSS_TIMEOUT_S,
    logLevel: e.DUBAN_LOG_LEVEL,
  };
}
