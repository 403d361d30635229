/**
 * From a plan and a unit directory to the obligations each unit carries (what the workflows run). Pure.
 * Every unit named in the table (after groups are expanded) owes the notice's milestones; every assignment of a
 * task with date or cadence duties owes those duties.
 */
import { expandAssignments, type AssignmentList } from './assignments';
import type { Directory } from './directory';
import { DateTime } from 'luxon';
import {
  PLAN_TIMEZONE,
  type Cadence,
  type DueIn,
  type IsoDate,
  type ObligationKind,
  type Plan,
  type Task,
} from './plan';
import type { HolidayCalendar } from './calendar';
import {
  obligationAgenda,
  periodsOf,
  quarterlyProgressDues,
  type AgendaRule,
  type LeadEscalationTarget,
  type Policy,
} from './policy';

/** One deadline of an obligation: a period of a recurring duty, or the single due date (`period: null`). */
export interface ObligationItem {
  period: string | null;
  due: IsoDate;
}

/** One obligation of one unit: the unit of work of an obligation workflow. */
export interface ObligationSpec {
  /** Suffix of the workflow ID, ASCII: `implementation-plan`, `task-16-deadline`, `task-20-week`. */
  id: string;
  obligation: ObligationKind;
  taskNo: number | null;
  /** Which policy rule sets the agenda: `deadline` (reminders 5/2/1/0, three escalations) or `recurring`. */
  rule: AgendaRule;
  /** Cadence of a recurring duty, for messages and search. */
  every?: Cadence;
  items: ObligationItem[];
  /** Where escalations addressed to the task's lead units go (unit-wide obligations: the general office). */
  escalateTo: LeadEscalationTarget;
  leadUnitCodes: string[];
  title: string;
  requirement: string;
  /** The source phrase the duty or milestone was derived from. */
  source: string;
}

/** Every obligation of one unit under one plan. */
export interface UnitSchedule {
  unitCode: string;
  unitName: string;
  obligations: ObligationSpec[];
}

/** The obligations of a whole plan, plus what the operator still has to decide. */
export interface PlanSchedule {
  units: UnitSchedule[];
  assignments: AssignmentList;
}

const MILESTONE_TITLES: Record<string, string> = {
  'implementation-plan': '制定具体实施方案或工作安排并书面报送',
  'quarterly-progress': '按季度报送落实情况',
  'year-end-report': '全年落实情况书面报送',
};

/** The obligations one task's duties create for one of its units (empty for tasks without date or cadence). */
export function taskObligations(plan: Plan, task: Task, leadUnitCodes: string[]): ObligationSpec[] {
  const specs: ObligationSpec[] = [];
  const escalateTo: LeadEscalationTarget = leadUnitCodes.length > 0 ? 'lead-units' : 'general-office';
  const base = { taskNo: task.no, escalateTo, leadUnitCodes, title: task.title, requirement: task.requirements };
  const deadlines: IsoDate[] = [];
  for (const duty of task.duties) {
    if (duty.kind === 'task-deadline' && duty.due) {
      // Two phrases naming the same date (年内 and 2017年底前) are one deadline; a second date is its own obligation.
      if (deadlines.includes(duty.due)) continue;
      deadlines.push(duty.due);
      specs.push({
        ...base,
        id: deadlines.length === 1 ? `task-${task.no}-deadline` : `task-${task.no}-deadline-${duty.due}`,
        obligation: 'task-deadline',
        rule: 'deadline',
        items: [{ period: null, due: duty.due }],
        source: duty.source,
      });
    } else if (duty.kind === 'recurring-publication' && duty.every) {
      const items = recurringItems(duty.every, plan, duty.dueIn);
      if (items.length === 0) continue;
      specs.push({
        ...base,
        id: `task-${task.no}-${duty.every}`,
        obligation: 'recurring-publication',
        rule: 'recurring',
        every: duty.every,
        items,
        source: duty.source,
      });
    }
    // periodic-unspecified waits for an operator's cadence; ongoing duties (长期推进) are covered by the quarterly
    // progress report; emergency and information-request duties start from events (incidents, requests).
  }
  return specs.filter((s, i) => specs.findIndex((o) => o.id === s.id) === i);
}

/**
 * The items of a recurring duty in the plan year: each period ending on or after the publish date, due on its last
 * day, or on the day `dueIn` names within it (每月5日前: the 5th; a day past the month's end is its last day), then
 * only the periods not yet due when the plan was published. (Default dueIn: the period's last day)
 */
export function recurringItems(
  every: Cadence,
  plan: Pick<Plan, 'year' | 'publishedOn'>,
  dueIn?: DueIn,
): ObligationItem[] {
  const periods = periodsOf(every, plan.year, plan.publishedOn);
  if (!dueIn) return periods.map((p) => ({ period: p.label, due: p.due }));
  return periods
    .map((p) => {
      const month = DateTime.fromISO(p.start, { zone: PLAN_TIMEZONE }).plus({ months: (dueIn.month ?? 1) - 1 });
      const due = month.set({ day: Math.min(dueIn.day, month.daysInMonth ?? 28) });
      return { period: p.label, due: due.toISODate() as IsoDate };
    })
    .filter((item) => item.due >= plan.publishedOn);
}

/** Unit-wide milestones of the covering notice: implementation plan, quarterly progress, year-end report. */
export function milestoneObligations(plan: Plan): ObligationSpec[] {
  const specs: ObligationSpec[] = [];
  const base = { taskNo: null, escalateTo: 'general-office' as const, leadUnitCodes: [], requirement: '' };
  const yearEnd = plan.milestones.find((m) => m.kind === 'year-end-report' && m.due);
  for (const m of plan.milestones) {
    if (m.kind === 'quarterly-progress') {
      const dues = quarterlyProgressDues(plan.year, plan.publishedOn, yearEnd?.due ?? `${plan.year}-12-31`);
      if (dues.length === 0) continue;
      specs.push({
        ...base,
        id: m.kind,
        obligation: m.kind,
        rule: 'deadline',
        items: dues.map((due) => ({ period: `${due.slice(0, 4)}-Q${Math.ceil(Number(due.slice(5, 7)) / 3)}`, due })),
        title: MILESTONE_TITLES[m.kind] ?? m.kind,
        source: m.source,
      });
    } else if (m.due) {
      specs.push({
        ...base,
        id: m.kind,
        obligation: m.kind,
        rule: 'deadline',
        items: [{ period: null, due: m.due }],
        title: MILESTONE_TITLES[m.kind] ?? m.kind,
        source: m.source,
      });
    }
  }
  return specs;
}

/**
 * Every unit's obligations under a plan: the milestones for each unit the table names (groups expanded; the
 * general office itself supervises and owes none) and each task's duties for its lead and responsible units.
 * Units of 省直有关部门 come later, by designation.
 */
export function planSchedule(plan: Plan, directory: Directory): PlanSchedule {
  const assignments = expandAssignments(plan.tasks, directory);
  const names = new Map(directory.units.map((u) => [u.code, u.name]));
  const tasks = new Map(plan.tasks.map((t) => [t.no, t]));
  const leadsOf = new Map<number, string[]>();
  for (const a of assignments.assignments) {
    if (a.role === 'lead') leadsOf.set(a.taskNo, [...(leadsOf.get(a.taskNo) ?? []), a.unitCode]);
  }
  const milestones = milestoneObligations(plan);
  // A task's obligations are the same for each of its units: computed once per task, not once per assignment.
  const perTask = new Map<number, ObligationSpec[]>();
  const obligationsOf = (task: Task): ObligationSpec[] => {
    let specs = perTask.get(task.no);
    if (!specs) {
      specs = taskObligations(plan, task, leadsOf.get(task.no) ?? []);
      perTask.set(task.no, specs);
    }
    return specs;
  };
  const byUnit = new Map<string, UnitSchedule>();
  for (const a of assignments.assignments) {
    if (a.unitCode === directory.generalOffice) continue;
    let unit = byUnit.get(a.unitCode);
    if (!unit) {
      unit = { unitCode: a.unitCode, unitName: names.get(a.unitCode) ?? a.unitCode, obligations: [...milestones] };
      byUnit.set(a.unitCode, unit);
    }
    const task = tasks.get(a.taskNo);
    if (!task) continue;
    for (const spec of obligationsOf(task)) {
      if (!unit.obligations.some((o) => o.id === spec.id)) unit.obligations.push(spec);
    }
  }
  return { units: [...byUnit.values()], assignments };
}

/**
 * The years without a holiday notice (provisional: weekends only) that the dates of these obligations depend on,
 * ascending: what plan start, designation and status warn about. (Default calendar: the built-in one)
 */
export function provisionalYearsOf(
  specs: readonly ObligationSpec[],
  options: { activeFrom: string; policy?: Policy; calendar?: HolidayCalendar },
): number[] {
  const years = new Set<number>();
  const seen = new Set<string>();
  for (const spec of specs) {
    for (const item of spec.items) {
      const key = `${spec.rule}|${spec.escalateTo}|${item.due}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const agenda = obligationAgenda({ ...spec, due: item.due, ...options });
      for (const y of agenda.provisionalYears) years.add(y);
    }
  }
  return [...years].sort((a, b) => a - b);
}
