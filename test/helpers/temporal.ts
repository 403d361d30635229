import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../../src/temporal/worker';
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
export function workflowBundle(workflowsPath = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    // duban's own workflows with the production bundler options; other code (bench workflows) as it is.
    const options = workflowsPath === WORKFLOWS_PATH ? BUNDLER_OPTIONS : {};
    bundle = bundleWorkflowCode({ workflowsPath, ...options, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}
