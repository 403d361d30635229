import { writeFileSync } from 'node:fs';
import { unitCalendar } from '../../operator/ics';
import { PLAN_HELP, PLAN_OPTIONS, loadOperatorPlan, unitFlag } from '../../operator/cli-support';
import { type Command, UsageError } from '../command';

/** `duban calendar`: a unit's iCalendar file of due dates and reminders. */
export const calendarCommand: Command = {
  path: ['calendar'],
  summary: "an iCalendar (.ics) file of a unit's due dates and reminders, for Outlook or phone calendars",
  usage: [
    'Usage: duban calendar --unit U [--plan ID|FILE] [--out FILE]',
    '',
    'Computes every due date and reminder of the unit from the plan and the policy (RFC 5545, times in',
    'Asia/Shanghai). UIDs are stable, so importing a newer file updates the events instead of duplicating them.',
    '',
    'Options:',
    '  --unit U           unit name, alias or code (required)',
    '  --out FILE         write to FILE instead of stdout',
    ...PLAN_HELP.filter((l) => !l.includes('--json')),
  ].join('\n'),
  options: { ...PLAN_OPTIONS, unit: { type: 'string' }, out: { type: 'string' } },
  async run({ values }) {
    const { plan, directory } = loadOperatorPlan(values);
    const unit = unitFlag(directory, values.unit);
    let ics: string;
    try {
      ics = unitCalendar({ plan, directory, unitCode: unit.code });
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
