import { writeFileSync } from 'node:fs';
import { unitCalendar } from '../../reports/ics';
import { type Command, UsageError } from '../command';
import { FLAGS, PLAN_FLAGS, flag, loadPlan, unitFlag } from '../kit';

/** `duban calendar`: a unit's iCalendar file of due dates and reminders. */
export const calendarCommand: Command = {
  path: ['calendar'],
  summary: "an iCalendar (.ics) file of a unit's due dates and reminders, for Outlook or phone calendars",
  description: [
    'Computes every due date and reminder of the unit from the plan and the policy (RFC 5545, times in',
    'Asia/Shanghai). UIDs are stable, so importing a newer file updates the events instead of duplicating them.',
  ],
  flags: [flag(FLAGS.unit, { required: true }), FLAGS.out, ...PLAN_FLAGS, FLAGS.policy],
  async run({ values }) {
    const { plan, directory, policy } = await loadPlan(values);
    const unit = unitFlag(directory, values.unit);
    let ics: string;
    try {
      ics = unitCalendar({ plan, directory, unitCode: unit.code, policy });
    } catch (err) {
      throw new UsageError(`--unit: ${(err as Error).message.replace(/^unit: /, '')}`);
    }
    if (typeof values.out === 'string') {
      writeFileSync(values.out, ics);
      console.error(`duban calendar: ${unit.name} written to ${values.out}`);
    } else {
      process.stdout.write(ics);
    }
    return 0;
  },
};
