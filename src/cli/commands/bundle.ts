import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH, workflowBundlePath } from '../../temporal/worker';
import type { Command } from '../command';
import { FLAGS, flag } from '../kit';

export const bundleCommand: Command = {
  path: ['bundle'],
  summary: 'pre-bundle the workflow code for production workers (NODE_ENV=production)',
  description: ['Writes the workflow bundle that production workers load instead of bundling at start-up.'],
  flags: [
    flag(FLAGS.out, {
      help: 'where to write the bundle',
      default: 'dist/workflow-bundle.js, or $DUBAN_WORKFLOW_BUNDLE',
    }),
  ],
  async run({ values }) {
    const out = path.resolve((values.out as string | undefined) ?? workflowBundlePath());
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...BUNDLER_OPTIONS });
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, code);
    console.log(`duban: workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
    return 0;
  },
};
