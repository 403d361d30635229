/**
 * An obligation's overview as its workflow hands it to the activities with every notice, outcome and event it
 * records, so the store holds each obligation's current state (the read model that status and the dashboard read)
 * without a query to every workflow. Types, and the one rule that derives an item's view from its notices to come.
 */
import type { ItemState } from './notice';
import type { IsoDate, ObligationKind } from './plan';

/** Status of one item (period) of an obligation. */
export interface ItemStatus {
  period: string | null;
  due: IsoDate;
  /** `pending` before the deadline, `overdue` while escalating, then `missed`; terminal: on-time, late, waived. */
  state: ItemState;
  fulfilledAt: string | null;
  extended: boolean;
  /** Why this item's dates cannot be computed; its notices wait for an extension or new calendar data. (Default: absent) */
  calendarError?: string;
}

/** One item (period) of an obligation as its workflow sees it, with what its light depends on. */
export interface OverviewItem extends ItemStatus {
  /** The item's next notice still to go out (its earliest unsent stage), plan time; null when none. */
  next: { at: string; stage: string; provisional?: number[] } | null;
  /**
   * Whether the policy's first reminder of the item is still to go out (a light input, see `lightOf`); null when the
   * policy sends no reminder.
   */
  firstReminderAhead: boolean | null;
  /** The first reminder's instant, epoch ms, while it is ahead; null otherwise. */
  windowOpensMs: number | null;
}

/** An obligation's overview: what `overviewQuery` answers, reduced to what status and the dashboard show. */
export interface ObligationOverview {
  planId: string;
  unitCode: string;
  taskNo: number | null;
  obligation: ObligationKind;
  /** Suffix of the workflow ID (`task-20-week`). */
  obligationId: string;
  closed: boolean;
  /** Why the holiday data last given to the workflow could not be used. (Default: absent) */
  calendarError?: string;
  /**
   * Workflow time of the overview, epoch ms, and its sequence number within the run: a store keeps the latest, so
   * a retried or overtaken write never puts an older overview back.
   */
  asOfMs: number;
  seq: number;
  items: OverviewItem[];
  /**
   * Each item's position in the obligation's whole list when `items` holds only those whose row changed since the
   * store last held the overview (the loop's writes); the rows of the others stay as they are. (Default: absent,
   * `items` is the whole list)
   */
  indexes?: number[];
}

/** What an item's light and next notice depend on: {@link OverviewItem} less its status. */
export type ItemView = Pick<OverviewItem, 'next' | 'firstReminderAhead' | 'windowOpensMs'>;

/**
 * An item's view from its notices still to go out (each with its instant in epoch ms): the earliest is its next,
 * and the policy's first reminder stage (null: it sends none) says whether the reminder window is still ahead. The
 * workflow derives it from its agenda, a backfill from the workflow's `upcoming` answer.
 */
export function itemViewOf(
  unsent: readonly { at: string; ms: number; stage: string; provisional?: number[] }[],
  firstStage: string | null,
): ItemView {
  let next: (typeof unsent)[number] | undefined;
  for (const a of unsent) if (!next || a.ms < next.ms) next = a;
  const first = firstStage === null ? undefined : unsent.find((a) => a.stage === firstStage);
  return {
    next: next
      ? { at: next.at, stage: next.stage, ...(next.provisional ? { provisional: next.provisional } : {}) }
      : null,
    firstReminderAhead: firstStage === null ? null : first !== undefined,
    windowOpensMs: first ? first.ms : null,
  };
}
