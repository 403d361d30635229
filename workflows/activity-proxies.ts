/**
 * Activity proxies shared by every workflow. Nothing is ever dropped: a mail relay or store that is down delays
 * notices and outcomes, retried with backoff without limit.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** For date deadlines: retries from 5 s, backing off to 10 minutes. */
export const deadlineActivities = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** For emergency windows counted in hours: retries from 1 s, backing off to 5 minutes. */
export const urgentActivities = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
