import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributes } from '../../workflows/search-attributes';
import { ensureExecutables } from '../../src/temporal/executables';
import { installRuntime } from '../../src/temporal/runtime';

/** Keeps the SDK quiet in test output: errors only, on stderr. */
export function quietRuntime(): void {
  installRuntime('ERROR');
}

/** Time-skipping test server (Java), started from the pip-installed executable. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const { testServer } = ensureExecutables();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer } },
  });
}

/** Temporal CLI dev server in real time, with duban's search attributes registered. */
export async function createDevServerEnv(options: { dbFilename?: string } = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const { cli } = ensureExecutables();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      dbFilename: options.dbFilename,
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--log-level', 'error'],
    },
  });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
/** Bundles workflow code once per test file (jest gives each file its own module registry). */
export function workflowBundle(
  workflowsPath = path.resolve(__dirname, '../../workflows/index.ts'),
): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}
