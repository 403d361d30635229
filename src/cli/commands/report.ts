import { quoted } from '../../service';
import { writeFileSync } from 'node:fs';
import { quarterBounds, quarterlyReport, renderReport, yearEndReport, type ReportFormat } from '../../reports/report';
import { type Command, UsageError } from '../command';
import { FLAGS, PLAN_FLAGS, loadPlan, withStore } from '../kit';

const FORMATS: readonly ReportFormat[] = ['md', 'csv', 'xlsx'];

/** `duban report quarterly|year-end`: inspection and year-end reports from the store. */
export const reportCommand: Command = {
  path: ['report'],
  summary:
    'the quarterly inspection report or the year-end 全年落实情况 summary, per unit and per task (md, csv, xlsx)',
  args: 'quarterly|year-end',
  description: [
    'Built from the store (DATABASE_URL, else $DUBAN_DATA_DIR/duban.sqlite): outcomes per unit and per task',
    '(按时完成, 逾期完成, 未完成, 免除, 未到期, 按时率) with the reminders and escalations sent and extensions granted.',
    'quarterly covers items due in the quarter and notices sent in it; year-end covers the whole plan.',
  ],
  flags: [
    {
      name: 'quarter',
      type: 'string',
      value: 'YYYY-Qn',
      help: 'quarterly only: the quarter',
      default: 'the latest quarter with an item due',
    },
    { name: 'format', type: 'string', value: 'md|csv|xlsx', help: 'output format (xlsx needs --out)', default: 'md' },
    FLAGS.out,
    ...PLAN_FLAGS,
  ],
  async run({ values, positionals }) {
    const kind = positionals[0];
    if (kind !== 'quarterly' && kind !== 'year-end')
      throw new UsageError(`report kind: ${quoted(kind)} is not quarterly or year-end (duban report --help)`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument ${quoted(positionals[1])}`);
    const format = ((values.format as string | undefined) ?? 'md') as ReportFormat;
    if (!FORMATS.includes(format))
      throw new UsageError(`--format: ${quoted(format)} is not one of ${FORMATS.join(', ')}`);
    const out = values.out as string | undefined;
    if (format === 'xlsx' && !out) throw new UsageError('--out: an xlsx report is binary; give a file to write it to');
    const quarter = values.quarter as string | undefined;
    if (quarter !== undefined) {
      if (kind !== 'quarterly') throw new UsageError('--quarter: only for the quarterly report');
      try {
        quarterBounds(quarter);
      } catch (err) {
        throw new UsageError(`--quarter: ${(err as Error).message.replace(/^quarter: /, '')}`);
      }
    }
    const { plan, directory, timeShiftMs } = await loadPlan(values);
    await withStore(async (store) => {
      const src = { store, planId: plan.id, plan, directory, rehearsalShiftMs: timeShiftMs };
      const report = kind === 'quarterly' ? await quarterlyReport({ ...src, quarter }) : await yearEndReport(src);
      const body = renderReport(report, format);
      if (out) {
        writeFileSync(out, body);
        console.error(`duban report: ${report.title} written to ${out}`);
      } else {
        process.stdout.write(body);
      }
    });
    return 0;
  },
};
