/**
 * The store's contract: the outbox of notices and their deliveries, outcomes, and operator events
 * (fulfilments, extensions, waivers). Kept outside Temporal so reports survive namespace retention.
 */
import type { HolidayYear } from '../domain/holidays';
import type { Notice, ObligationEvent, Outcome, OutcomeStatus, RecipientRole } from '../domain/notice';
import type { Light } from '../domain/lights';
import type { ObligationOverview, OverviewItem } from '../domain/overview';
import type { ObligationKind } from '../domain/plan';

/**
 * State of one delivery (one notice to one address). `sending` is a claim with a lease: a row still
 * `sending` after its lease means the dispatcher died between handing the message over and marking it.
 */
export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'undeliverable';

/** State of a notice as a whole, derived from its deliveries (any still pending → `queued`). */
export type NoticeStatus = 'queued' | 'sent' | 'failed' | 'undeliverable';

/** A resolved recipient of a notice. */
export interface Recipient {
  address: string;
  name: string;
  /** The role this person was reached through (the first one when several roles resolve to one address). */
  role: RecipientRole;
  /** The unit whose officer or head this person is. */
  unitCode: string;
  /** Message language. (Default: 'zh') */
  locale: 'zh' | 'en';
}

/** A report to the general office that a notice did not reach one of its recipients. */
export interface UndeliverableReport {
  notice: Notice;
  failed: Recipient;
  /**
   * The SMTP server's answer, e.g. `550 5.1.1 user unknown`; for a message that could not be composed, why; for a
   * skipped contact, what is wrong with it.
   */
  response: string;
  /**
   * The address was accepted but the message was refused (at DATA) or could not be composed: the delivery `failed`,
   * where otherwise the address was refused (`undeliverable`). (Default: absent, the address was refused)
   */
  messageRefused?: boolean;
  /**
   * The contact was never tried: its name or address in the directory cannot go into a mail header. `failed`
   * then carries the unit and role only (name and address left empty: they are what is broken).
   */
  skipped?: boolean;
}

/** What an outbox row carries: a workflow's notice, or the store's own report about a refused address. */
export type OutboxPayload =
  { kind: 'notice'; notice: Notice } | { kind: 'undeliverable-report'; report: UndeliverableReport };

/** Input to {@link Store.enqueue}. */
export interface OutboxEntry {
  /** Idempotency key; a second enqueue with the same key changes nothing. */
  key: string;
  payload: OutboxPayload;
  recipients: Recipient[];
  /** The scheduled instant (digest grouping key together with the address), epoch ms. */
  atMs: number;
  /** Earliest dispatch time, epoch ms: the grouping grace after queueing. */
  notBeforeMs: number;
}

/** One delivery row as stored. */
export interface DeliveryRecord {
  id: number;
  noticeKey: string;
  address: string;
  name: string;
  role: RecipientRole;
  unitCode: string;
  locale: 'zh' | 'en';
  status: DeliveryStatus;
  /** Hand-overs to the mail transport so far (a claim counts as one). */
  attempts: number;
  atMs: number;
  queuedAt: string;
  sentAt: string | null;
  messageId: string | null;
  lastError: string | null;
}

/** A delivery claimed for sending, with what it carries. */
export interface ClaimedDelivery extends DeliveryRecord {
  payload: OutboxPayload;
  /** Every recipient of the same notice, so a message can say who else was told. */
  recipients: Recipient[];
}

/** A notice as stored, with its deliveries. */
export interface NoticeRecord {
  key: string;
  kind: OutboxPayload['kind'];
  planId: string;
  taskNo: number | null;
  unitCode: string;
  obligation: ObligationKind;
  period: string | null;
  /** A {@link Notice} stage, or `undeliverable` for reports. */
  stage: string;
  due: string;
  at: string;
  status: NoticeStatus;
  createdAt: string;
  payload: OutboxPayload;
  recipients: Recipient[];
  deliveries: DeliveryRecord[];
}

/** Identifies one obligation (and period): the key outcomes are upserted by. */
export interface ObligationRef {
  planId: string;
  taskNo: number | null;
  unitCode: string;
  obligation: ObligationKind;
  period: string | null;
}

/** An operator event as stored. */
export interface ObligationEventRecord extends ObligationRef {
  id: number;
  event: ObligationEvent;
  recordedAt: string;
}

/** A stored outcome with the time it was last written. */
export interface OutcomeRecord extends Outcome {
  updatedAt: string;
}

/** Filters for {@link Store.listNotices}; all optional, combined with AND. */
export interface NoticeFilter {
  planId?: string;
  unitCode?: string;
  taskNo?: number | null;
  obligation?: ObligationKind;
  period?: string | null;
  kind?: OutboxPayload['kind'];
  /** Only notices scheduled strictly before this instant, epoch ms. */
  beforeAtMs?: number;
}

/** Filters for {@link Store.listOutcomes}; all optional, combined with AND. */
export interface OutcomeFilter {
  planId?: string;
  unitCode?: string;
  taskNo?: number | null;
  obligation?: ObligationKind;
  status?: OutcomeStatus;
}

/** Filters for {@link Store.listEvents}. */
export type EventFilter = Partial<ObligationRef> & { type?: ObligationEvent['type'] };

/**
 * How an audited API call ended: applied, refused by a workflow, invalid input, forbidden, or failed. `pending`:
 * the intent was written before the change and the outcome never was (the process stopped in between).
 */
export type AuditResult = 'ok' | 'refused' | 'invalid' | 'forbidden' | 'error' | 'pending';

/** The outcome written into an intent entry once the change has been tried. */
export interface AuditOutcome {
  result: Exclude<AuditResult, 'pending'>;
  status: number;
  message: string | null;
  /** The unit and target as the change came to know them (a handler may learn the unit while it runs). */
  unitCode: string | null;
  target: Record<string, unknown>;
}

/** Input to {@link Store.recordAudit}: one change attempted through the HTTP API. */
export interface AuditEntry {
  /** Who: `operator` or `officer:<unit code>` (never a token). */
  actor: string;
  role: 'operator' | 'officer';
  /** What: `fulfil`, `extend`, `waive`, `designate`. */
  action: string;
  planId: string | null;
  unitCode: string | null;
  /** The obligation or task acted on, as sent (plan, unit, obligation, task, period). */
  target: Record<string, unknown>;
  /** The request body as sent. */
  input: unknown;
  result: AuditResult;
  /** The HTTP status answered. */
  status: number;
  /** The refusal's or error's message; null when it went through. */
  message: string | null;
}

/** An audit entry as stored. */
export interface AuditRecord extends AuditEntry {
  id: number;
  /** When, ISO 8601 (UTC). */
  at: string;
}

/** Filters for {@link Store.listAudit}; all optional, combined with AND. */
export interface AuditFilter {
  planId?: string;
  unitCode?: string;
  actor?: string;
  /** Newest entries first, at most this many. (Default: all, oldest first) */
  limit?: number;
}

/** A year of holiday data added after release (`duban holidays add`), as stored. */
export interface HolidayYearRecord {
  /** The year's notice and adjustments. */
  data: HolidayYear;
  /** When the year was first added, ISO 8601 (UTC). */
  addedAt: string;
  /** When its data was last replaced, ISO 8601 (UTC). */
  updatedAt: string;
}

/** One obligation item of the read model, as its workflow last recorded it (see {@link Store.putOverview}). */
export interface OverviewRecord extends OverviewItem {
  planId: string;
  unitCode: string;
  obligationId: string;
  /** Position of the item in its obligation. */
  itemIndex: number;
  taskNo: number | null;
  obligation: ObligationKind;
  /** End of the due date, epoch ms: past it an open item is red whatever its workflow last said. */
  dueEndMs: number;
  /** The item's own calendar error, else its obligation's. (Default: absent) */
  calendarError?: string;
  closed: boolean;
  /** The latest notice queued for this item, when one was queued since the read model began. */
  lastNotice: { key: string; at: string; stage: string } | null;
  /** The outcome last recorded for this item (null before any). */
  outcome: OutcomeStatus | null;
  /**
   * How the item's last notice fared in the outbox, read with the row: the notice the read model recorded, else
   * (a row written before any notice it queued, e.g. backfilled) the item's latest notice in the outbox; null when
   * the item has none.
   */
  delivery: LastNoticeDelivery | null;
  updatedAt: string;
}

/** The deliveries of an item's last notice, counted by state. */
export interface LastNoticeDelivery {
  /** The notice's key in the outbox. */
  key: string;
  stage: string;
  /** When the notice was scheduled, plan time. */
  at: string;
  /** The notice as a whole, as {@link NoticeRecord.status}: `queued` while any delivery is pending. */
  status: NoticeStatus;
  /** Deliveries still on their way (`queued` or `sending`). */
  queued: number;
  sent: number;
  /** Message refused, for good. */
  failed: number;
  /** Address refused, for good. */
  undeliverable: number;
}

/** Filters of {@link Store.listOverviews}; combined with AND. */
export interface OverviewFilter {
  planId: string;
  unitCode?: string;
  /** Only items of these units (a page of the dashboard's matrix); empty selects nothing. (Default: every unit) */
  units?: readonly string[];
  taskNo?: number;
  obligation?: ObligationKind;
  /** Only items of this light at `nowMs` (the rule of `lightOf`). */
  light?: Light;
  /** Plan time the lights are computed for, epoch ms. */
  nowMs: number;
  /** At most this many rows, after `offset`. (Default: all) */
  limit?: number;
  /** Rows skipped, in the order unit, obligation id, item (the primary key). (Default: 0) */
  offset?: number;
}

/** A count of {@link Store.countOverviews}: items of one unit, task and kind with one light (and notes). */
export interface OverviewCount {
  unitCode: string;
  taskNo: number | null;
  obligation: ObligationKind;
  light: Light;
  /** Provisional years of the items' next notices. (Default: absent, none) */
  provisional?: number[];
  /** The items' calendar error. (Default: absent, none) */
  calendarError?: string;
  count: number;
}

/** A count of {@link Store.countOverviewLights}: items of a whole selection with one light (and notes). */
export type OverviewLightCount = Omit<OverviewCount, 'unitCode' | 'taskNo' | 'obligation'>;

/** What a notice, outcome or event write also records in the read model, in the same transaction. */
export type WithOverview = ObligationOverview | undefined;

/**
 * The outcome and outbox store. Async because PostgreSQL is; the SQLite implementation serialises
 * access on its one connection. Times are passed in (epoch ms) so the caller's clock decides.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** The schema version after migrations ran on open. */
  schemaVersion(): Promise<number>;

  /** Inserts a notice and its deliveries unless the key exists; returns the stored recipients either way. */
  enqueue(
    entry: OutboxEntry,
    nowMs: number,
    overview?: WithOverview,
  ): Promise<{ created: boolean; recipients: Recipient[] }>;
  /** Digest groups (address, scheduled instant) with a queued delivery due at `nowMs`, oldest first. */
  dueGroups(nowMs: number, limit: number): Promise<{ address: string; atMs: number }[]>;
  /** Earliest instant a queued delivery becomes due, or null when none is queued. */
  nextDueMs(): Promise<number | null>;
  /** Claims every queued delivery of a group (`sending`, attempts + 1, lease until `nowMs + leaseMs`). */
  claimGroup(group: { address: string; atMs: number }, nowMs: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  /** Marks claimed deliveries sent. */
  markSent(ids: number[], info: { messageId: string; nowMs: number }): Promise<void>;
  /**
   * Puts claimed deliveries back in the queue after a transient failure, or `untried` (held back before any hand-over,
   * e.g. by a channel's rate limit: the claim's attempt is taken back).
   */
  markRetry(
    ids: number[],
    info: { error: string; nextAttemptMs: number; nowMs: number; untried?: boolean },
  ): Promise<void>;
  /** Ends claimed deliveries for good: `failed` (message refused) or `undeliverable` (address refused). */
  markFinal(ids: number[], status: 'failed' | 'undeliverable', info: { error: string; nowMs: number }): Promise<void>;
  /** Re-queues deliveries whose lease expired and returns them: each may already have been delivered once. */
  recoverExpiredLeases(nowMs: number): Promise<DeliveryRecord[]>;
  /** Deliveries of one notice. */
  deliveriesOf(noticeKey: string): Promise<DeliveryRecord[]>;
  /** Notices with their deliveries, ordered by scheduled instant then key. */
  listNotices(filter?: NoticeFilter): Promise<NoticeRecord[]>;
  /** Delivery counts by status (every status present, zero when none). */
  countDeliveries(filter?: { planId?: string }): Promise<Record<DeliveryStatus, number>>;

  /** Inserts or replaces the outcome of an obligation (and period). */
  upsertOutcome(outcome: Outcome, nowMs: number, overview?: WithOverview): Promise<void>;
  listOutcomes(filter?: OutcomeFilter): Promise<OutcomeRecord[]>;
  /** Records a fulfilment, extension or waiver; the same event (type and instant) twice is stored once. */
  recordEvent(
    ref: ObligationRef,
    event: ObligationEvent,
    nowMs: number,
    overview?: WithOverview,
  ): Promise<{ created: boolean }>;

  /**
   * Writes an obligation's overview into the read model, unless a later one (by workflow time, then sequence) is
   * there already. `enqueue`, `upsertOutcome` and `recordEvent` do the same in their own transaction when given one.
   */
  putOverview(overview: ObligationOverview, nowMs: number): Promise<void>;
  /** Read-model items a filter selects, ordered by unit, obligation id and item; one query. */
  listOverviews(filter: OverviewFilter): Promise<OverviewRecord[]>;
  /**
   * Light counts of the items a filter selects (limit and offset ignored), per unit, task, obligation kind, light,
   * provisional years and calendar error; one query.
   */
  countOverviews(filter: Omit<OverviewFilter, 'limit' | 'offset'>): Promise<OverviewCount[]>;
  /** Light counts of the items a filter selects, per light, provisional years and calendar error only; one query. */
  countOverviewLights(filter: Omit<OverviewFilter, 'limit' | 'offset'>): Promise<OverviewLightCount[]>;
  /**
   * The obligations (unit and obligation id) of a plan that have at least one item in the read model; one query on
   * the primary key. What the read model's backfill compares with the workflows that run.
   */
  listOverviewObligations(planId: string): Promise<{ unitCode: string; obligationId: string }[]>;
  listEvents(filter?: EventFilter): Promise<ObligationEventRecord[]>;

  /** Appends one entry to the audit log of API changes; returns its id. */
  recordAudit(entry: AuditEntry, nowMs: number): Promise<number>;
  /** Writes the outcome into an entry recorded as `pending` (an intent); an entry already complete is kept. */
  completeAudit(id: number, outcome: AuditOutcome): Promise<void>;
  /** Audit entries, oldest first (with `limit`: the newest that many, newest first). */
  listAudit(filter?: AuditFilter): Promise<AuditRecord[]>;

  /**
   * Stores a year of holiday data, replacing what was stored for that year; returns the record it replaced. Throws
   * a `HolidayDataError` (nothing stored) for malformed data.
   */
  putHolidayYear(data: HolidayYear, nowMs: number): Promise<{ previous: HolidayYearRecord | null }>;
  /** Every stored year of holiday data, ascending by year. */
  listHolidayYears(): Promise<HolidayYearRecord[]>;

  close(): Promise<void>;
}

/** The key outcomes and events are stored under: `plan/task/unit/obligation/period` (`-` for absent parts). */
export function obligationKey(ref: ObligationRef): string {
  return [ref.planId, ref.taskNo ?? '-', ref.unitCode, ref.obligation, ref.period ?? '-'].join('/');
}
