import type { ObligationStatus } from '../../../workflows/messages';
import {
  PLAN_HELP,
  PLAN_OPTIONS,
  instantFlag,
  loadOperatorPlan,
  obligationRefFlags,
  shortTime,
  whoFlag,
  withOperatorService,
} from '../../operator/cli-support';
import { type Command, UsageError } from '../command';

/** Help lines of the flags that name one obligation; shared by fulfil, extend and waive. */
export const OBLIGATION_HELP = [
  '  --unit U           unit name, alias or code (required)',
  '  --obligation O     implementation-plan | quarterly-progress | year-end-report | task-deadline |',
  '                     recurring-publication, or an id such as task-20-week (required)',
  '  --task N           task number (task-deadline, recurring-publication)',
  '  --period P         period label: 2017-Q3, 2017-W40, 2017-05, 2017 (default: the earliest open period)',
];

export const OBLIGATION_OPTIONS = {
  unit: { type: 'string' },
  obligation: { type: 'string' },
  task: { type: 'string' },
  period: { type: 'string' },
} as const;

/** Prints an obligation's status after a change. */
export function printStatus(status: ObligationStatus, json: unknown): void {
  if (json) {
    console.log(JSON.stringify(status, null, 2));
    return;
  }
  const what = `${status.taskNo !== null ? `任务${status.taskNo} ` : ''}${status.obligation} of ${status.unitCode}`;
  console.log(`${what}${status.closed ? ' (closed)' : ''}:`);
  for (const i of status.items) {
    console.log(
      `  ${(i.period ?? '').padEnd(9)} due ${i.due}  ${i.state}${i.fulfilledAt ? ` ${shortTime(i.fulfilledAt)}` : ''}${i.extended ? ' (extended)' : ''}`,
    );
  }
}

/** `duban fulfil`: record that an obligation (or one period) was fulfilled, with evidence. */
export const fulfilCommand: Command = {
  path: ['fulfil'],
  summary: 'record that a unit fulfilled an obligation, with a URL or a document number (文号) as evidence',
  usage: [
    'Usage: duban fulfil --plan P --unit U --obligation O [--task N] [--period P] (--url URL | --document 文号)',
    '                    [--at INSTANT] [--by WHO] [--note TEXT] [--json]',
    '',
    "Records the fulfilment in the obligation's workflow: remaining reminders and escalations are cancelled and",
    'the outcome (on-time before D+1 00:00, else late) is stored. A refusal (already fulfilled, unknown period,',
    'an instant in the future) changes nothing and exits 2.',
    '',
    'Options:',
    ...OBLIGATION_HELP,
    '  --url URL          where it was published',
    '  --document 文号    document reference of the submission',
    '  --at INSTANT       when it was fulfilled, e.g. 2017-05-24T15:30+08:00 (default: now)',
    '  --by WHO           who records it (default: $DUBAN_OPERATOR or the OS user)',
    '  --note TEXT        a note kept with the evidence',
    ...PLAN_HELP,
  ].join('\n'),
  options: {
    ...PLAN_OPTIONS,
    ...OBLIGATION_OPTIONS,
    url: { type: 'string' },
    document: { type: 'string' },
    at: { type: 'string' },
    by: { type: 'string' },
    note: { type: 'string' },
  },
  async run({ values }) {
    const { plan, directory } = loadOperatorPlan(values);
    const { unit: _unit, ...ref } = obligationRefFlags(values, plan, directory);
    const url = (values.url as string | undefined)?.trim();
    const document = (values.document as string | undefined)?.trim();
    if (!url && !document) throw new UsageError('--url or --document: evidence of the fulfilment is required');
    if (url && !/^https?:\/\/\S+$/.test(url)) throw new UsageError(`--url: '${url}' is not an http(s) URL`);
    const at = instantFlag(values.at, '--at');
    const recordedBy = whoFlag(values);
    const status = await withOperatorService(plan, directory, (s) =>
      s.fulfil(ref, {
        ...(at ? { at } : {}),
        evidence: {
          ...(url ? { url } : {}),
          ...(document ? { document } : {}),
          recordedBy,
          ...(values.note ? { note: String(values.note) } : {}),
        },
      }),
    );
    printStatus(status, values.json);
    return 0;
  },
};
