import fs from 'node:fs';
import { loadHttpConfig } from '../../http/config';
import { startDashboard } from '../../http/dashboard';
import { openStore, storeConfigFromEnv, type Store } from '../../store';
import { loadTemporalConfig, type TemporalConfig } from '../../temporal/config';
import { createClient } from '../../temporal/connection';
import { type Command, UsageError } from '../command';
import { loadPlanForCommand } from '../plan-loader';

/** The Web UI base for workflow links: DUBAN_TEMPORAL_UI_URL, else the embedded dev server's. (Default: unset on a cluster) */
export function temporalUiUrl(config: TemporalConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DUBAN_TEMPORAL_UI_URL) return env.DUBAN_TEMPORAL_UI_URL;
  return config.address ? undefined : `http://127.0.0.1:${config.devUiPort}`;
}

/** A configuration error (it names the variable) is a user error: printed without a stack, exit 2. */
function configOrUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if ((err as Error).name === 'ConfigError') throw new UsageError((err as Error).message);
    throw err;
  }
}

async function configOrUsageAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as Error).name === 'ConfigError') throw new UsageError((err as Error).message);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UsageError(`the HTTP port is in use (DUBAN_HTTP_PORT or --port): ${(err as Error).message}`, 1);
    throw err;
  }
}

/** `--plan` is a table file, or the ID of the bundled plan (the only one `serve` can load without a file). */
function loadPlan(values: Record<string, unknown>) {
  const planArg = values.plan as string | undefined;
  if (planArg === undefined || fs.existsSync(planArg)) return loadPlanForCommand(values);
  const loaded = loadPlanForCommand({ ...values, plan: undefined });
  if (loaded.plan.id !== planArg)
    throw new UsageError(`--plan: '${planArg}' is neither a file nor the bundled plan's ID (${loaded.plan.id})`);
  return loaded;
}

/**
 * The dashboard as part of the main job (`duban start`), on the worker's store. A dashboard that cannot start (port
 * in use) is reported and left out: the worker and its reminders matter more. Returns what stops it.
 */
export async function dashboardForMainJob(options: {
  values: Record<string, unknown>;
  config: TemporalConfig;
  store: Store;
  uiUrl?: string;
  log: (line: string) => void;
}): Promise<() => Promise<void>> {
  if (process.env.DUBAN_DASHBOARD === '0') return async () => undefined;
  const { plan, directory, policy } = loadPlanForCommand(options.values);
  const client = await createClient(options.config);
  try {
    const dashboard = await startDashboard({
      client,
      store: options.store,
      plan,
      directory,
      policy,
      namespace: options.config.namespace,
      uiBaseUrl: options.uiUrl ?? temporalUiUrl(options.config),
      log: options.log,
    });
    return async () => {
      await dashboard.close();
      await client.connection.close().catch(() => undefined);
    };
  } catch (err) {
    options.log(`duban: the dashboard did not start: ${(err as Error).message}`);
    await client.connection.close().catch(() => undefined);
    return async () => undefined;
  }
}

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'serve the HTTP API and dashboard of a running plan (traffic lights, unit pages, fulfilment form)',
  usage: [
    'Usage: duban serve [--port N] [--plan ID|FILE] [--directory FILE] [--policy FILE]',
    '',
    'Serves the dashboard and the JSON API (/api/…) of a plan whose workflows run on the configured Temporal',
    'server (start them with `duban start` or `duban start --plan FILE`). Pages are in Chinese.',
    '',
    'Access (validated at start; tokens are never printed):',
    "  DUBAN_OPERATOR_TOKEN    operators' token, at least 16 characters (default: a random one kept in",
    '                          $DUBAN_DATA_DIR/operator-token, mode 0600)',
    "  DUBAN_UNIT_TOKENS       unit officers' tokens: fj-czt=token1,fj-fuzhou=token2",
    '  DUBAN_UNIT_TOKENS_FILE  the same, one unit-code=token a line (# comments)',
    'Send `Authorization: Bearer TOKEN`, or log in at /login (HttpOnly cookie). An officer sees and changes only',
    "that unit's obligations. Every change is written to the store's audit log.",
    '',
    'Options:',
    '  --port N          port (default: $DUBAN_HTTP_PORT, else 8080); host: $DUBAN_HTTP_HOST (default 127.0.0.1)',
    '  --plan ID|FILE    the plan (default: the bundled examples/fujian-2017/tasks.txt)',
    '  --directory FILE  unit directory (default: $DUBAN_DIRECTORY or the bundled one)',
    "  --policy FILE     policy overrides as JSON, for the lights' reminder window (default: the design's)",
  ].join('\n'),
  options: {
    port: { type: 'string' },
    plan: { type: 'string' },
    directory: { type: 'string' },
    policy: { type: 'string' },
  },
  async run({ values }) {
    let port: number | undefined;
    if (typeof values.port === 'string') {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port: '${values.port}' is not a port`);
    }
    const config = configOrUsage(() => loadTemporalConfig());
    const { plan, directory, policy } = loadPlan(values);
    // Access settings are checked before any connection, so a typo is reported first and by its variable.
    configOrUsage(() => loadHttpConfig(directory));
    const store = await openStore(storeConfigFromEnv());
    let client;
    try {
      client = await createClient(config);
    } catch (err) {
      await store.close();
      throw new UsageError(`cannot reach the Temporal server: ${(err as Error).message}`, 1);
    }
    try {
      const dashboard = await configOrUsageAsync(() =>
        startDashboard({
          client,
          store,
          plan,
          directory,
          policy,
          namespace: config.namespace,
          uiBaseUrl: temporalUiUrl(config),
          port,
        }),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      console.error('duban: stopping the dashboard…');
      await dashboard.close();
      return 0;
    } finally {
      await client.connection.close().catch(() => undefined);
      await store.close();
    }
  },
};
