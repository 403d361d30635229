/**
 * Scoring (考核): the points an outcome earns, a unit's score for a quarter or the year, the ranking, and which units
 * are to be criticised in the bulletin (通报批评). Pure: the caller hands in the outcomes, the extensions granted, the
 * notices signed for late and the working-day calendar. docs/scoring.md states the rules and the defaults.
 */
import { DateTime } from 'luxon';
import type { HolidayCalendar } from './calendar';
import type { Outcome } from './notice';
import { PLAN_TIMEZONE, type ObligationKind } from './plan';

/** Points of one item (an obligation's period, an incident step, a request), on a scale of 0 to 100. */
export interface ScoringPoints {
  /** Fulfilled before the due date ended. (Default: 100) */
  onTime: number;
  /** Fulfilled late, by one working day. (Default: 80) */
  late: number;
  /** Taken off a late item for each working day late after the first. (Default: 5) */
  latePerWorkingDay: number;
  /** A late item never earns less than this: late is better than never. (Default: 40) */
  lateFloor: number;
  /** Not fulfilled. (Default: 0) */
  missed: number;
  /** Waived by the general office; null leaves the item out of the score. (Default: null) */
  waived: number | null;
  /** Taken off an item for each extension of its due date granted. (Default: 5) */
  extension: number;
  /** Taken off the unit's score for each notice it signed for late (签收). (Default: 1) */
  signedForLate: number;
}

/** When a unit is to be criticised (通报批评) in the bulletin. */
export interface CriticismRule {
  /** A score below this. (Default: 60) */
  scoreBelow: number;
  /** Any emergency window (task 55: 5-hour information, 24-hour press conference) breached: late or missed. (Default: true) */
  emergencyBreach: boolean;
}

/** The whole scoring policy; a scoring file overrides any part of {@link DEFAULT_SCORING}. */
export interface ScoringPolicy {
  points: ScoringPoints;
  /** Weight of each obligation kind in a unit's score; 0 leaves the kind out. (Default: 1, emergency steps 2) */
  weights: Record<ObligationKind, number>;
  /** A notice is signed for late when its unit signs more than this many hours after it was sent. (Default: 24) */
  signForWithinHours: number;
  criticise: CriticismRule;
}

/** The default scoring policy (docs/scoring.md has it as a table). */
export const DEFAULT_SCORING: ScoringPolicy = Object.freeze({
  points: Object.freeze({
    onTime: 100,
    late: 80,
    latePerWorkingDay: 5,
    lateFloor: 40,
    missed: 0,
    waived: null,
    extension: 5,
    signedForLate: 1,
  }),
  weights: Object.freeze({
    'implementation-plan': 1,
    'quarterly-progress': 1,
    'year-end-report': 1,
    'task-deadline': 1,
    'recurring-publication': 1,
    'emergency-information': 2,
    'emergency-press-conference': 2,
    'information-request': 1,
  }),
  signForWithinHours: 24,
  criticise: Object.freeze({ scoreBelow: 60, emergencyBreach: true }),
});

/** The emergency windows of task 55. */
export const EMERGENCY_KINDS: ReadonlySet<ObligationKind> = new Set([
  'emergency-information',
  'emergency-press-conference',
]);

/** The calendar date (Asia/Shanghai) of a `YYYY-MM-DD` date or an ISO instant. */
export function planDate(dateOrInstant: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(dateOrInstant)) return dateOrInstant;
  const day = DateTime.fromISO(dateOrInstant, { setZone: true }).setZone(PLAN_TIMEZONE).toISODate();
  if (!day) throw new RangeError(`date: expected a date or an ISO instant, got ${JSON.stringify(dateOrInstant)}`);
  return day;
}

/**
 * Working days an item was late: those after its due date up to the day it was fulfilled (Asia/Shanghai), at least 1
 * (fulfilled on the weekend after a Friday deadline, or an emergency window missed by an hour, is one day late).
 */
export function lateWorkingDays(due: string, fulfilledAt: string, calendar: HolidayCalendar): number {
  const dueDay = planDate(due);
  const doneDay = planDate(fulfilledAt);
  let days = 0;
  for (let d = calendar.addWorkingDays(dueDay, 1); d <= doneDay; d = calendar.addWorkingDays(d, 1)) days++;
  return Math.max(1, days);
}

/** An item as scored: its points (null when not scored) and what they came from. */
export interface ScoredItem {
  outcome: Outcome;
  /** null for items not scored: still open, or waived with `points.waived` null. */
  points: number | null;
  /** Working days late, for late items. (Default: absent) */
  lateWorkingDays?: number;
  /** Extensions of its due date granted. */
  extensions: number;
}

/**
 * The points of one outcome: on time, late (less per working day, not below the floor), missed, waived; less the
 * extensions granted (not below 0). Open items are not scored.
 */
export function scoreItem(
  outcome: Outcome,
  context: { calendar: HolidayCalendar; extensions: number; policy?: ScoringPolicy },
): ScoredItem {
  const p = (context.policy ?? DEFAULT_SCORING).points;
  const item: ScoredItem = { outcome, points: null, extensions: context.extensions };
  let points: number | null;
  switch (outcome.status) {
    case 'open':
      return item;
    case 'on-time':
      points = p.onTime;
      break;
    case 'missed':
      points = p.missed;
      break;
    case 'waived':
      points = p.waived;
      break;
    case 'late': {
      // A late outcome without a fulfilment instant (not written by duban's workflows) counts as one day late.
      const days = outcome.fulfilledAt ? lateWorkingDays(outcome.due, outcome.fulfilledAt, context.calendar) : 1;
      item.lateWorkingDays = days;
      points = Math.max(p.lateFloor, p.late - p.latePerWorkingDay * (days - 1));
      break;
    }
  }
  if (points !== null) points = Math.max(0, points - p.extension * context.extensions);
  return { ...item, points };
}

/** Counts of a unit's outcomes by status, as the reports' 按单位 table has them. */
export interface StatusCounts {
  'on-time': number;
  late: number;
  missed: number;
  waived: number;
  open: number;
}

/** One unit's score for a period. */
export interface UnitScore {
  unitCode: string;
  /** 0–100, one decimal; null when nothing of the unit's was scored in the period. */
  score: number | null;
  /** 1 for the best; units with the same score share a rank; null when not scored. */
  rank: number | null;
  /** Every outcome of the unit in the period. */
  items: number;
  counts: StatusCounts;
  /** Extensions granted on the unit's items. */
  extensions: number;
  /** Notices the unit signed for late (zero until sign-for data exists). */
  signedForLate: number;
  /** The unit's late and missed items, by due date. */
  overdue: ScoredItem[];
  /** Why the unit is to be criticised; empty when it is not. */
  criticisms: string[];
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

function emptyCounts(): StatusCounts {
  return { 'on-time': 0, late: 0, missed: 0, waived: 0, open: 0 };
}

/**
 * A unit's score: each obligation (task and kind) counts once, its periods' points averaged, weighted by its kind;
 * then the points for notices signed for late are taken off (not below 0).
 */
function unitScore(items: ScoredItem[], signedForLate: number, policy: ScoringPolicy): number | null {
  const byObligation = new Map<string, { kind: ObligationKind; points: number[] }>();
  for (const item of items) {
    if (item.points === null) continue;
    const key = `${item.outcome.taskNo ?? '-'}/${item.outcome.obligation}`;
    let entry = byObligation.get(key);
    if (!entry) byObligation.set(key, (entry = { kind: item.outcome.obligation, points: [] }));
    entry.points.push(item.points);
  }
  let weighted = 0;
  let weights = 0;
  for (const { kind, points } of byObligation.values()) {
    const weight = policy.weights[kind] ?? 1;
    if (weight <= 0) continue;
    weighted += (weight * points.reduce((a, b) => a + b, 0)) / points.length;
    weights += weight;
  }
  if (weights === 0) return null;
  return round1(Math.max(0, weighted / weights - policy.points.signedForLate * signedForLate));
}

/** What {@link scoreUnits} scores. */
export interface ScoringInput {
  outcomes: readonly Outcome[];
  /** Extensions granted per item, keyed by {@link itemKey}. (Default: none) */
  extensions?: ReadonlyMap<string, number>;
  /** Notices signed for late per unit code. (Default: none) */
  signedForLate?: ReadonlyMap<string, number>;
  calendar: HolidayCalendar;
  /** (Default: {@link DEFAULT_SCORING}) */
  policy?: ScoringPolicy;
}

/** The key of one item: `task/unit/obligation/period` (`-` for absent parts). */
export function itemKey(ref: Pick<Outcome, 'taskNo' | 'unitCode' | 'obligation' | 'period'>): string {
  return [ref.taskNo ?? '-', ref.unitCode, ref.obligation, ref.period ?? '-'].join('/');
}

/**
 * Every unit with an outcome in `outcomes`, scored and ranked: best score first, the same score the same rank (1, 1,
 * 3), ties ordered by unit code; units with nothing scored last, without a rank.
 */
export function scoreUnits(input: ScoringInput): UnitScore[] {
  const policy = input.policy ?? DEFAULT_SCORING;
  const byUnit = new Map<string, ScoredItem[]>();
  for (const outcome of input.outcomes) {
    const item = scoreItem(outcome, {
      calendar: input.calendar,
      extensions: input.extensions?.get(itemKey(outcome)) ?? 0,
      policy,
    });
    let list = byUnit.get(outcome.unitCode);
    if (!list) byUnit.set(outcome.unitCode, (list = []));
    list.push(item);
  }
  const scores: UnitScore[] = [...byUnit].map(([unitCode, items]) => {
    const counts = emptyCounts();
    for (const item of items) counts[item.outcome.status]++;
    const signedForLate = input.signedForLate?.get(unitCode) ?? 0;
    const overdue = items
      .filter((i) => i.outcome.status === 'late' || i.outcome.status === 'missed')
      .sort(
        (a, b) => a.outcome.due.localeCompare(b.outcome.due) || itemKey(a.outcome).localeCompare(itemKey(b.outcome)),
      );
    return {
      unitCode,
      score: unitScore(items, signedForLate, policy),
      rank: null,
      items: items.length,
      counts,
      extensions: items.reduce((n, i) => n + i.extensions, 0),
      signedForLate,
      overdue,
      criticisms: [],
    };
  });
  scores.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.unitCode.localeCompare(b.unitCode));
  for (const s of scores) {
    if (s.score === null) continue;
    s.rank = 1 + scores.filter((o) => o.score !== null && o.score > s.score!).length;
    s.criticisms = criticisms(s, policy.criticise);
  }
  return scores;
}

/** Why a scored unit is to be criticised under `rule` (Chinese, as the bulletin writes it). */
function criticisms(s: UnitScore, rule: CriticismRule): string[] {
  const out: string[] = [];
  if (s.score !== null && s.score < rule.scoreBelow) out.push(`得分${s.score}分，低于${rule.scoreBelow}分`);
  if (rule.emergencyBreach) {
    const breached = s.overdue.filter((i) => EMERGENCY_KINDS.has(i.outcome.obligation)).length;
    if (breached > 0) out.push(`突发事件处置超出时限${breached}项`);
  }
  return out;
}

/** A notice that asked its unit to sign for it (签收): when it was sent and when, if yet, the unit signed. */
export interface SignForRecord {
  unitCode: string;
  /** ISO instant. */
  sentAt: string;
  /** ISO instant, or null while not signed for. */
  signedAt: string | null;
}

/**
 * Notices signed for late, per unit: signed more than `withinHours` after being sent, or not signed and `withinHours`
 * past at `nowMs`.
 */
export function signedForLate(
  records: readonly SignForRecord[],
  withinHours: number,
  nowMs: number,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    const limit = Date.parse(r.sentAt) + withinHours * 3_600_000;
    const late = r.signedAt === null ? nowMs > limit : Date.parse(r.signedAt) > limit;
    if (late) out.set(r.unitCode, (out.get(r.unitCode) ?? 0) + 1);
  }
  return out;
}

/** On-time rate of what was due and not waived, as the reports compute 按时率; null when nothing was. */
export function onTimeRate(counts: StatusCounts): number | null {
  const due = counts['on-time'] + counts.late + counts.missed;
  return due > 0 ? counts['on-time'] / due : null;
}

/** A rate as the reports write it: `87.5%`, or `—` when there is none. */
export function percent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}
