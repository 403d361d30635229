/** Keeps a workflow findable by operators: identity once, status and next due whenever they change. */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { holdsIdentity, searchAttributes, type SearchIdentity } from './search-attributes';

export type { SearchIdentity } from './search-attributes';

/**
 * Upserts the identity attributes at once (unless `enabled` is false: the time-skipping test server has none
 * registered; or `givenAtStart` is true and the workflow already holds them, given at its start or carried over
 * continue-as-new) and returns the updater of status and next due. `givenAtStart` is for runs of a generation, which
 * are started with them (`RunOptions.generation`): runs from before keep their upsert and replay with it. The updater
 * writes only on change, so a workflow that wakes often does not fill its history with identical upserts. The next
 * due instant is plan time, as an ISO string or epoch milliseconds; `shiftMs` turns it back into server time for
 * `DubanNextDue`.
 */
export function searchable(
  identity: SearchIdentity,
  options: { enabled: boolean; shiftMs: number; givenAtStart?: boolean },
): (status: string, nextAt: string | number | undefined) => void {
  if (!options.enabled) return () => undefined;
  if (!(options.givenAtStart && holdsIdentity(workflowInfo().typedSearchAttributes, identity)))
    upsertSearchAttributes({
      [searchAttributes.plan.name]: [identity.planId],
      [searchAttributes.unit.name]: [identity.unitCode],
      [searchAttributes.obligation.name]: [identity.obligation],
      ...(identity.taskNo !== null ? { [searchAttributes.taskNo.name]: [identity.taskNo] } : {}),
    });
  let last = '';
  return (status, nextAt) => {
    if (`${status}|${nextAt}` === last) return;
    last = `${status}|${nextAt}`;
    const nextMs = typeof nextAt === 'string' ? Date.parse(nextAt) : nextAt;
    upsertSearchAttributes({
      [searchAttributes.status.name]: [status],
      ...(nextMs !== undefined && !Number.isNaN(nextMs)
        ? { [searchAttributes.nextDue.name]: [new Date(nextMs - options.shiftMs)] }
        : {}),
    });
  };
}
