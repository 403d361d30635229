import { quoted } from '../../service';
import { loadHttpConfig } from '../../http/config';
import { startDashboard } from '../../http/dashboard';
import type { Store } from '../../store';
import { payloadCodec } from '../../temporal/codec';
import type { TemporalConfig } from '../../temporal/config';
import { createClient } from '../../temporal/connection';
import { type Logger, configureLog } from '../../telemetry/logger';
import { type MetricsServer, loadMetricsAddress, startMetricsServer, watchOutbox } from '../../telemetry/metrics';
import {
  HealthChecks,
  type HealthServer,
  loadHealthConfig,
  startHealthServer,
  storeCheck,
  temporalCheck,
} from '../../temporal/health';
import { type Command, UsageError } from '../command';
import {
  FLAGS,
  PLAN_FLAGS,
  configOrUsage,
  connectOrUsage,
  loadPlan,
  temporalConfig,
  temporalUiUrl,
  withStore,
  type LoadedPlan,
} from '../kit';

/**
 * The dashboard as part of the main job (`duban start`), on the worker's store. A dashboard that cannot start (port
 * in use) is reported and left out: the worker and its reminders matter more. Returns what stops it.
 */
export async function dashboardForMainJob(options: {
  loaded: LoadedPlan;
  /** The plan runs as a rehearsal: every page says so. (Default: false) */
  rehearsal?: boolean;
  config: TemporalConfig;
  store: Store;
  uiUrl?: string;
  logger: Logger;
  /** The main job's checks, for `/readyz`. (Default: none) */
  readiness?: HealthChecks;
  /** True once the main job is stopping: a dashboard not yet listening is not started. (Default: never) */
  stopping?: () => boolean;
}): Promise<() => Promise<void>> {
  if (process.env.DUBAN_DASHBOARD === '0') return async () => undefined;
  options.logger.info('starting the dashboard…');
  const client = await createClient(options.config);
  if (options.stopping?.()) {
    await client.connection.close().catch(() => undefined);
    return async () => undefined;
  }
  try {
    const dashboard = await startDashboard({
      client,
      store: options.store,
      ...options.loaded,
      rehearsal: options.rehearsal,
      namespace: options.config.namespace,
      taskQueue: options.config.taskQueue,
      uiBaseUrl: options.uiUrl ?? temporalUiUrl(options.config),
      logger: options.logger,
      readiness: options.readiness,
      codec: payloadCodec(options.config.payloadKeys),
    });
    return async () => {
      await dashboard.close();
      await client.connection.close().catch(() => undefined);
    };
  } catch (err) {
    options.logger.error(`the dashboard did not start: ${(err as Error).message}`);
    await client.connection.close().catch(() => undefined);
    return async () => undefined;
  }
}

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'serve the HTTP API and dashboard of a running plan (lights, unit pages, incidents, requests)',
  description: [
    'Serves the dashboard and the JSON API (/api/…) of a plan whose workflows run on the configured Temporal',
    'server (start them with `duban start` or `duban start --plan FILE`). Pages are in Chinese.',
    '',
    'Access (validated at start; tokens are never printed):',
    "  DUBAN_OPERATOR_TOKEN    operators' token, at least 16 characters (default: a random one kept in",
    '                          $DUBAN_DATA_DIR/operator-token, mode 0600)',
    "  DUBAN_UNIT_TOKENS       unit officers' tokens: fj-czt=token1,fj-fuzhou=token2",
    '  DUBAN_UNIT_TOKENS_FILE  the same, one unit-code=token a line (# comments)',
    'Send `Authorization: Bearer TOKEN`, or log in at /login (HttpOnly cookie). An officer sees and changes only',
    "that unit's obligations, incidents and requests. Every change is written to the store's audit log.",
  ],
  longRunning: true,
  flags: [
    {
      name: 'port',
      type: 'string',
      value: 'N',
      help: 'port; host: $DUBAN_HTTP_HOST (default 127.0.0.1)',
      default: '$DUBAN_HTTP_PORT, else 8080',
    },
    ...PLAN_FLAGS,
    FLAGS.policy,
    FLAGS.scoring,
  ],
  async run({ values }) {
    let port: number | undefined;
    if (typeof values.port === 'string') {
      port = Number(values.port);
      if (!/^\d+$/.test(values.port) || port > 65535)
        throw new UsageError(`--port: ${quoted(values.port)} is not a port`);
    }
    const config = temporalConfig();
    const logger = configOrUsage(() => configureLog());
    const loaded = await loadPlan(values);
    // Access settings are checked before any connection, so a typo is reported first and by its variable.
    configOrUsage(() => loadHttpConfig(loaded.directory));
    // The dashboard serves /healthz and /readyz itself; a separate health server only when DUBAN_HEALTH_ADDRESS asks.
    const health = configOrUsage(() => loadHealthConfig(true));
    const metricsAddress = configOrUsage(() => loadMetricsAddress());
    return withStore(async (store) => {
      const client = await connectOrUsage(config);
      const readiness = new HealthChecks()
        .add(
          'temporal',
          temporalCheck(() => client.connection, config.namespace),
        )
        .add('store', storeCheck(store));
      let healthServer: HealthServer | undefined;
      let metrics: MetricsServer | undefined;
      try {
        let dashboard;
        try {
          dashboard = await startDashboard({
            client,
            store,
            ...loaded,
            namespace: config.namespace,
            taskQueue: config.taskQueue,
            uiBaseUrl: temporalUiUrl(config),
            port,
            readiness,
            codec: payloadCodec(config.payloadKeys),
            logger,
          });
          if (health.address) healthServer = await startHealthServer(health.address, readiness);
          if (metricsAddress) {
            watchOutbox(store);
            metrics = await startMetricsServer(metricsAddress);
            logger.info(`metrics at ${metrics.url}`);
          }
        } catch (err) {
          await dashboard?.close();
          await healthServer?.close();
          if ((err as Error).name === 'ConfigError') throw new UsageError((err as Error).message);
          if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
            throw new UsageError(
              `${!dashboard ? 'the HTTP port (DUBAN_HTTP_PORT or --port)' : healthServer || !health.address ? 'the metrics port (DUBAN_METRICS_ADDRESS)' : 'the health port (DUBAN_HEALTH_ADDRESS)'} is in use: ${(err as Error).message}`,
              1,
            );
          throw err;
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        logger.info('stopping the dashboard…');
        await healthServer?.close();
        await metrics?.close();
        await dashboard.close();
        return 0;
      } finally {
        await client.connection.close().catch(() => undefined);
      }
    });
  },
};
