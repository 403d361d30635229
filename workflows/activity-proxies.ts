/**
 * Activity proxies shared by every workflow. Nothing is ever dropped: a mail relay or store that is down delays
 * notices and outcomes, retried with backoff without limit.
 */
import { proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Retries of date deadlines: from 5 s, backing off to 10 minutes. */
const DEADLINE_RETRY: RetryPolicy = {
  initialInterval: '5 seconds',
  backoffCoefficient: 2,
  maximumInterval: '10 minutes',
};

/** For date deadlines: retries from 5 s, backing off to 10 minutes. */
export const deadlineActivities = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: DEADLINE_RETRY,
});

/**
 * For an obligation's notices and outcomes at each instant (`deliverDue`): local activities, run by the worker
 * that runs the workflow, with no server round trip and no separate workflow task. They only queue into the
 * outbox and write the store, which is short work; the mail goes out from the outbox. A worker that dies during
 * one leaves the workflow task to time out, and the next worker runs it again (idempotency keys: nothing twice).
 */
export const deadlineLocalActivities = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: DEADLINE_RETRY,
});

/** For emergency windows counted in hours: retries from 1 s, backing off to 5 minutes. */
export const urgentActivities = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
