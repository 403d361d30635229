/**
 * Rehearsals: a plan whose year is over (the bundled 2017 example) replayed in the present, so a newcomer sees
 * lights change and reminders go out in the coming days. Plan time = real time + a fixed shift of whole days, so
 * the plan's clock reads what a wall clock reads now; its working days need not fall on today's. Pure.
 */
import { DateTime } from 'luxon';
import { PLAN_TIMEZONE, type Plan } from './plan';

/** Whether the plan's year is over at `nowMs`: running it in real time would show only what was missed. */
export function yearIsOver(plan: Pick<Plan, 'year'>, nowMs: number): boolean {
  return DateTime.fromMillis(nowMs, { zone: PLAN_TIMEZONE }).year > plan.year;
}

/**
 * The plan day a rehearsal starts on: four days before the implementation plan is due (2017-05-23 for the bundled
 * plan: inside its first reminder window, with weekly publications already overdue and the quarter still ahead, so
 * green, yellow and red show at once), else 18 days after publication. `YYYY-MM-DD`.
 */
export function rehearsalStart(plan: Pick<Plan, 'milestones' | 'publishedOn'>): string {
  const due = plan.milestones.find((m) => m.kind === 'implementation-plan')?.due;
  const day = due
    ? DateTime.fromISO(due, { zone: PLAN_TIMEZONE }).minus({ days: 4 })
    : DateTime.fromISO(plan.publishedOn, { zone: PLAN_TIMEZONE }).plus({ days: 18 });
  return day.toISODate() as string;
}

/**
 * The shift (plan time − real time) of a rehearsal begun at `nowMs`: whole days, so that the plan's clock then reads
 * {@link rehearsalStart} at today's wall-clock time (Asia/Shanghai). Negative for a past plan.
 */
export function rehearsalShiftMs(plan: Pick<Plan, 'milestones' | 'publishedOn'>, nowMs: number): number {
  const now = DateTime.fromMillis(nowMs, { zone: PLAN_TIMEZONE });
  const start = DateTime.fromISO(rehearsalStart(plan), { zone: PLAN_TIMEZONE });
  const planNow = start.set({ hour: now.hour, minute: now.minute, second: now.second, millisecond: now.millisecond });
  return planNow.toMillis() - nowMs;
}
