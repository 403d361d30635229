import type { Command } from '../command';

export const startCommand: Command = {
  path: ['start'],
  summary: 'start the embedded Temporal dev server (unless TEMPORAL_ADDRESS is set) and the worker',
  usage: 'Usage: duban start',
  async run() {
    throw new Error('not implemented yet');
  },
};
