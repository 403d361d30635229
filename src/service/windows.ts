/**
 * What incidents and information requests share on the client side: their workflows are addressed by plan and id,
 * refused the same way, listed through visibility, and read the same way (timeline, agenda, history).
 */
import type { QueryDefinition } from '@temporalio/common';
import type { UpcomingNotice } from '../domain/notice';
import type { ObligationKind } from '../domain/plan';
import { agendaQuery, closeSignal, timelineQuery } from '../../workflows/messages';
import type { ClientContext } from './context';
import { deliveriesByKey, storedNotices, type TimelineRow, withDeliveries } from './deliveries';
import { readableHistory, type HistoryEntry } from './history';
import { windowIdInput } from './inputs';
import { asRefusal, isRefusal } from './refusals';

/** One kind of window workflow: incidents or requests, with their status `S` and what lists show of one, `O`. */
export interface WindowKind<S, O> {
  /** What a message calls it, e.g. `incident`. */
  noun: string;
  /** The id field, for input errors, e.g. `incidentId`. */
  idField: string;
  /** Workflow ID of an id under a plan. */
  workflowId(planId: string, id: string): string;
  /** The workflow's type: lists ask visibility for it first (an indexed column), then for the ID prefix. */
  workflowType: string;
  statusQuery: QueryDefinition<S>;
  /** How a completed workflow ended, from its status, for "has ended (…)" refusals. */
  ended(status: S): string;
  /** The unit a status belongs to, for filtering lists. */
  unitOf(status: S): string;
  /** The obligations its notices are filed under (their period is the window's id). */
  obligations: readonly ObligationKind[];
  /** A status as lists and pages show it (with its lights). */
  overviewOf(status: S): Promise<O>;
  /** The order of lists: negative when `a` comes first. */
  order(a: S, b: S): number;
}

/** What the incidents and the requests clients both offer, by the window's id. */
export interface WindowReads<S, O> {
  status(id: string): Promise<S>;
  /** The window as lists and pages show it, with its lights. */
  overview(id: string): Promise<O>;
  /** Every window of the plan, or of one unit (code, name or alias), in the kind's order. */
  list(filter?: { unitCode?: string }): Promise<O[]>;
  /** What happened so far; each notice with how its deliveries fared when the client has the outbox's store. */
  timeline(id: string): Promise<TimelineRow[]>;
  /** The notices still to come (none once it has ended). */
  agenda(id: string): Promise<UpcomingNotice[]>;
  history(id: string): Promise<HistoryEntry[]>;
  workflowIdOf(id: string): string;
  /**
   * Closes the window: what is still open is recorded as it stands (missed if past due) and the workflow ends.
   * False when it had ended already.
   */
  close(id: string, options: { reason: string }): Promise<boolean>;
  /** Waits until the window's workflow has ended (closed, answered, both steps done); its last status. */
  ended(id: string): Promise<S>;
}

/** Access to the windows of one kind under the context's plan. */
export interface WindowAccess<S, O> extends WindowReads<S, O> {
  /** Runs `f` against the window's workflow; Temporal's errors come back as refusals naming it. */
  call<T>(
    id: string,
    action: string,
    f: (handle: ReturnType<ClientContext['client']['workflow']['getHandle']>) => Promise<T>,
  ): Promise<T>;
  /** Tells lists that this client started the window `id` (lists show it before visibility does). */
  started(id: string): void;
}

/**
 * How long a list of a kind's windows from visibility is reused. The dev server's SQLite visibility takes 35-60 ms
 * for such a list at 10,000 obligations, whatever the type or prefix, and every plan page lists both kinds; a page
 * reloaded within this time shows the same windows (their states are read anew), and a window this process started
 * is shown at once.
 */
export const WINDOW_LIST_TTL_MS = 2_000;

/** Creates the access to one kind of window. */
export function windowAccess<S, O>(ctx: ClientContext, kind: WindowKind<S, O>): WindowAccess<S, O> {
  const { client, plan } = ctx;
  const workflowIdOf = (id: string): string => kind.workflowId(plan.id, windowIdInput(id, kind.idField));
  const call: WindowAccess<S, O>['call'] = async (id, action, f) => {
    const workflowId = workflowIdOf(id);
    const handle = client.workflow.getHandle(workflowId);
    try {
      return await f(handle);
    } catch (err) {
      return asRefusal(err, {
        what: `${kind.noun} ${id} of plan ${plan.id}`,
        action,
        workflowId,
        // A window that ended (done, answered, closed) has completed: it answers queries only.
        endedAs: async () => kind.ended(await handle.query(kind.statusQuery)),
      });
    }
  };
  const status = (id: string): Promise<S> => call(id, 'read its status', (h) => h.query(kind.statusQuery));
  /** Ids this client started: shown before visibility lists them. */
  const startedHere = new Set<string>();
  let lastList: { ids: string[]; atMs: number } | undefined;
  const listed = async (): Promise<string[]> => {
    if (lastList && Date.now() - lastList.atMs < WINDOW_LIST_TTL_MS) return lastList.ids;
    const prefix = kind.workflowId(plan.id, '');
    const ids: string[] = [];
    // The type narrows the prefix (SQLite visibility: 49 against 59 ms at 10,002 obligations).
    const query = `WorkflowType = "${kind.workflowType}" AND WorkflowId STARTS_WITH "${prefix}"`;
    for await (const w of client.workflow.list({ query })) ids.push(w.workflowId.slice(prefix.length));
    lastList = { ids, atMs: Date.now() };
    return ids;
  };
  /** The stored notices of a window, with their deliveries. */
  const noticesOf = async (id: string) =>
    (await storedNotices(ctx.outbox, { planId: plan.id, period: windowIdInput(id, kind.idField) })).filter((n) =>
      kind.obligations.includes(n.obligation),
    );
  return {
    call,
    started: (id) => {
      startedHere.add(id);
    },
    status,
    overview: async (id) => kind.overviewOf(await status(id)),
    // Visibility lists the plan's windows; each is read directly (visibility lags a moment behind).
    async list(filter = {}) {
      const unitCode = filter.unitCode === undefined ? undefined : ctx.unitOf(filter.unitCode).code;
      const ids = [...new Set([...(await listed()), ...startedHere])];
      const found = await Promise.all(ids.map((id) => status(id).catch(() => undefined)));
      const mine = found.filter((s): s is Awaited<S> => s !== undefined && (!unitCode || kind.unitOf(s) === unitCode));
      return Promise.all(mine.sort(kind.order).map(kind.overviewOf));
    },
    timeline: async (id) => {
      const [entries, notices] = await Promise.all([
        call(id, 'read its timeline', (h) => h.query(timelineQuery)),
        noticesOf(id),
      ]);
      return withDeliveries(entries, notices);
    },
    agenda: (id) => call(id, 'read its agenda', (h) => h.query(agendaQuery)),
    history: (id) =>
      call(id, 'read its history', async (h) => {
        const [history, notices] = await Promise.all([h.fetchHistory(), noticesOf(id)]);
        return readableHistory(history, { timeShiftMs: ctx.timeShiftMs, deliveries: deliveriesByKey(notices) });
      }),
    workflowIdOf,
    async close(id, { reason }) {
      try {
        await call(id, 'close', (h) => h.signal(closeSignal, { reason }));
        return true;
      } catch (err) {
        // Ended by itself (answered, both steps done): nothing left to close.
        if (isRefusal(err) && err.type === 'AlreadyClosed') return false;
        throw err;
      }
    },
    ended: (id) => call(id, 'wait for its end', (h) => h.result() as Promise<S>),
  };
}
