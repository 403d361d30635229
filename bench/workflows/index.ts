/**
 * Bare comparison workflows for the benches: the least a workflow can do for the same shape of work, so a
 * ratio against them measures what duban's own workflow code, activities and store cost on top of Temporal.
 */
import { proxyLocalActivities, sleep } from '@temporalio/workflow';

/** Input of {@link bareTimersWorkflow}. */
export interface BareTimersInput {
  /** Plan-time instants (epoch ms), ascending: the same instants a real obligation workflow wakes at. */
  instantsMs: number[];
  /** Milliseconds added to workflow time to get plan time, as in `ObligationInput.timeShiftMs`. (Default: 0) */
  timeShiftMs?: number;
}

/**
 * Sleeps until each instant in turn and does nothing else: one timer per instant still ahead, like the real
 * workflow's `condition(…, wait)` per agenda instant, but no agenda, no activity, no state.
 */
export function bareTimersWorkflow(input: BareTimersInput): Promise<number> {
  return sleepThrough(input);
}

/** Sleeps until each instant still ahead, then runs `after` (if any); returns how many timers it slept. */
async function sleepThrough(
  { instantsMs, timeShiftMs = 0 }: BareTimersInput,
  after?: () => Promise<void>,
): Promise<number> {
  let timers = 0;
  for (const at of instantsMs) {
    const wait = at - (Date.now() + timeShiftMs);
    if (wait > 0) {
      timers++;
      await sleep(wait);
      if (after) await after();
    }
  }
  return timers;
}

/** The one activity of {@link bareNoticesWorkflow}: does nothing. */
export interface BareActivities {
  bareNotice(): Promise<void>;
}

const { bareNotice } = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

/**
 * {@link bareTimersWorkflow} plus one local activity that does nothing at each instant: the least Temporal itself
 * costs for "a timer, then an activity" per instant, which is the shape of a duban obligation (a notice is an
 * activity). The gap between this and the real year is duban's own code, store and outbox.
 */
export function bareNoticesWorkflow(input: BareTimersInput): Promise<number> {
  return sleepThrough(input, bareNotice);
}

/** Completes at once: what one start call of the start-rate bench costs without duban's payloads. */
export async function trivialWorkflow(): Promise<void> {
  // Nothing: the bench measures start calls, not work.
}

/** Sleeps a year on one timer: the smallest open workflow a worker can keep in its cache. */
export async function sleepingWorkflow(): Promise<void> {
  await sleep('365 days');
}
