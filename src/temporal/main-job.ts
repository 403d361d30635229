import { type LogLevel, type NativeConnection, type Worker } from '@temporalio/worker';
import { type Logger, processLogger } from '../telemetry/logger';
import { type TemporalConfig } from './config';
import { connectWorker, temporalAddress } from './connection';
import { type DevServer, startDevServer } from './dev-server';
import { installRuntime } from './runtime';
import { ensureSearchAttributes } from './search-attributes';
import { createWorker, watchServer } from './worker';

/** What the main job runs once the worker is up (start the example plan, serve the dashboard, …). */
export interface MainJobHooks {
  /** Activities for the worker. */
  activities: () => Promise<object> | object;
  /**
   * Called once the worker polls (with the worker and its connection); the returned function is called on shutdown.
   * `stopping` turns true on SIGINT or SIGTERM: what the hook has yet to start is better left unstarted.
   */
  onReady?: (info: {
    address: string;
    uiUrl?: string;
    worker: Worker;
    connection: NativeConnection;
    stopping: () => boolean;
  }) => Promise<(() => Promise<void>) | void>;
  /** (Default: the process's logger) */
  logger?: Logger;
  /** `host:port` for the SDK's Prometheus exporter (the worker's `temporal_…` series). (Default: none) */
  sdkMetricsAddress?: string;
}

/** No Temporal server answered at the configured address (a name to check: it crosses module copies in tests). */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachable';
}

/** Connects with bounded retries, so a server that is still starting (or briefly away) is waited for. */
export async function connectWithRetry(
  config: TemporalConfig,
  logger: Logger,
  isStopping: () => boolean = () => false,
): Promise<NativeConnection> {
  const deadline = Date.now() + config.serverLossTimeoutS * 1000;
  let delay = 250;
  for (;;) {
    try {
      return await connectWorker(config);
    } catch (err) {
      if (Date.now() > deadline || isStopping()) {
        throw new TemporalUnreachableError(
          `cannot reach the Temporal server at ${temporalAddress(config)} after ${config.serverLossTimeoutS} s ` +
            `(DUBAN_SERVER_LOSS_TIMEOUT_S): ${(err as Error).message}`,
        );
      }
      logger.warn(`waiting for the Temporal server at ${temporalAddress(config)}…`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/** A dev server that exits more than this often within the window is not restarted again: something is wrong. */
const MAX_RESTARTS = 5;
const CRASH_WINDOW_MS = 10 * 60_000;

/** Starts the embedded dev server again, retrying with back-off until the loss bound; undefined if it never came. */
async function restartDevServer(
  config: TemporalConfig,
  logger: Logger,
  isStopping: () => boolean,
): Promise<DevServer | undefined> {
  const deadline = Date.now() + config.serverLossTimeoutS * 1000;
  let delay = 500;
  while (!isStopping()) {
    try {
      return await startDevServer(config, { logger, stopping: isStopping });
    } catch (err) {
      if (Date.now() + delay > deadline) return undefined;
      logger.warn(`the Temporal dev server did not restart: ${(err as Error).message.split('\n')[0]}; trying again`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
  return undefined;
}

/**
 * The main job (`duban start`): the embedded dev server unless `TEMPORAL_ADDRESS` is set, then the worker,
 * until SIGINT/SIGTERM (exit 0, everything it started stopped) or a server lost past the retry bound (exit 1).
 */
export async function runMainJob(config: TemporalConfig, hooks: MainJobHooks): Promise<number> {
  const logger = hooks.logger ?? processLogger;
  let stopping = false;
  let worker: Worker | undefined;
  let devServer: DevServer | undefined;
  let exitCode = 0;
  // Only a running worker can be shut down; one still being created is never run once `stopping` is set.
  const stopWorker = (): void => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, stopping…`);
    stopWorker();
  };
  // Our own handlers, so a signal during start-up still stops the dev server we launched.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let cleanup: (() => Promise<void>) | void = undefined;
  try {
    if (!config.address) {
      logger.info(`starting the embedded Temporal dev server (state in ${config.dataDir})…`);
      devServer = await startDevServer(config, { logger, stopping: () => stopping });
      if (!stopping) logger.info(`Temporal dev server on ${devServer.address}; Web UI at ${devServer.uiUrl}`);
      const exits: number[] = [];
      const superviseDevServer = (server: DevServer): void => {
        void server.exited.then(async (code) => {
          if (stopping) return;
          exits.push(Date.now());
          const recent = exits.filter((t) => t > Date.now() - CRASH_WINDOW_MS).length;
          if (recent > MAX_RESTARTS) {
            logger.error(
              `the Temporal dev server exited ${recent} times within ${CRASH_WINDOW_MS / 60_000} minutes ` +
                `(last code ${code}); stopping the worker`,
            );
            exitCode = 1;
            stopping = true;
            stopWorker();
            return;
          }
          // Its state is in the SQLite file: a restarted server carries on where it stopped, the worker reconnects
          // and /readyz answers 503 meanwhile. Only a server that cannot be brought back within the loss bound
          // ends the job.
          logger.error(`the Temporal dev server exited unexpectedly (code ${code}); restarting it`);
          const restarted = await restartDevServer(config, logger, () => stopping);
          if (stopping) {
            await restarted?.stop();
            return;
          }
          if (!restarted) {
            logger.error(
              `could not restart the Temporal dev server within ${config.serverLossTimeoutS} s ` +
                '(DUBAN_SERVER_LOSS_TIMEOUT_S); stopping the worker',
            );
            exitCode = 1;
            stopping = true;
            stopWorker();
            return;
          }
          devServer = restarted;
          logger.info(`Temporal dev server restarted on ${restarted.address}`);
          superviseDevServer(restarted);
        });
      };
      superviseDevServer(devServer);
    } else {
      logger.info(`connecting to the Temporal server at ${config.address} (namespace ${config.namespace})`);
    }
    if (stopping) return exitCode;
    // Not before: a native runtime that no connection or worker ever used is never released and keeps the process
    // alive. Without the SDK's own signal handlers, which would shut the worker down behind the main job's back.
    installRuntime(config.logLevel as LogLevel, { shutdownSignals: [], prometheus: hooks.sdkMetricsAddress });
    const connection = await connectWithRetry(config, logger, () => stopping);
    try {
      if (config.address) {
        const added = await ensureSearchAttributes(config, logger);
        if (added.length > 0) logger.info(`registered search attributes ${added.join(', ')}`);
      }
      worker = await createWorker(config, connection, await hooks.activities());
    } catch (err) {
      // An open connection keeps the process alive: a failed start must not hang.
      await connection.close().catch(() => undefined);
      throw err;
    }
    if (stopping) {
      // A signal came while the worker was being created. An idle worker is only released by a shutdown, which
      // needs it running: start it and stop it at once, then everything started stops below.
      const running = worker.run();
      stopWorker();
      await running.catch(() => undefined);
      await connection.close().catch(() => undefined);
      return exitCode;
    }
    const stopWatch = watchServer(connection, config.serverLossTimeoutS, (downForS) => {
      logger.error(`lost the Temporal server for ${downForS.toFixed(0)} s; the worker exits`);
      exitCode = 1;
      stopping = true;
      stopWorker();
      // Shutdown talks to the server it just lost; never let that keep a dead worker alive.
      setTimeout(() => process.exit(1), 20_000).unref();
    });
    const running = worker.run();
    logger.info(`worker polling task queue '${config.taskQueue}'`);
    if (!stopping)
      cleanup = await hooks.onReady?.({
        address: temporalAddress(config),
        uiUrl: devServer?.uiUrl,
        worker,
        connection,
        stopping: () => stopping,
      });
    if (devServer && !stopping) logger.info(`ready. Temporal Web UI: ${devServer.uiUrl}  (Ctrl-C to stop)`);
    try {
      await running;
    } catch (err) {
      logger.error(`worker failed: ${(err as Error).message}`);
      exitCode = 1;
    }
    stopWatch();
    await connection.close().catch(() => undefined);
    return exitCode;
  } finally {
    // Whatever ended the job, the dev server's exit below is ours, not unexpected.
    stopping = true;
    if (cleanup) await cleanup().catch(() => undefined);
    if (devServer) {
      await devServer.stop();
      logger.info('dev server stopped');
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
