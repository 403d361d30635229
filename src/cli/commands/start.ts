import { loadTemporalConfig } from '../../temporal/config';
import { runMainJob } from '../../temporal/main-job';
import type { Command } from '../command';

export const startCommand: Command = {
  path: ['start'],
  summary: 'run the main job: embedded Temporal dev server (unless TEMPORAL_ADDRESS is set) and the worker',
  usage: [
    'Usage: duban start',
    '',
    'Starts the embedded Temporal dev server (state in $DUBAN_DATA_DIR/temporal.sqlite, Web UI printed) unless',
    'TEMPORAL_ADDRESS points at a cluster, then the duban worker. Ctrl-C or SIGTERM stops everything it started.',
    'Exits 1 if the server is unreachable for longer than DUBAN_SERVER_LOSS_TIMEOUT_S seconds (default 60).',
  ].join('\n'),
  async run() {
    const config = loadTemporalConfig();
    return runMainJob(config, { activities: () => ({}) });
  },
};
