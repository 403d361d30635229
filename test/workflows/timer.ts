// Test-only workflows for the runtime foundation tests.
import { sleep, workflowInfo } from '@temporalio/workflow';

/** Sleeps for `days` days and returns the workflow-clock instants before and after. */
export async function sleepDaysWorkflow(days: number): Promise<{ startedAt: number; wokeAt: number; attempt: number }> {
  const startedAt = Date.now();
  await sleep(`${days} days`);
  return { startedAt, wokeAt: Date.now(), attempt: workflowInfo().attempt };
}
