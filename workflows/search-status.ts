/** Keeps a workflow findable by operators: identity once, status and next due whenever they change. */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes } from './search-attributes';

/** What identifies a duban workflow in `temporal workflow list --query`. */
export interface SearchIdentity {
  planId: string;
  unitCode: string;
  /** Obligation kind, or `unit` / `emergency-response` for the workflows that carry several. */
  obligation: string;
  taskNo: number | null;
}

/**
 * Upserts the identity attributes at once (unless `enabled` is false: the time-skipping test server has none
 * registered) and returns the updater of status and next due. The updater writes only on change, so a workflow
 * that wakes often does not fill its history with identical upserts. `shiftMs` turns plan time back into
 * server time for `DubanNextDue`.
 */
export function searchable(
  identity: SearchIdentity,
  options: { enabled: boolean; shiftMs: number },
): (status: string, nextAt: string | undefined) => void {
  if (!options.enabled) return () => undefined;
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
    upsertSearchAttributes({
      [searchAttributes.status.name]: [status],
      ...(nextAt ? { [searchAttributes.nextDue.name]: [new Date(Date.parse(nextAt) - options.shiftMs)] } : {}),
    });
  };
}
