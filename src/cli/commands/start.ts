import { checkRuntimeConfig, openActivityRuntime } from '../../../activities/runtime';
import { type StartPlanResult, countObligationWorkflows, createDubanClient, isoInstant } from '../../service';
import { unitWorkflowId } from '../../domain/ids';
import { yearIsOver } from '../../domain/rehearsal';
import { loadHttpConfig } from '../../http/config';
import { mailConfigFromEnv } from '../../mail/config';
import { storeConfigFromEnv } from '../../store';
import { redactUrl } from '../../store/postgres';
import { loadHealthConfig, mainJobHealth } from '../../temporal/health';
import { runMainJob } from '../../temporal/main-job';
import { type DubanLogger, type Logger, configureLog } from '../../telemetry/logger';
import { freeLoopbackAddress, loadMetricsAddress, startMetricsServer, watchOutbox } from '../../telemetry/metrics';
import { type Command, EXIT_CODES, UsageError } from '../command';
import {
  FLAGS,
  PLAN_FILE_FLAGS,
  beginRehearsal,
  configOrUsage,
  connectOrUsage,
  flag,
  loadDirectoryFlag,
  loadPlan,
  progressBar,
  progressText,
  provisionalWarning,
  rehearsalOf,
  rememberPlan,
  storedHolidayYears,
  temporalConfig,
  withDuban,
  type LoadedPlan,
} from '../kit';
import type { Store } from '../../store/types';
import { backfillSummary } from './read-model';
import { dashboardForMainJob } from './serve';

/** Lines of a command that is no long-running process: plain `duban: …` lines on stderr. */
const stderrLines: Logger = {
  info: (message) => console.error(`duban: ${message}`),
  warn: (message) => console.error(`duban: ${message}`),
  error: (message) => console.error(`duban: ${message}`),
};

/** Progress as log lines, one every 10 %, with the rate: for logs that are JSON or not on a terminal. */
function progressLines(logger: Logger, label: string, noun: string): (done: number, total: number) => void {
  let lastTenth = -1;
  const since = Date.now();
  return (done, total) => {
    const tenth = Math.floor((total === 0 ? 1 : done / total) * 10);
    if (tenth === lastTenth) return;
    lastTenth = tenth;
    logger.info(`${label}: ${progressText(done, total, since, noun)}`, { done, total });
  };
}

/** Concurrent start calls of a plan's start: DUBAN_START_CONCURRENCY, else 16. */
export function startConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DUBAN_START_CONCURRENCY;
  if (raw === undefined || raw === '') return 16;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new UsageError(`DUBAN_START_CONCURRENCY must be a whole number from 1 to 1000, not ${JSON.stringify(raw)}`);
  return n;
}

/** `1.2 s` */
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Starts every unit workflow of a plan on the configured server, idempotently, with a progress bar. */
async function startPlanOnServer(
  loaded: LoadedPlan,
  logger: Logger,
  progress: (label: string, noun: string) => (done: number, total: number) => void = (label, noun) =>
    progressBar(`duban: ${label}`, noun),
  stopping?: () => boolean,
): Promise<StartPlanResult> {
  const config = temporalConfig();
  const concurrency = startConcurrency();
  const { plan } = loaded;
  const client = await connectOrUsage(config);
  try {
    // Undefined when the store cannot be read here: then each unit workflow reads them itself, with retries.
    const holidayYears = await storedHolidayYears();
    const duban = createDubanClient({
      client,
      ...loaded,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      holidayYears: holidayYears ?? [],
    });
    // A rehearsal begins at its shifted "now": notices of the plan's past are never sent, its missed items show red.
    const activeFrom = loaded.timeShiftMs === undefined ? undefined : isoInstant(Date.now() + loaded.timeShiftMs);
    const since = Date.now();
    const result = await duban.startPlan({
      activeFrom,
      concurrency,
      // Read once here, not by a local activity in every unit workflow before it opens its obligations.
      holidayYears,
      // Unit workflows: what a start call knows exists when it returns (each opens its obligations itself).
      onProgress: progress(`starting plan ${plan.id}`, 'unit workflows'),
      stopping,
      onProvisional: (years) => {
        const provisional = provisionalWarning(years);
        if (provisional) logger.warn(provisional.replace(/^duban: /, ''));
      },
    });
    const elapsedMs = Date.now() - since;
    rememberPlan(plan, loaded.source, loaded.unitAliases);
    const opened = `${result.started.length} unit workflows started`;
    const alreadyOpen = `${result.existing.length} already open`;
    // What exists of the obligation workflows the units open as children: counted by the server where it can.
    const obligations = result.schedule.units.reduce((n, u) => n + u.obligations.length, 0);
    const existing = await countObligationWorkflows(client, plan.id);
    const children =
      existing === undefined
        ? `${obligations} obligation workflows, opened by their units once a worker runs them`
        : `${existing} of ${obligations} obligation workflows exist so far` +
          (existing < obligations ? ' (their units open the rest once a worker runs them)' : '');
    if (result.notStarted > 0) {
      logger.warn(
        `plan ${plan.id}: start interrupted: ${opened}, ${alreadyOpen}, ${result.notStarted} not started yet ` +
          `(the next start starts them, and only them); ${children}`,
      );
      return result;
    }
    const units = result.started.length + result.existing.length;
    const rate = elapsedMs > 0 ? `, ${Math.round((units * 1000) / elapsedMs)} units/s` : '';
    logger.info(`plan ${plan.id}: ${opened}, ${alreadyOpen}; ${children}; ${seconds(elapsedMs)}${rate}`);
    const designation = [...new Set(result.schedule.assignments.needsDesignation.map((d) => d.taskNo))];
    if (designation.length > 0)
      logger.warn(`tasks ${designation.join(', ')} name 省直有关部门: designate their units (duban designate)`);
    return result;
  } finally {
    await client.connection.close();
  }
}

/**
 * Fills the read model for the plan's obligation workflows that have none there yet (started before it): once the
 * worker polls, so their queries are answered. Never throws: what did not answer is logged, and the next start (or
 * `duban read-model rebuild`) tries it again.
 */
async function backfillReadModel(
  loaded: LoadedPlan,
  store: Store,
  logger: Logger,
  stopping: () => boolean,
  unitCodes?: string[],
): Promise<void> {
  try {
    const report = await withDuban(
      loaded,
      (duban) =>
        duban.obligations.backfillReadModel(store, {
          concurrency: startConcurrency(),
          stopping,
          unitCodes,
          onProgress: progressLines(logger, `read model of plan ${loaded.plan.id}`, 'workflows queried'),
        }),
      store,
    );
    const line = `read model: ${backfillSummary(report)}`;
    if (report.failed.length > 0) logger.warn(line, { failed: report.failed.length });
    else logger.info(line, { backfilled: report.backfilled, missing: report.missing });
  } catch (err) {
    logger.warn(`read model: the backfill stopped: ${(err as Error).message} (duban read-model rebuild retries it)`);
  }
}

/**
 * Whether `npm start` runs the bundled example as a rehearsal: its year is over (or it already runs as one), and
 * neither DUBAN_EXAMPLE_PLAN=0 nor DUBAN_REHEARSAL=0 says otherwise.
 */
function rehearsing(loaded: LoadedPlan, values: Record<string, unknown>): boolean {
  if (values.plan !== undefined || process.env.DUBAN_EXAMPLE_PLAN === '0' || process.env.DUBAN_REHEARSAL === '0')
    return false;
  return rehearsalOf(loaded.plan.id) !== undefined || yearIsOver(loaded.plan, Date.now());
}

/** `duban plan start`: every workflow of a plan on the configured server, without a worker. */
export const planStartCommand: Command = {
  path: ['plan', 'start'],
  summary: 'start every workflow of a plan on the configured server (a worker must run: duban start)',
  description: [
    'Starts, idempotently, one workflow per unit of the plan (each running its obligations) on the configured',
    'server, with a progress bar, and remembers the plan so later commands find it by its id. Starting a plan twice',
    'creates nothing twice. Dates that rest on a year without a State Council holiday notice are named.',
    'The progress counts unit workflows started per second; each unit opens its obligations as children once a',
    'worker runs it, and the last line says how many of those the server lists so far. Ctrl-C stops it between',
    'units (exit 1); run it again and it starts only what is missing, counting the rest as already open.',
    'DUBAN_START_CONCURRENCY sets the concurrent start calls (default 16).',
  ],
  flags: [flag(FLAGS.plan, { required: true, default: undefined }), ...PLAN_FILE_FLAGS, FLAGS.directory, FLAGS.policy],
  async run({ values }) {
    const loaded = await loadPlan(values, { warnings: 'all' });
    // Ctrl-C (or SIGTERM) leaves the units not yet started for the next start, which opens only those.
    let stopping = false;
    const stop = (): void => {
      stopping = true;
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const result = await startPlanOnServer(loaded, stderrLines, undefined, () => stopping);
      return result.notStarted > 0 ? EXIT_CODES.failure : 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

export const startCommand: Command = {
  path: ['start'],
  summary: 'run the main job: dev server, worker, a plan and its dashboard (this is what `npm start` runs)',
  description: [
    'Starts the embedded Temporal dev server (state in $DUBAN_DATA_DIR/temporal.sqlite, Web UI printed) unless',
    'TEMPORAL_ADDRESS points at a cluster, then the duban worker, then the plan (--plan, else the bundled example,',
    'unless DUBAN_EXAMPLE_PLAN=0) and its dashboard (unless DUBAN_DASHBOARD=0). Ctrl-C or SIGTERM stops',
    'everything it started. Exits 1 if the server is unreachable for longer than DUBAN_SERVER_LOSS_TIMEOUT_S.',
    'The dashboard serves /healthz and /readyz; without it they are on DUBAN_HEALTH_ADDRESS (default 127.0.0.1:8081).',
    "Once the worker polls it fills the store's read model for the plan's workflows that have no overview there",
    '(started by a duban from before it), as `duban read-model rebuild` does, and logs how many it wrote.',
    '',
    'The bundled example is a 2017 plan: once its year is over it runs as a rehearsal, shifted by whole days so its',
    "plan time starts on 2017-05-23 at today's clock time (fixed at the first start), its mail kept in",
    '$DUBAN_DATA_DIR/outbox unless DUBAN_REHEARSAL_MAIL=1, and every page, message and log line says so.',
    'DUBAN_REHEARSAL=0 runs it in real time. A plan of your own (--plan FILE) always runs in real time.',
  ],
  longRunning: true,
  flags: [
    flag(FLAGS.plan, { help: 'the plan to run: its task table file, or the id of a plan started here' }),
    ...PLAN_FILE_FLAGS,
    FLAGS.directory,
    FLAGS.policy,
    { ...FLAGS.scoring, help: `dashboard: ${FLAGS.scoring.help}` },
  ],
  async run({ values }) {
    let logger: DubanLogger = configOrUsage(() => configureLog());
    const config = temporalConfig();
    const directory = await loadDirectoryFlag(values);
    // Bad settings (dashboard access, store, mail) stop `duban start` before anything is launched, naming the
    // variable, in one line.
    const dashboardOn = process.env.DUBAN_DASHBOARD !== '0';
    if (dashboardOn) configOrUsage(() => loadHttpConfig(directory));
    configOrUsage(() => checkRuntimeConfig(process.env));
    startConcurrency();
    const healthConfig = configOrUsage(() => loadHealthConfig(dashboardOn));
    const metricsAddress = configOrUsage(() => loadMetricsAddress());
    let loaded = await loadPlan(values, { warnings: 'none' });
    const warned = loaded.plan.warnings;
    if (warned.length > 0) logger.warn(`${loaded.source}: ${warned.length} import warnings`);
    for (const w of warned)
      logger.warn(`${loaded.source}${w.line > 0 ? `:${w.line}` : ''}: warning: ${w.message}`, { line: w.line });
    const rehearsal = rehearsing(loaded, values) ? beginRehearsal(loaded.plan, Date.now()) : undefined;
    if (rehearsal) {
      loaded = { ...loaded, timeShiftMs: rehearsal.timeShiftMs };
      // Every line of the process says it is a rehearsal: duban's, the dispatcher's and the SDK's.
      logger = configureLog({ bindings: { label: '演练 rehearsal' } });
      logger.info(
        `the example plan's year ${loaded.plan.year} is over: it runs as a rehearsal, plan time now ` +
          `${isoInstant(Date.now() + rehearsal.timeShiftMs).slice(0, 16)} (DUBAN_REHEARSAL=0 runs it in real time; ` +
          'see README, "Run a real plan")',
      );
    }
    // The store and the outbox open before any server starts: an unreachable database stops here, in one line,
    // with nothing to clean up.
    // A rehearsal's mail stays in the outbox folder unless asked for, and it takes no IM or SMS channel: nobody should
    // get a 2017 reminder.
    const realMail = !rehearsal || process.env.DUBAN_REHEARSAL_MAIL === '1';
    let runtime: Awaited<ReturnType<typeof openActivityRuntime>>;
    try {
      runtime = await openActivityRuntime({
        directory,
        ...(realMail ? {} : { env: { ...process.env, SMTP_URL: '', DUBAN_CHANNELS_FILE: '' } }),
        dispatcher: { rehearsal: rehearsal !== undefined, concurrency: mailConfigFromEnv().outboxConcurrency },
      });
    } catch (err) {
      const store = storeConfigFromEnv();
      const where = store.kind === 'postgres' ? redactUrl(store.url) : store.file;
      throw new UsageError(`cannot open the store (${where}): ${(err as Error).message}`, EXIT_CODES.failure);
    }
    let closing: Promise<void> | undefined;
    // Once, whichever comes first: the main job's clean-up, or the end of the main job however it ended.
    const closeRuntime = (): Promise<void> => (closing ??= runtime.close());
    if (config.address && config.payloadKeys.length === 0)
      logger.warn('payloads go to the Temporal server unencrypted: set DUBAN_PAYLOAD_KEYS in production (README)');
    watchOutbox(runtime.store);
    const metrics = metricsAddress
      ? await startMetricsServer(metricsAddress, { sdkAddress: await freeLoopbackAddress() }).then(
          (server) => {
            logger.info(`metrics at ${server.url}`);
            return server;
          },
          (err: unknown) => {
            // Like the health server: the worker and its reminders matter more than their figures.
            logger.error(`the metrics server did not start (DUBAN_METRICS_ADDRESS): ${(err as Error).message}`);
            return undefined;
          },
        )
      : undefined;
    const health = await mainJobHealth({
      config: healthConfig,
      namespace: config.namespace,
      store: runtime.store,
      dispatcherRunning: () => closing === undefined,
      logger,
    });
    try {
      return await runMainJob(config, {
        logger,
        sdkMetricsAddress: metrics?.sdkAddress,
        activities: () => runtime.activities,
        onReady: async (info) => {
          health.attach(info);
          let started: StartPlanResult | undefined;
          if (values.plan !== undefined || process.env.DUBAN_EXAMPLE_PLAN !== '0')
            started = await startPlanOnServer(
              loaded,
              logger,
              (label, noun) =>
                logger.format === 'pretty' && process.stderr.isTTY
                  ? progressBar(rehearsal ? `duban [演练 rehearsal]: ${label}` : `duban: ${label}`, noun)
                  : progressLines(logger, label, noun),
              info.stopping,
            );
          // Ctrl-C while the plan was starting: the dashboard is not started only to be stopped.
          if (info.stopping()) return closeRuntime;
          // Beside the dashboard, not before it: status shows the rows the store has while the rest are queried.
          // The units this start opened run with the read model from their first step: only those found open are
          // looked at (every unit when the plan was not started here).
          const openBefore = started && new Set(started.existing);
          const backfill = backfillReadModel(
            loaded,
            runtime.store,
            logger,
            info.stopping,
            openBefore &&
              started!.schedule.units
                .map((u) => u.unitCode)
                .filter((code) => openBefore.has(unitWorkflowId(loaded.plan.id, code))),
          );
          const stopDashboard = await dashboardForMainJob({
            loaded,
            rehearsal: rehearsal !== undefined,
            config,
            store: runtime.store,
            uiUrl: info.uiUrl,
            logger,
            readiness: health.checks,
            stopping: info.stopping,
          });
          return async () => {
            await stopDashboard();
            await backfill;
            await closeRuntime();
          };
        },
      });
    } finally {
      await health.close();
      await metrics?.close();
      await closeRuntime();
    }
  },
};
