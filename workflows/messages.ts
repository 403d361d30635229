/**
 * Messages of duban's workflows, shared with clients: typed signals, updates (with validators in the workflows)
 * and queries. Refusals are `ApplicationFailure`s whose `type` is a {@link RefusalType}. The names on the wire
 * (`'fulfil'`, `'window-timeline'` …) never change: running workflows and older clients depend on them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HolidayYear } from '../src/domain/holidays';
import type { Evidence, ItemState, SignForVia, TimelineEntry, UpcomingNotice } from '../src/domain/notice';
import type { ObligationSpec } from '../src/domain/obligations';
import type { ItemStatus } from '../src/domain/overview';
import type { IsoDate } from '../src/domain/plan';

export type { RefusalType } from '../src/domain/refusals';
export type { ItemState, TimelineEntry, UpcomingNotice } from '../src/domain/notice';
export type { ItemStatus } from '../src/domain/overview';

/** Record that an obligation (or one period of it) was fulfilled. */
export interface FulfilInput {
  /** Period label for recurring duties and quarterly progress; omitted: the earliest open period that has begun. */
  period?: string | null;
  /** When it was fulfilled, ISO 8601 with offset. (Default: now) */
  at?: string;
  evidence: Evidence;
}

/** Grant an extension: a new due date, which reschedules every remaining notice. */
export interface ExtensionInput {
  period?: string | null;
  newDue: IsoDate;
  reason: string;
  approver: string;
}

/** Waive an obligation (or one period). */
export interface WaiverInput {
  period?: string | null;
  reason: string;
  approver: string;
}

/** Sign for (签收) a notice of the obligation: through its mailed link (one notice) or the dashboard (every one sent). */
export interface SignForInput {
  /** The notice's key; omitted: every reminder and escalation sent and not yet signed for. */
  noticeKey?: string;
  /** Who signed: a role and unit (`officer@3501`) or `operator`; never a name or an address. */
  by: string;
  via: SignForVia;
}

export interface ObligationStatus {
  obligation: ObligationSpec['obligation'];
  taskNo: number | null;
  unitCode: string;
  items: ItemStatus[];
  closed: boolean;
  /**
   * Why the holiday data last given to the workflow could not be used (it keeps the calendar it had), until data
   * that can be used arrives. (Default: absent)
   */
  calendarError?: string;
}

/** Designate (or remove) a unit for a task whose units are 省直有关部门. */
export interface DesignationInput {
  taskNo: number;
  /** The task's obligations for this unit, as `taskObligations` computes them; empty to remove. */
  obligations: ObligationSpec[];
  remove?: boolean;
  by: string;
}

/**
 * The holiday years added to this installation (every one of them, not only the new one): a workflow's calendar
 * becomes the built-in years overridden by these, and its remaining notices move with it.
 */
export interface CalendarInput {
  years: HolidayYear[];
}

/** Ends every obligation of a plan: open items are recorded as they stand (missed if past due). */
export interface CloseInput {
  reason: string;
}

export const fulfilUpdate = defineUpdate<ObligationStatus, [FulfilInput]>('fulfil');
export const extendUpdate = defineUpdate<ObligationStatus, [ExtensionInput]>('extend');
export const waiveUpdate = defineUpdate<ObligationStatus, [WaiverInput]>('waive');
export const closeSignal = defineSignal<[CloseInput]>('close');
/** Obligation workflow: a notice signed for (签收); see {@link SignForInput}. Refused once the obligation is closed. */
export const signForUpdate = defineUpdate<ObligationStatus, [SignForInput]>('sign-for');
/** Every workflow: holiday years were added (`duban holidays add`); see {@link CalendarInput}. */
export const calendarSignal = defineSignal<[CalendarInput]>('calendar');
export const statusQuery = defineQuery<ObligationStatus>('status');
/** Every workflow: notices still to come, earliest first. */
export const agendaQuery = defineQuery<UpcomingNotice[]>('agenda');
/** Every workflow: what happened so far. */
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
/** The same as {@link agendaQuery}, under the name incident and request workflows first answered. */
export const windowAgendaQuery = defineQuery<UpcomingNotice[]>('window-agenda');
/** The same as {@link timelineQuery}, under the name incident and request workflows first answered. */
export const windowTimelineQuery = defineQuery<TimelineEntry[]>('window-timeline');
/** Obligation workflow: status and upcoming notices in one round trip, for overviews of many workflows. */
export const overviewQuery = defineQuery<{ status: ObligationStatus; upcoming: UpcomingNotice[] }>('overview');

/** Unit workflow: designate or remove a unit for a task; answers with the unit's obligation ids. */
export const designateUpdate = defineUpdate<string[], [DesignationInput]>('designate');
/** Unit workflow: ids of its obligation workflows and whether each is still running. */
export const obligationsQuery = defineQuery<{ id: string; workflowId: string; running: boolean }[]>('obligations');

// ---------------------------------------------------------------------------------------------------------------
// Event-driven windows: emergency response (task 55) and information requests (task 60)
// ---------------------------------------------------------------------------------------------------------------

/** The two steps of an emergency response. */
export type EmergencyStep = 'information' | 'press-conference';

/** Incident levels task 55 covers: 特别重大 (class I) and 重大 (class II). */
export type IncidentLevel = '特别重大' | '重大';

/** Record that an emergency step was done. */
export interface EmergencyDoneInput {
  step: EmergencyStep;
  /** When it was done (information published, press conference held), ISO 8601 with offset. (Default: now) */
  at?: string;
  evidence: Evidence;
}

/** State of one emergency step. */
export interface EmergencyStepStatus {
  step: EmergencyStep;
  obligation: 'emergency-information' | 'emergency-press-conference';
  /** t0 + the window, ISO 8601 with `+08:00`. */
  due: string;
  /** `pending` inside the window, `missed` once breached (until done: `late`). */
  state: Extract<ItemState, 'pending' | 'on-time' | 'late' | 'missed' | 'open'>;
  doneAt: string | null;
  /** Minutes the step beat (positive) or missed (negative) its window; null until done. */
  marginMinutes: number | null;
}

export interface EmergencyStatus {
  incidentId: string;
  unitCode: string;
  level: IncidentLevel;
  occurredAt: string;
  reportedAt: string;
  steps: EmergencyStepStatus[];
  closed: boolean;
}

/** Grant the one extension of an information request's reply limit (延长答复期限). */
export interface RequestExtensionInput {
  /** Working days added; at most the statutory limit. (Default: the statutory limit, 15 or 20) */
  workingDays?: number;
  /** Who approved it (机关负责人); required. */
  approver: string;
  reason: string;
}

/** Stop the clock while a third party is consulted (征求第三方意见), or restart it. */
export interface RequestPauseInput {
  /** The day the consultation began (pause) or its answer arrived (resume), `YYYY-MM-DD`. (Default: today) */
  on?: IsoDate;
  /** Who is consulted, or what came back. */
  reason: string;
}

/** The corrected request (补正后的申请) arrived: the count restarts from that day. */
export interface RequestCorrectionInput {
  /** The day the corrected request arrived, `YYYY-MM-DD`. (Default: today) */
  receivedOn?: IsoDate;
  note?: string;
}

/** The reply was sent: closes the request. */
export interface RequestReplyInput {
  /** When the reply was sent, ISO 8601 with offset. (Default: now) */
  at?: string;
  evidence?: Evidence;
}

export interface InformationRequestStatus {
  requestId: string;
  unitCode: string;
  /** Day of receipt the count runs from (the corrected request's, after a correction). */
  receivedOn: IsoDate;
  /** The first receipt, before any correction. */
  firstReceivedOn: IsoDate;
  regulation: '2008' | '2019';
  /** Current due date D; null while the clock is paused. */
  due: IsoDate | null;
  /** Statutory working days plus extension plus paused working days. */
  workingDays: number;
  state: Extract<ItemState, 'pending' | 'paused' | 'overdue' | 'missed' | 'on-time' | 'late' | 'open'>;
  extension: { workingDays: number; approver: string; reason: string; at: string } | null;
  pauses: { from: IsoDate; to: IsoDate | null; workingDays: number; reason: string }[];
  repliedAt: string | null;
  closed: boolean;
  /**
   * Why the reply limit cannot be computed, or why the holiday data last given could not be used (the calendar it
   * had stays). (Default: absent)
   */
  calendarError?: string;
}

export const emergencyDoneUpdate = defineUpdate<EmergencyStatus, [EmergencyDoneInput]>('emergency-done');
export const emergencyStatusQuery = defineQuery<EmergencyStatus>('emergency-status');
export const requestExtendUpdate = defineUpdate<InformationRequestStatus, [RequestExtensionInput]>('request-extend');
export const requestPauseUpdate = defineUpdate<InformationRequestStatus, [RequestPauseInput]>('request-pause');
export const requestResumeUpdate = defineUpdate<InformationRequestStatus, [RequestPauseInput]>('request-resume');
export const requestCorrectUpdate = defineUpdate<InformationRequestStatus, [RequestCorrectionInput]>('request-correct');
export const requestReplyUpdate = defineUpdate<InformationRequestStatus, [RequestReplyInput]>('request-reply');
export const requestStatusQuery = defineQuery<InformationRequestStatus>('request-status');
