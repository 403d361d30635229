import { openActivityRuntime } from '../../../activities/runtime';
import { createDubanClient } from '../../client';
import { loadHttpConfig } from '../../http/config';
import { createClient } from '../../temporal/connection';
import { runMainJob } from '../../temporal/main-job';
import type { Command } from '../command';
import {
  FLAGS,
  addedHolidayYears,
  flag,
  loadDirectoryFlag,
  loadPlan,
  progressBar,
  provisionalWarning,
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
    const result = await duban.startPlan({ onProgress: progressBar(`duban: starting plan ${plan.id}`) });
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

export const startCommand: Command = {
  path: ['start'],
  summary: 'run the main job (dev server + worker), or with --plan start every workflow of a plan',
  description: [
    'Without --plan: starts the embedded Temporal dev server (state in $DUBAN_DATA_DIR/temporal.sqlite, Web UI',
    'printed) unless TEMPORAL_ADDRESS points at a cluster, then the duban worker, then the bundled example plan',
    '(unless DUBAN_EXAMPLE_PLAN=0) and the dashboard (unless DUBAN_DASHBOARD=0). Ctrl-C or SIGTERM stops',
    'everything it started. Exits 1 if the server is unreachable for longer than DUBAN_SERVER_LOSS_TIMEOUT_S.',
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
    const log = (line: string) => console.error(line);
    if (typeof values.plan === 'string') {
      await startPlanOnServer(await loadPlan(values), log);
      return 0;
    }
    const config = temporalConfig();
    const directory = await loadDirectoryFlag(values);
    // Bad dashboard access settings stop `duban start` before anything is launched, naming the variable.
    if (process.env.DUBAN_DASHBOARD !== '0') loadHttpConfig(directory);
    let runtime: Awaited<ReturnType<typeof openActivityRuntime>> | undefined;
    return runMainJob(config, {
      log,
      activities: async () => {
        runtime = await openActivityRuntime({ directory });
        return runtime.activities;
      },
      onReady: async (info) => {
        const loaded = await loadPlan(values);
        if (process.env.DUBAN_EXAMPLE_PLAN !== '0') await startPlanOnServer(loaded, log);
        const stopDashboard = await dashboardForMainJob({
          loaded,
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
