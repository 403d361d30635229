import { openActivityRuntime } from '../../../activities/runtime';
import { createDubanClient, isoInstant } from '../../client';
import { yearIsOver } from '../../domain/rehearsal';
import { loadHttpConfig } from '../../http/config';
import { createClient } from '../../temporal/connection';
import { runMainJob } from '../../temporal/main-job';
import type { Command } from '../command';
import {
  FLAGS,
  addedHolidayYears,
  beginRehearsal,
  flag,
  loadDirectoryFlag,
  loadPlan,
  progressBar,
  provisionalWarning,
  rehearsalOf,
  rememberPlan,
  temporalConfig,
  type LoadedPlan,
} from '../kit';
import { dashboardForMainJob } from './serve';

/** Starts every unit workflow of a plan on the configured server, idempotently, with a progress bar. */
async function startPlanOnServer(loaded: LoadedPlan, log: (line: string) => void): Promise<void> {
  const config = temporalConfig();
  const { plan } = loaded;
  const client = await createClient(config);
  try {
    const duban = createDubanClient({
      client,
      ...loaded,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      holidayYears: await addedHolidayYears(),
    });
    // A rehearsal begins at its shifted "now": notices of the plan's past are never sent, its missed items show red.
    const activeFrom = loaded.timeShiftMs === undefined ? undefined : isoInstant(Date.now() + loaded.timeShiftMs);
    const result = await duban.startPlan({ activeFrom, onProgress: progressBar(`duban: starting plan ${plan.id}`) });
    rememberPlan(plan, loaded.source);
    const obligations = result.schedule.units.reduce((n, u) => n + u.obligations.length, 0);
    log(
      `duban: plan ${plan.id}: ${result.started.length} unit workflows started, ${result.existing.length} already ` +
        `there; ${obligations} obligations in all`,
    );
    const provisional = provisionalWarning(result.provisionalYears);
    if (provisional) log(provisional);
    const designation = [...new Set(result.schedule.assignments.needsDesignation.map((d) => d.taskNo))];
    if (designation.length > 0)
      log(`duban: tasks ${designation.join(', ')} name 省直有关部门: designate their units (duban designate)`);
  } finally {
    await client.connection.close();
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

export const startCommand: Command = {
  path: ['start'],
  summary: 'run the main job (dev server + worker), or with --plan start every workflow of a plan',
  description: [
    'Without --plan: starts the embedded Temporal dev server (state in $DUBAN_DATA_DIR/temporal.sqlite, Web UI',
    'printed) unless TEMPORAL_ADDRESS points at a cluster, then the duban worker, then the bundled example plan',
    '(unless DUBAN_EXAMPLE_PLAN=0) and the dashboard (unless DUBAN_DASHBOARD=0). Ctrl-C or SIGTERM stops',
    'everything it started. Exits 1 if the server is unreachable for longer than DUBAN_SERVER_LOSS_TIMEOUT_S.',
    '',
    'The example is a 2017 plan: once its year is over it runs as a rehearsal, shifted by whole weeks so that its',
    'plan time is now (fixed at the first start), its mail kept in $DUBAN_DATA_DIR/outbox unless',
    'DUBAN_REHEARSAL_MAIL=1, and every page, message and log line says so. DUBAN_REHEARSAL=0 runs it in real time.',
    '',
    'With --plan: starts, idempotently, one workflow per unit of the plan (each running its obligations) on the',
    'configured server, with a progress bar, and remembers the plan so later commands find it by its id.',
  ],
  flags: [
    flag(FLAGS.plan, {
      help: 'start this plan on the configured server instead of running the main job',
      default: undefined,
    }),
    FLAGS.directory,
    FLAGS.policy,
  ],
  async run({ values }) {
    let log = (line: string) => console.error(line);
    if (typeof values.plan === 'string') {
      await startPlanOnServer(await loadPlan(values), log);
      return 0;
    }
    const config = temporalConfig();
    const directory = await loadDirectoryFlag(values);
    // Bad dashboard access settings stop `duban start` before anything is launched, naming the variable.
    if (process.env.DUBAN_DASHBOARD !== '0') loadHttpConfig(directory);
    let loaded = await loadPlan(values);
    const rehearsal = rehearsing(loaded, values) ? beginRehearsal(loaded.plan, Date.now()) : undefined;
    if (rehearsal) {
      loaded = { ...loaded, timeShiftMs: rehearsal.timeShiftMs };
      log = (line: string) => console.error(line.replace(/^duban:/, 'duban [演练 rehearsal]:'));
      log(
        `duban: the example plan's year ${loaded.plan.year} is over: it runs as a rehearsal, plan time now ` +
          `${isoInstant(Date.now() + rehearsal.timeShiftMs).slice(0, 16)} (DUBAN_REHEARSAL=0 runs it in real time; ` +
          'see README, "Run a real plan")',
      );
    }
    let runtime: Awaited<ReturnType<typeof openActivityRuntime>> | undefined;
    return runMainJob(config, {
      log,
      activities: async () => {
        // A rehearsal's mail stays in the outbox folder unless asked for: nobody should get a 2017 reminder.
        const realMail = !rehearsal || process.env.DUBAN_REHEARSAL_MAIL === '1';
        runtime = await openActivityRuntime({
          directory,
          ...(realMail ? {} : { env: { ...process.env, SMTP_URL: '' } }),
          dispatcher: { rehearsal: rehearsal !== undefined },
        });
        return runtime.activities;
      },
      onReady: async (info) => {
        if (process.env.DUBAN_EXAMPLE_PLAN !== '0') await startPlanOnServer(loaded, log);
        const stopDashboard = await dashboardForMainJob({
          loaded,
          rehearsal: rehearsal !== undefined,
          config,
          store: runtime!.store,
          uiUrl: info.uiUrl,
          log,
        });
        return async () => {
          await stopDashboard();
          await runtime?.close();
        };
      },
    });
  },
};
