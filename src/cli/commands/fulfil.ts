import type { ObligationStatus } from '../../../workflows/messages';
import type { Command } from '../command';
import {
  EVIDENCE_FLAGS,
  FLAGS,
  OBLIGATION_FLAGS,
  PLAN_FLAGS,
  evidenceFlags,
  instantFlag,
  loadPlan,
  obligationRefFlags,
  printResult,
  shortTime,
  withDuban,
} from '../kit';
import { padEnd } from '../table';

/** An obligation's status after a change, one line per item. */
export function statusLines(status: ObligationStatus): string[] {
  const what = `${status.taskNo !== null ? `任务${status.taskNo} ` : ''}${status.obligation} of ${status.unitCode}`;
  return [
    `${what}${status.closed ? ' (closed)' : ''}:`,
    ...status.items.map(
      (i) =>
        `  ${padEnd(i.period ?? '', 9)} due ${i.due}  ${i.state}${i.fulfilledAt ? ` ${shortTime(i.fulfilledAt)}` : ''}${i.extended ? ' (extended)' : ''}`,
    ),
  ];
}

/** `duban fulfil`: record that an obligation (or one period) was fulfilled, with evidence. */
export const fulfilCommand: Command = {
  path: ['fulfil'],
  summary: 'record that a unit fulfilled an obligation, with a URL or a document number (文号) as evidence',
  description: [
    "Records the fulfilment in the obligation's workflow: remaining reminders and escalations are cancelled and",
    'the outcome (on-time before D+1 00:00, else late) is stored. A refusal (already fulfilled, unknown period,',
    'an instant in the future) changes nothing and exits 2.',
  ],
  flags: [...OBLIGATION_FLAGS, ...EVIDENCE_FLAGS, FLAGS.at, ...PLAN_FLAGS, FLAGS.json],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const ref = obligationRefFlags(values, loaded);
    const evidence = evidenceFlags(values)!;
    const at = instantFlag(values.at, '--at');
    const status = await withDuban(loaded, (d) => d.obligations.fulfil(ref, { ...(at ? { at } : {}), evidence }));
    printResult(values, status, () => statusLines(status));
    return 0;
  },
};
