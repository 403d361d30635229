import { openActivityRuntime } from '../../../activities/runtime';
import { loadHttpConfig } from '../../http/config';
import { loadTemporalConfig } from '../../temporal/config';
import { createClient } from '../../temporal/connection';
import { runMainJob } from '../../temporal/main-job';
import { progressBar, startPlan } from '../../temporal/plan-runner';
import type { Command } from '../command';
import { loadPlanForCommand } from '../plan-loader';
import { dashboardForMainJob } from './serve';

async function startPlanOnServer(values: Record<string, unknown>, log: (line: string) => void): Promise<void> {
  const config = loadTemporalConfig();
  const { plan, directory, policy } = loadPlanForCommand(values);
  const client = await createClient(config);
  try {
    const result = await startPlan(client, plan, directory, {
      taskQueue: config.taskQueue,
      policy,
      onProgress: progressBar(`duban: starting plan ${plan.id}`),
    });
    const obligations = result.schedule.units.reduce((n, u) => n + u.obligations.length, 0);
    log(
      `duban: plan ${plan.id}: ${result.started.length} unit workflows started, ${result.existing.length} already ` +
        `there; ${obligations} obligations in all`,
    );
    const designation = [...new Set(result.schedule.assignments.needsDesignation.map((d) => d.taskNo))];
    if (designation.length > 0) {
      log(`duban: tasks ${designation.join(', ')} name 省直有关部门: designate their units (duban designate)`);
    }
  } finally {
    await client.connection.close();
  }
}

export const startCommand: Command = {
  path: ['start'],
  summary: 'run the main job (dev server + worker), or with --plan start every workflow of a plan',
  usage: [
    'Usage: duban start                       the main job (this is what `npm start` runs)',
    '       duban start --plan FILE [--directory FILE] [--policy FILE]',
    '',
    'Without --plan: starts the embedded Temporal dev server (state in $DUBAN_DATA_DIR/temporal.sqlite, Web UI',
    'printed) unless TEMPORAL_ADDRESS points at a cluster, then the duban worker, then the bundled example plan',
    '(unless DUBAN_EXAMPLE_PLAN=0). Ctrl-C or SIGTERM stops everything it started. Exits 1 if the server is',
    'unreachable for longer than DUBAN_SERVER_LOSS_TIMEOUT_S seconds (default 60).',
    '',
    'With --plan: starts, idempotently, one workflow per unit of the plan (each running its obligations) on the',
    'configured server, with a progress bar. Starting the same plan twice creates nothing twice.',
  ].join('\n'),
  options: {
    plan: { type: 'string' },
    directory: { type: 'string' },
    policy: { type: 'string' },
  },
  async run({ values }) {
    const log = (line: string) => console.error(line);
    if (typeof values.plan === 'string') {
      await startPlanOnServer(values, log);
      return 0;
    }
    const config = loadTemporalConfig();
    const { directory } = loadPlanForCommand(values);
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
        if (process.env.DUBAN_EXAMPLE_PLAN !== '0') await startPlanOnServer(values, log);
        const stopDashboard = await dashboardForMainJob({
          values,
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
