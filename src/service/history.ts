/**
 * A workflow's event history made readable for operators: timers, messages received (updates, signals), activities
 * (notices sent, outcomes and events recorded), start and end, with times in Asia/Shanghai plan time. Workflow-task
 * bookkeeping events are left out: they say nothing an operator can act on.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { PLAN_TIMEZONE } from '../domain/plan';
import type { DueReport } from '../../activities';
import { deliveryText, type NoticeDelivery } from './deliveries';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

/** One readable line of a workflow's history. */
export interface HistoryEntry {
  /** Event id in the Temporal history, for finding it in the UI. */
  eventId: number;
  /** When the event happened, plan time, ISO 8601 with `+08:00`. */
  at: string;
  /** What sort of thing happened. */
  kind: 'workflow' | 'timer' | 'message' | 'notice' | 'outcome' | 'event' | 'activity' | 'child';
  /**
   * One line, e.g. `notice reminder-5 (due 2017-05-27, scheduled …): sent to czt.officer@…`; a notice is `queued for`
   * its recipients until the outbox says it was sent, `failed for` or `undeliverable to` them (with why) after.
   */
  summary: string;
  /** The raw Temporal event type, e.g. `TIMER_STARTED`. */
  eventType: string;
  /** A notice the workflow queued: its key in the outbox. (Default: absent, not such a notice) */
  noticeKey?: string;
  /** How that notice fared, recipient by recipient, when the store was read. (Default: absent, not known) */
  delivery?: NoticeDelivery;
}

/** Options of {@link readableHistory}. */
export interface ReadableHistoryOptions {
  /** Plan time = server time + this (simulations). (Default: 0) */
  timeShiftMs?: number;
  /** Deliveries of the workflow's notices by notice key, from the store. (Default: none: notices read as queued) */
  deliveries?: ReadonlyMap<string, NoticeDelivery>;
}

type Long = { toNumber(): number };
function num(value: number | Long | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
}

function ms(ts: { seconds?: number | Long | string | null; nanos?: number | null } | null | undefined): number {
  return ts ? num(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6) : 0;
}

function decode(payloads: Payloads): unknown[] {
  return (payloads?.payloads ?? []).map((p) => {
    try {
      return defaultPayloadConverter.fromPayload(p as never);
    } catch {
      // Encrypted or binary payloads stay opaque rather than failing the whole history.
      return '<payload>';
    }
  });
}

function short(value: unknown, max = 160): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const EVENT_NAMES: Record<string, string> = {};
function eventTypeName(e: HistoryEvent): string {
  const attr = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k]);
  if (!attr) return String(e.eventType ?? 'UNKNOWN');
  // timerStartedEventAttributes → TIMER_STARTED
  return (EVENT_NAMES[attr] ??= attr
    .replace(/EventAttributes$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase());
}

interface ActivityInfo {
  name: string;
  input: unknown;
}

/** Where an item of a notice or outcome belongs: ` for 2017-W40`, or nothing for a single deadline. */
const forPeriod = (period: unknown): string => (period ? ` for ${String(period)}` : '');

function activitySummary(info: ActivityInfo): { kind: HistoryEntry['kind']; text: string } {
  const input = info.input as Record<string, unknown> | undefined;
  switch (info.name) {
    case 'sendNotice':
      return {
        kind: 'notice',
        text: `notice ${String(input?.stage)}${forPeriod(input?.period)} (due ${String(input?.due)}, scheduled ${String(input?.at)})`,
      };
    case 'recordOutcome':
      return {
        kind: 'outcome',
        text: `outcome ${String(input?.status)}${forPeriod(input?.period)}${input?.fulfilledAt ? ` (fulfilled ${String(input.fulfilledAt)})` : ''}`,
      };
    case 'recordEvent': {
      const event = input?.event as Record<string, unknown> | undefined;
      return {
        kind: 'event',
        text: `${String(event?.type)} recorded${forPeriod(input?.period)}`,
      };
    }
    default:
      return { kind: 'activity', text: `${info.name}(${short(input, 80)})` };
  }
}

/** One readable line before its event's id, time and type are added. */
interface Line {
  kind: HistoryEntry['kind'];
  text: string;
  noticeKey?: string;
  delivery?: NoticeDelivery;
}

/**
 * Lines of a local activity's marker. Its input is not in the history, only its result, so `deliverDue` reports
 * each notice (stage, due, instant, recipients or refusal) and outcome it handled.
 */
function localActivityLines(
  attributes: temporal.api.history.v1.IMarkerRecordedEventAttributes,
  deliveries: ReadonlyMap<string, NoticeDelivery>,
): Line[] {
  const details = attributes.details ?? {};
  const data = decode(details.data)[0] as { activity_type?: string } | undefined;
  const name = data?.activity_type ?? 'local activity';
  if (attributes.failure) return [{ kind: 'activity', text: `${name} failed: ${attributes.failure.message ?? ''}` }];
  if (name !== 'deliverDue') return [{ kind: 'activity', text: `${name} done` }];
  const report = decode(details.result)[0] as Partial<DueReport> | undefined;
  const lines: Line[] = [];
  for (const n of report?.notices ?? []) {
    const what = `notice ${n.stage}${forPeriod(n.period)} (due ${n.due}, scheduled ${n.at})`;
    if (n.refused) {
      lines.push({ kind: 'notice', text: `${what}: refused: ${n.refused.message}` });
      continue;
    }
    const delivery = deliveries.get(n.key);
    lines.push({
      kind: 'notice',
      text: `${what}: ${deliveryText(n.recipients, delivery)}`,
      noticeKey: n.key,
      ...(delivery ? { delivery } : {}),
    });
  }
  for (const o of report?.outcomes ?? []) {
    lines.push({ kind: 'outcome', text: `outcome ${o.status}${forPeriod(o.period)}: recorded` });
  }
  return lines;
}

/** Turns a fetched history into readable entries, oldest first. */
export function readableHistory(history: History, options: ReadableHistoryOptions = {}): HistoryEntry[] {
  const shift = options.timeShiftMs ?? 0;
  const deliveries = options.deliveries ?? new Map<string, NoticeDelivery>();
  const iso = (m: number): string => DateTime.fromMillis(m + shift, { zone: PLAN_TIMEZONE }).toISO() as string;
  const activities = new Map<number, ActivityInfo>();
  const updates = new Map<string, string>();
  const entries: HistoryEntry[] = [];
  for (const e of history.events ?? []) {
    const eventType = eventTypeName(e);
    const eventMs = ms(e.eventTime);
    const push = (kind: HistoryEntry['kind'], summary: string, notice: Omit<Line, 'kind' | 'text'> = {}): void => {
      entries.push({ eventId: num(e.eventId), at: iso(eventMs), kind, summary, eventType, ...notice });
    };
    if (e.workflowExecutionStartedEventAttributes) {
      const a = e.workflowExecutionStartedEventAttributes;
      const input = decode(a.input)[0] as Record<string, unknown> | undefined;
      const spec = input?.spec as Record<string, unknown> | undefined;
      push(
        'workflow',
        `started ${a.workflowType?.name ?? ''}${spec?.id ? ` for ${String(spec.id)}` : ''}${input?.activeFrom ? `, active from ${String(input.activeFrom)}` : ''}${a.continuedExecutionRunId ? ' (continued as new)' : ''}`,
      );
    } else if (e.timerStartedEventAttributes) {
      const a = e.timerStartedEventAttributes;
      push('timer', `timer ${a.timerId ?? ''} set to fire at ${iso(eventMs + ms(a.startToFireTimeout))}`);
    } else if (e.timerFiredEventAttributes) {
      push('timer', `timer ${e.timerFiredEventAttributes.timerId ?? ''} fired`);
    } else if (e.timerCanceledEventAttributes) {
      push('timer', `timer ${e.timerCanceledEventAttributes.timerId ?? ''} cancelled (a message arrived)`);
    } else if (e.workflowExecutionSignaledEventAttributes) {
      const a = e.workflowExecutionSignaledEventAttributes;
      push('message', `signal ${a.signalName ?? ''} received: ${short(decode(a.input)[0])}`);
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const a = e.workflowExecutionUpdateAcceptedEventAttributes;
      const name = a.acceptedRequest?.input?.name ?? '';
      if (a.protocolInstanceId) updates.set(a.protocolInstanceId, name);
      push('message', `update ${name} accepted: ${short(decode(a.acceptedRequest?.input?.args)[0])}`);
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      const name = updates.get(a.meta?.updateId ?? '') ?? 'update';
      const failure = a.outcome?.failure;
      push('message', failure ? `update ${name} failed: ${failure.message ?? ''}` : `update ${name} completed`);
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const info = { name: a.activityType?.name ?? 'activity', input: decode(a.input)[0] };
      activities.set(num(e.eventId), info);
      const { kind, text } = activitySummary(info);
      push(kind, `${text}: scheduled`);
    } else if (e.activityTaskCompletedEventAttributes) {
      const a = e.activityTaskCompletedEventAttributes;
      const info = activities.get(num(a.scheduledEventId)) ?? { name: 'activity', input: undefined };
      const { kind, text } = activitySummary(info);
      const result = decode(a.result)[0] as { recipients?: string[] } | undefined;
      const key = (info.input as { key?: unknown } | undefined)?.key;
      if (info.name === 'sendNotice' && result?.recipients && typeof key === 'string') {
        const delivery = deliveries.get(key);
        push(kind, `${text}: ${deliveryText(result.recipients, delivery)}`, {
          noticeKey: key,
          ...(delivery ? { delivery } : {}),
        });
      } else push(kind, `${text}: done`);
    } else if (e.activityTaskFailedEventAttributes) {
      const a = e.activityTaskFailedEventAttributes;
      const info = activities.get(num(a.scheduledEventId)) ?? { name: 'activity', input: undefined };
      const { kind, text } = activitySummary(info);
      push(kind, `${text}: failed: ${a.failure?.message ?? ''}`);
    } else if (e.activityTaskTimedOutEventAttributes) {
      const info = activities.get(num(e.activityTaskTimedOutEventAttributes.scheduledEventId));
      push('activity', `${info?.name ?? 'activity'} timed out`);
    } else if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') {
      for (const { kind, text, ...notice } of localActivityLines(e.markerRecordedEventAttributes, deliveries))
        push(kind, text, notice);
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      const a = e.startChildWorkflowExecutionInitiatedEventAttributes;
      push('child', `child ${a.workflowId ?? ''} starting`);
    } else if (e.childWorkflowExecutionCompletedEventAttributes) {
      const a = e.childWorkflowExecutionCompletedEventAttributes;
      push('child', `child ${a.workflowExecution?.workflowId ?? ''} completed`);
    } else if (e.workflowExecutionCompletedEventAttributes) {
      const result = decode(e.workflowExecutionCompletedEventAttributes.result)[0] as
        { items?: { period: string | null; state: string }[] } | undefined;
      const states = result?.items?.map((i) => (i.period ? `${i.period} ${i.state}` : i.state)).join(', ');
      push('workflow', `completed${states ? `: ${states}` : ''}`);
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      push('workflow', 'continued as new (history kept short); earlier events are in the previous run');
    } else if (e.workflowExecutionFailedEventAttributes) {
      push('workflow', `failed: ${e.workflowExecutionFailedEventAttributes.failure?.message ?? ''}`);
    } else if (e.workflowExecutionCanceledEventAttributes) {
      push('workflow', 'cancelled');
    } else if (e.workflowExecutionTerminatedEventAttributes) {
      push('workflow', `terminated: ${e.workflowExecutionTerminatedEventAttributes.reason ?? ''}`);
    } else if (e.workflowExecutionCancelRequestedEventAttributes) {
      push('workflow', 'cancellation requested (unit closed or removed)');
    }
  }
  return entries;
}
