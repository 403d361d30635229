import type { Command } from '../command';
import {
  FLAGS,
  OBLIGATION_FLAGS,
  PLAN_FLAGS,
  loadPlan,
  obligationRefFlags,
  printResult,
  whoFlag,
  withDuban,
} from '../kit';
import { statusLines } from './fulfil';

/** `duban sign-for`: record that a unit signed for (签收) its notices, e.g. when it confirmed by telephone. */
export const signForCommand: Command = {
  path: ['sign-for'],
  summary: 'record that a unit signed for (签收) the reminders and escalations of an obligation it received',
  description: [
    'Signs for every reminder and escalation of the obligation sent and not yet signed for (--notice KEY: that one),',
    'recording who (--by, else DUBAN_OPERATOR) and when on its timeline. Nothing to sign for, a notice signed for',
    'before, or a closed obligation is refused and nothing changes (exit 3).',
  ],
  flags: [
    ...OBLIGATION_FLAGS,
    { name: 'notice', type: 'string', help: "one notice's key (as `duban history` shows it)" },
    FLAGS.by,
    ...PLAN_FLAGS,
    FLAGS.json,
  ],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const ref = obligationRefFlags(values, loaded);
    const by = whoFlag(values);
    const noticeKey = typeof values.notice === 'string' && values.notice !== '' ? values.notice : undefined;
    const status = await withDuban(loaded, (d) =>
      d.obligations.signFor(ref, { ...(noticeKey ? { noticeKey } : {}), by, via: 'cli' }),
    );
    printResult(values, status, () => statusLines(status));
    return 0;
  },
};
