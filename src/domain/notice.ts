/**
 * What workflows hand to activities: notices (reminders, escalations, breaches) and outcomes.
 * Shared by workflows/, activities/ and src/store; pure types and key helpers only.
 */
import type { IsoDate, ObligationKind } from './plan';

/** Deadline stages (README, "Default policy") and emergency-window stages. */
export type Stage =
  | 'reminder-5'
  | 'reminder-2'
  | 'reminder-1'
  | 'reminder-0'
  | 'escalation-1'
  | 'escalation-2'
  | 'escalation-3'
  | 'opened'
  | 'reminder-2h'
  | 'reminder-1h'
  | 'reminder-12h'
  | 'reminder-4h'
  | 'breach'
  // A stage name built from a configured offset, e.g. `reminder-7` when a policy file asks for 7 working days.
  | `reminder-${number}`
  | `reminder-${number}h`
  | `escalation-${number}`
  // To the general office: an item's dates could not be computed; it needs an operator.
  | 'calendar-error'
  // A reminder or escalation not signed for (签收) within the policy's working hours: `unsigned-reminder-2`.
  | `unsigned-${string}`;

/** Who a notice goes to; activities resolve roles to contacts through the unit directory. */
export type RecipientRole =
  | 'officer' // the unit's 联络员
  | 'head' // the unit's 单位负责人
  | 'lead-units' // heads of the task's lead units (牵头单位)
  | 'general-office'; // 省政府办公厅

export interface Notice {
  /** Idempotency key: plan/task/unit/obligation/period/stage (see {@link noticeKey}). */
  key: string;
  planId: string;
  /** null for unit-wide obligations (implementation plan, quarterly progress, year-end report). */
  taskNo: number | null;
  unitCode: string;
  obligation: ObligationKind;
  /** Period label for recurring duties (`2017-W40`, `2017-09`, `2017-Q3`, `2017`), incident or request id for windows. */
  period: string | null;
  /** `YYYY-MM-DD` for date deadlines, an ISO instant with offset for emergency windows. */
  due: string;
  stage: Stage;
  /** The instant the workflow scheduled this notice, ISO 8601 with `+08:00`. */
  at: string;
  notify: RecipientRole[];
  /** Unit codes behind the `lead-units` role. */
  leadUnitCodes: string[];
  /**
   * Years without a State Council holiday notice yet that this notice's dates depend on: counted with weekends only,
   * so they may still move. (Default: absent, every date has its notice)
   */
  provisional?: number[];
  /** Context for the message body. */
  taskTitle?: string;
  requirement?: string;
}

export type OutcomeStatus = 'on-time' | 'late' | 'missed' | 'waived' | 'open';

/**
 * State of an obligation item, an incident step or an information request: `pending` before the deadline,
 * `overdue` while escalating, `paused` while a request's clock is stopped, then an {@link OutcomeStatus}.
 */
export type ItemState = 'pending' | 'overdue' | 'paused' | OutcomeStatus;

/** What a timeline entry records. */
export type TimelineEntryType =
  | 'notice'
  | 'notice-failed'
  | 'fulfilment'
  | 'extension'
  | 'waiver'
  | 'missed'
  | 'closed'
  // incidents and information requests
  | 'done'
  | 'breached'
  | 'pause'
  | 'resume'
  | 'correction'
  | 'reply'
  // the working-day calendar: a year's notice added (dates moved), or data that could not be used
  | 'calendar'
  | 'calendar-error'
  // a notice signed for (签收)
  | 'sign-for';

/** What happened so far in a workflow (obligation, incident or request), for `duban history` and the dashboard. */
export interface TimelineEntry {
  at: string;
  type: TimelineEntryType;
  /** Period label of a recurring duty, or the incident or request id; null for the whole obligation. */
  period: string | null;
  /** Incidents: the step (`information`, `press-conference`) or `incident`; requests: `information-request`. */
  what?: string;
  stage?: Stage;
  recipients?: string[];
  detail?: string;
}

/** A notice still to come. */
export interface UpcomingNotice {
  at: string;
  stage: Stage;
  obligation: ObligationKind;
  /** As {@link Notice.period}. */
  period: string | null;
  /** As {@link Notice.due}: a date, or an instant for emergency windows. */
  due: string;
  notify: RecipientRole[];
  /** As {@link Notice.provisional}. (Default: absent) */
  provisional?: number[];
}

export interface Evidence {
  /** Document reference (文号) or file name. */
  document?: string;
  /** Publication URL. */
  url?: string;
  /** Who recorded it (operator or officer id; no personal data beyond that). */
  recordedBy: string;
  note?: string;
}

export interface Outcome {
  planId: string;
  taskNo: number | null;
  unitCode: string;
  obligation: ObligationKind;
  period: string | null;
  due: string;
  status: OutcomeStatus;
  /** ISO instant with `+08:00`, or null when not fulfilled. */
  fulfilledAt: string | null;
  evidence?: Evidence;
  /**
   * Emergency windows: minutes by which the step beat its window (positive) or missed it (negative), from
   * `fulfilledAt` to `due`; absent when not fulfilled or for date deadlines. Derivable from `due` and
   * `fulfilledAt`, so stores need not keep it. (Default: absent)
   */
  marginMinutes?: number;
}

/** Operator actions kept in the store beside outcomes. */
export type ObligationEvent =
  | { type: 'fulfilment'; at: string; evidence: Evidence }
  | { type: 'extension'; at: string; newDue: IsoDate; reason: string; approver: string }
  | { type: 'waiver'; at: string; reason: string; approver: string }
  /**
   * Notices of one item signed for (签收) at once: each one's key, stage and when it was sent; who signed (a role and
   * unit or `operator`, never a name) and through what (the mailed link or the dashboard).
   */
  | { type: 'sign-for'; at: string; notices: SignedNotice[]; by: string; via: SignForVia };

/** A notice as a sign-for event names it. */
export interface SignedNotice {
  key: string;
  stage: Stage;
  /** The notice's scheduled instant, ISO 8601. */
  sentAt: string;
}

/** How a notice was signed for: the link in the message, the dashboard's button, or `duban sign-for`. */
export type SignForVia = 'link' | 'dashboard' | 'cli';

/** Builds the idempotency key of a notice: `plan/task/unit/obligation/period/stage` (`-` for absent parts). */
export function noticeKey(
  n: Pick<Notice, 'planId' | 'taskNo' | 'unitCode' | 'obligation' | 'period' | 'stage'>,
): string {
  return [n.planId, n.taskNo ?? '-', n.unitCode, n.obligation, n.period ?? '-', n.stage].join('/');
}
