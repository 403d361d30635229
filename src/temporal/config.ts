import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { type ClientConfigProfile, loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel, log } from '../telemetry/logger';
import { type PayloadKey, parsePayloadKeys } from './codec';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A whole number of at least `min`, unset (or empty) for the SDK's default. */
const slots = (min: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(min).max(1_000_000).optional(),
  );

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const schema = z.object({
  DUBAN_DATA_DIR: z.string().default('./data'),
  // Temporal's own environment configuration (@temporalio/envconfig reads these and the temporal.toml profile).
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_PROFILE: optionalString,
  TEMPORAL_CONFIG_FILE: optionalString,
  // duban's earlier names, read for one more release.
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('duban'),
  DUBAN_PAYLOAD_KEYS: optionalString,
  DUBAN_DEV_SERVER_PORT: port(7233),
  DUBAN_DEV_UI_PORT: port(8233),
  DUBAN_SERVER_LOSS_TIMEOUT_S: z.coerce.number().positive().default(60),
  DUBAN_WORKER_CACHE_SIZE: slots(0),
  DUBAN_WORKFLOW_TASK_SLOTS: slots(2),
  DUBAN_ACTIVITY_TASK_SLOTS: slots(1),
  DUBAN_LOCAL_ACTIVITY_SLOTS: slots(1),
  DUBAN_WORKFLOW_POLLERS: slots(2),
  DUBAN_LOG_LEVEL: z
    .string()
    .trim()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(LOG_LEVELS))
    .default('INFO'),
});

/** duban's earlier variable names and the standard ones that replace them. */
export const DEPRECATED_TEMPORAL_VARIABLES = {
  TEMPORAL_TLS_CERT_PATH: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  TEMPORAL_TLS_KEY_PATH: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  TEMPORAL_TLS_CA_PATH: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
} as const;

/** Connection and local-server settings, read once from the environment at start-up. */
export interface TemporalConfig {
  /** Data directory for the dev server's SQLite file, the outbox and the store. (Default: `./data`) */
  dataDir: string;
  /**
   * A real cluster's `host:port`, from TEMPORAL_ADDRESS or the temporal.toml profile; when unset duban starts the
   * embedded dev server. (Default: unset)
   */
  address: string | undefined;
  /** Where {@link TemporalConfig.address} came from, for messages. (Default: unset) */
  addressSource: string | undefined;
  /** Temporal namespace, from TEMPORAL_NAMESPACE or the profile. (Default: `default`) */
  namespace: string;
  /** Task queue the worker polls. (Default: `duban`) */
  taskQueue: string;
  /** TLS of the connection, certificates already read: `true` for TLS without client certificates. (Default: unset) */
  tls: TLSConfig | boolean | undefined;
  /** API key for Temporal Cloud; implies TLS. Never logged. (Default: unset) */
  apiKey: string | undefined;
  /** gRPC metadata sent with every call (the profile's `grpc_meta`, TEMPORAL_GRPC_META_*). (Default: none) */
  grpcMeta: Record<string, string> | undefined;
  /** Payload encryption keys, the first encrypts (DUBAN_PAYLOAD_KEYS); empty: payloads in plain text. (Default: []) */
  payloadKeys: PayloadKey[];
  /** gRPC port of the embedded dev server. (Default: 7233) */
  devServerPort: number;
  /** Web UI port of the embedded dev server. (Default: 8233) */
  devUiPort: number;
  /** Seconds a worker keeps retrying a lost server before it exits non-zero. (Default: 60) */
  serverLossTimeoutS: number;
  /** The worker's capacity; each unset one is the SDK's default (README, "Several workers"). */
  worker: WorkerTuning;
  /** Log level of duban and the Temporal SDK (DUBAN_LOG_LEVEL). (Default: `INFO`) */
  logLevel: LogLevel;
  /** One line each: deprecated variables, conflicting settings. Printed once by {@link loadTemporalConfig}. */
  warnings: string[];
}

/** Worker options set by the environment (SDK names); undefined: the SDK's default (the pollers always have duban's). */
export interface WorkerTuning {
  /** DUBAN_WORKER_CACHE_SIZE: workflows kept in memory between their tasks (0: none, every task replays). */
  maxCachedWorkflows?: number;
  /** DUBAN_WORKFLOW_TASK_SLOTS: workflow tasks run at once (at least 2: one for the sticky queue, one normal). */
  maxConcurrentWorkflowTaskExecutions?: number;
  /** DUBAN_ACTIVITY_TASK_SLOTS: activities run at once. */
  maxConcurrentActivityTaskExecutions?: number;
  /** DUBAN_LOCAL_ACTIVITY_SLOTS: local activities run at once (every notice is one: `deliverDue`). */
  maxConcurrentLocalActivityExecutions?: number;
  /**
   * DUBAN_WORKFLOW_POLLERS: at most this many workflow task polls at once, scaled between 1 and it by the backlog the
   * server reports (`autoscaling`). The SDK's own default is 10 fixed polls, 2 of them on the normal queue: every
   * new workflow's first task comes from there, so opening a plan waited on those two. (Default:
   * {@link WORKFLOW_POLLERS_DEFAULT})
   */
  workflowTaskPollerBehavior: { type: 'autoscaling'; maximum: number };
}

/** The most workflow task polls a worker makes at once, unless DUBAN_WORKFLOW_POLLERS says otherwise. */
export const WORKFLOW_POLLERS_DEFAULT = 20;

/** A configuration error names the variable; it is reported without a stack trace. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const printed = new Set<string>();
/** Each warning once per process: a command loads the configuration more than once. */
function warnOnce(line: string): void {
  if (printed.has(line)) return;
  printed.add(line);
  log().warn(line.replace(/^duban: /, ''));
}

type Env = z.infer<typeof schema>;

/**
 * The environment envconfig sees: the home folders, every non-empty TEMPORAL_* variable (an empty one counts as unset, as it always
 * did here), the trimmed values of those duban checks, and each deprecated name under its standard name.
 */
function envconfigEnv(env: NodeJS.ProcessEnv, e: Env, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  // Where envconfig looks for the default temporal.toml (~/.config/temporalio/temporal.toml).
  for (const name of ['HOME', 'XDG_CONFIG_HOME', 'APPDATA']) if (env[name]) out[name] = env[name];
  for (const [name, value] of Object.entries(env))
    if (name.startsWith('TEMPORAL_') && value !== undefined && value.trim() !== '') out[name] = value;
  for (const [name, value] of Object.entries(e))
    if (name.startsWith('TEMPORAL_') && typeof value === 'string') out[name] = value;
  for (const [old, standard] of Object.entries(DEPRECATED_TEMPORAL_VARIABLES)) {
    const oldValue = e[old as keyof typeof DEPRECATED_TEMPORAL_VARIABLES];
    delete out[old];
    if (oldValue === undefined) continue;
    const newValue = e[standard];
    if (newValue === undefined) {
      warnings.push(`duban: ${old} is deprecated and will be removed in the next release: use ${standard}`);
      out[standard] = oldValue;
    } else if (newValue !== oldValue) {
      warnings.push(`duban: both ${old} (deprecated) and ${standard} are set and differ: ${standard} is used`);
    } else {
      warnings.push(
        `duban: ${old} is deprecated and will be removed in the next release: unset it (${standard} is set)`,
      );
    }
  }
  return out;
}

/** The profile from the temporal.toml file (TEMPORAL_CONFIG_FILE, else the default location) and the environment. */
function loadProfile(e: Env, overrideEnvVars: Record<string, string>): ClientConfigProfile {
  // envconfig ignores a config file that does not exist; one named explicitly must.
  if (e.TEMPORAL_CONFIG_FILE && !existsSync(e.TEMPORAL_CONFIG_FILE))
    throw new ConfigError(`invalid configuration: TEMPORAL_CONFIG_FILE: no such file ${e.TEMPORAL_CONFIG_FILE}`);
  try {
    return loadClientConfigProfile({ overrideEnvVars });
  } catch (err) {
    const file = e.TEMPORAL_CONFIG_FILE ?? 'the default temporal.toml (~/.config/temporalio/temporal.toml)';
    const message = (err as Error).message.split('\n')[0];
    if (/^Profile '/.test(message ?? ''))
      throw new ConfigError(
        `invalid configuration: TEMPORAL_PROFILE: profile '${e.TEMPORAL_PROFILE}' is not in ${file}`,
      );
    throw new ConfigError(`invalid configuration: TEMPORAL_CONFIG_FILE: ${file}: ${message}`);
  }
}

/** Checks that every certificate file the profile names exists, naming the variable (or profile key) that named it. */
function checkTlsFiles(profile: ClientConfigProfile, env: Record<string, string>, deprecatedUsed: Set<string>): void {
  const tls = profile.tls;
  if (!tls) return;
  const files = [
    [tls.clientCert, 'TEMPORAL_TLS_CLIENT_CERT_PATH', 'client_cert_path'],
    [tls.clientKey, 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'client_key_path'],
    [tls.serverCACert, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'server_ca_cert_path'],
  ] as const;
  const name = (variable: string, key: string, file: string): string => {
    if (env[variable] !== file) return `the profile's tls.${key}`;
    const old = Object.entries(DEPRECATED_TEMPORAL_VARIABLES).find(([, s]) => s === variable)?.[0];
    return old && deprecatedUsed.has(old) ? old : variable;
  };
  for (const [source, variable, key] of files)
    if (source && 'path' in source && !existsSync(source.path))
      throw new ConfigError(`invalid configuration: ${name(variable, key, source.path)}: no such file ${source.path}`);
  if (Boolean(tls.clientCert) !== Boolean(tls.clientKey))
    throw new ConfigError(
      "invalid configuration: TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or the profile's " +
        'client cert and key) go together',
    );
}

/**
 * Validates the environment once; every problem is reported with its variable name. Connection settings follow
 * Temporal's environment configuration (@temporalio/envconfig: TEMPORAL_* variables over the temporal.toml
 * profile); duban's earlier TLS names still work with a warning. `warn` prints each warning.
 * (Default `warn`: once per process on stderr)
 */
export function loadTemporalConfig(
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = warnOnce,
): TemporalConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const warnings: string[] = [];
  const overrides = envconfigEnv(env, e, warnings);
  const deprecatedUsed = new Set(
    Object.keys(DEPRECATED_TEMPORAL_VARIABLES).filter((old) => e[old as keyof Env] !== undefined),
  );
  const profile = loadProfile(e, overrides);
  checkTlsFiles(profile, overrides, deprecatedUsed);
  const address = profile.address?.trim() || undefined;
  if (((profile.tls && profile.tls.disabled !== true) || profile.apiKey) && !address)
    throw new ConfigError(
      'invalid configuration: TLS or TEMPORAL_API_KEY needs TEMPORAL_ADDRESS (or a profile address: a real cluster)',
    );
  let payloadKeys: PayloadKey[] = [];
  try {
    payloadKeys = e.DUBAN_PAYLOAD_KEYS ? parsePayloadKeys(e.DUBAN_PAYLOAD_KEYS) : [];
  } catch (err) {
    throw new ConfigError(`invalid configuration: DUBAN_PAYLOAD_KEYS: ${(err as Error).message}`);
  }
  const connect = toClientOptions(profile);
  for (const line of warnings) warn(line);
  return {
    dataDir: path.resolve(e.DUBAN_DATA_DIR),
    address,
    addressSource: !address
      ? undefined
      : e.TEMPORAL_ADDRESS
        ? 'TEMPORAL_ADDRESS'
        : `profile '${e.TEMPORAL_PROFILE ?? 'default'}' of ${e.TEMPORAL_CONFIG_FILE ?? 'temporal.toml'}`,
    namespace: profile.namespace?.trim() || 'default',
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    tls: connect.connectionOptions.tls ?? undefined,
    apiKey: profile.apiKey,
    grpcMeta: profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? profile.grpcMeta : undefined,
    payloadKeys,
    devServerPort: e.DUBAN_DEV_SERVER_PORT,
    devUiPort: e.DUBAN_DEV_UI_PORT,
    serverLossTimeoutS: e.DUBAN_SERVER_LOSS_TIMEOUT_S,
    worker: {
      maxCachedWorkflows: e.DUBAN_WORKER_CACHE_SIZE,
      maxConcurrentWorkflowTaskExecutions: e.DUBAN_WORKFLOW_TASK_SLOTS,
      maxConcurrentActivityTaskExecutions: e.DUBAN_ACTIVITY_TASK_SLOTS,
      maxConcurrentLocalActivityExecutions: e.DUBAN_LOCAL_ACTIVITY_SLOTS,
      workflowTaskPollerBehavior: {
        type: 'autoscaling',
        maximum: e.DUBAN_WORKFLOW_POLLERS ?? WORKFLOW_POLLERS_DEFAULT,
      },
    },
    logLevel: e.DUBAN_LOG_LEVEL,
    warnings,
  };
}
