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
 * that wakes often does not fill its history with identical upserts. The next due instant is plan time, as an ISO
 * string or epoch milliseconds; `shiftMs` turns it back into server time for `DubanNextDue`.
 */
export function searchable(
  identity: SearchIdentity,
  options: { enabled: boolean; shiftMs: number },
): (status: string, nextAt: string | number | undefined) => void {
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
    const nextMs = typeof nextAt === 'string' ? Date.parse(nextAt) : nextAt;
    upsertSearchAttributes({
      [searchAttributes.status.name]: [status],
      ...(nextMs !== undefined && !Number.isNaN(nextMs)
        ? { [searchAttributes.nextDue.name]: [new Date(nextMs - options.shiftMs)] }
        : {}),
    });
  };
}
