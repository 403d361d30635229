/**
 * Traffic lights (红黄绿灯) of obligation items, incident steps and information requests: green on track or done,
 * yellow inside the reminder window, red overdue or missed.
 */
import type { HolidayCalendar } from './calendar';
import { deadlineEndMs } from './deadlines';
import type { ItemState } from './notice';
import { DEFAULT_POLICY, obligationAgenda, policyRule, type AgendaRule, type Policy } from './policy';

/** Green on track or done, yellow inside the reminder window, red overdue or missed. */
export type Light = 'green' | 'yellow' | 'red';

/** Every light, green first. */
export const LIGHTS: readonly Light[] = ['green', 'yellow', 'red'];

const DONE = new Set<ItemState>(['on-time', 'late', 'waived']);
const ORDER: Record<Light, number> = { green: 0, yellow: 1, red: 2 };

/** What decides a light. */
export interface LightInput {
  state: ItemState;
  /** A date, or an instant for emergency windows. */
  due: string;
  nowMs: number;
  /**
   * When the reminder window opens (the first reminder's instant), null when the policy sends no reminder; asked
   * only when the state leaves the light open.
   */
  windowOpensMs: number | null | (() => number | null);
  /**
   * Whether the first reminder is still ahead by the workflow's own record, which beats the clock: once it is
   * sent (or was dropped) the window is open. (Default: undefined, the clock alone decides)
   */
  firstReminderAhead?: boolean;
}

/** The light of one item. */
export function lightOf(input: LightInput): Light {
  if (DONE.has(input.state)) return 'green';
  if (input.state === 'overdue' || input.state === 'missed') return 'red';
  if (input.nowMs >= deadlineEndMs(input.due)) return 'red';
  if (input.state === 'open' || input.state === 'paused') return 'green';
  if (input.firstReminderAhead === false) return 'yellow';
  const opens = typeof input.windowOpensMs === 'function' ? input.windowOpensMs() : input.windowOpensMs;
  return opens !== null && input.nowMs >= opens ? 'yellow' : 'green';
}

/**
 * When the reminder window of a date deadline opens: the instant of its first reminder under the policy's rule,
 * or null when the rule sends none (or the calendar cannot say). (Default policy: the default policy in the README)
 */
export function deadlineWindowOpensMs(args: {
  rule: AgendaRule;
  due: string;
  policy?: Policy;
  /** (Default: the built-in calendar) */
  calendar?: HolidayCalendar;
}): number | null {
  try {
    const reminders = obligationAgenda({
      rule: args.rule,
      due: args.due,
      // Early enough that no reminder is dropped; the walk back stops at this floor.
      activeFrom: `${args.due.slice(0, 4)}-01-01`,
      policy: args.policy,
      calendar: args.calendar,
    }).items.filter((a) => a.stage.startsWith('reminder-'));
    return reminders[0] ? Date.parse(reminders[0].at) : null;
  } catch {
    return null;
  }
}

/** The stage of a date deadline's first reminder under the policy's rule, e.g. `reminder-5`; null when none. */
export function firstReminderStage(rule: AgendaRule, policy: Policy = DEFAULT_POLICY): string | null {
  const before = policyRule(policy, rule).remindWorkingDaysBefore;
  return before.length > 0 ? `reminder-${Math.max(...before)}` : null;
}

/** Light counts of some items. */
export function countLights(items: readonly { light: Light }[]): Record<Light, number> {
  const counts: Record<Light, number> = { green: 0, yellow: 0, red: 0 };
  for (const i of items) counts[i.light]++;
  return counts;
}

/** Light counts of some counted groups of items (`{ light, count }`). */
export function lightTotals(groups: readonly { light: Light; count: number }[]): Record<Light, number> {
  const counts: Record<Light, number> = { green: 0, yellow: 0, red: 0 };
  for (const g of groups) counts[g.light] += g.count;
  return counts;
}

/** The worst light of some items (red over yellow over green); null when there are none. */
export function worstLight(items: readonly { light: Light }[]): Light | null {
  let worst: Light | null = null;
  for (const i of items) if (worst === null || ORDER[i.light] > ORDER[worst]) worst = i.light;
  return worst;
}
