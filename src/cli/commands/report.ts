import { quoted } from '../../service';
import { writeFileSync } from 'node:fs';
import { bulletinTitle, renderBulletin } from '../../reports/bulletin';
import { quarterBounds, quarterlyReport, renderReport, yearEndReport, type ReportFormat } from '../../reports/report';
import {
  scoreAsReport,
  scoreJson,
  scoreReport,
  signForSource,
  storeSources,
  type ScorePeriod,
} from '../../reports/score';
import { signForConfigFromEnv } from '../../mail/sign-for-token';
import { type Command, UsageError } from '../command';
import { FLAGS, PLAN_FLAGS, loadPlan, withStore } from '../kit';

const KINDS = ['quarterly', 'year-end', 'score', 'bulletin'] as const;
type Kind = (typeof KINDS)[number];

const FORMATS: Record<Kind, readonly string[]> = {
  quarterly: ['md', 'csv', 'xlsx'],
  'year-end': ['md', 'csv', 'xlsx'],
  score: ['md', 'csv', 'xlsx'],
  bulletin: ['docx'],
};

/** `duban report quarterly|year-end|score|bulletin`: inspection, year-end, scoring reports and the 通报, from the store. */
export const reportCommand: Command = {
  path: ['report'],
  summary:
    'the quarterly inspection report, the year-end 全年落实情况 summary, the units’ scores (考核) or the 通报 as Word',
  args: 'quarterly|year-end|score|bulletin',
  description: [
    'Built from the store (DATABASE_URL, else $DUBAN_DATA_DIR/duban.sqlite): outcomes per unit and per task',
    '(按时完成, 逾期完成, 未完成, 免除, 未到期, 按时率) with the reminders and escalations sent and extensions granted.',
    'quarterly covers items due in the quarter and notices sent in it; year-end covers the whole plan.',
    'score ranks the units by the scoring policy (docs/scoring.md) for a quarter (items due in it) or, with',
    '--year-end, the whole plan; bulletin writes the same as the general office’s 通报 (.docx, needs --out).',
  ],
  flags: [
    {
      name: 'quarter',
      type: 'string',
      value: 'YYYY-Qn',
      help: 'quarterly, score, bulletin: the quarter',
      default: 'the latest quarter with an item due',
    },
    {
      name: 'year-end',
      type: 'boolean',
      help: 'score, bulletin: the whole plan year (全年落实情况) instead of a quarter',
    },
    {
      name: 'format',
      type: 'string',
      value: 'md|csv|xlsx',
      help: 'output format (xlsx needs --out)',
      default: 'md',
    },
    { ...FLAGS.json, help: 'score: print the scores as JSON' },
    FLAGS.scoring,
    FLAGS.out,
    ...PLAN_FLAGS,
  ],
  async run({ values, positionals }) {
    const kind = positionals[0] as Kind;
    if (!KINDS.includes(kind))
      throw new UsageError(`report kind: ${quoted(positionals[0])} is not ${KINDS.join(', ')} (duban report --help)`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument ${quoted(positionals[1])}`);
    const format = (values.format as string | undefined) ?? (kind === 'bulletin' ? 'docx' : 'md');
    if (!FORMATS[kind].includes(format))
      throw new UsageError(`--format: ${quoted(format)} is not one of ${FORMATS[kind].join(', ')} for ${kind}`);
    const out = values.out as string | undefined;
    if ((format === 'xlsx' || format === 'docx') && !out)
      throw new UsageError(
        `--out: ${kind === 'bulletin' ? 'the bulletin' : 'an xlsx report'} is binary; give a file to write it to`,
      );
    const quarter = values.quarter as string | undefined;
    const yearEnd = values['year-end'] === true;
    const scored = kind === 'score' || kind === 'bulletin';
    if (quarter !== undefined) {
      if (kind === 'year-end') throw new UsageError('--quarter: not for the year-end report');
      if (yearEnd) throw new UsageError('--quarter: give a quarter or --year-end, not both');
      try {
        quarterBounds(quarter);
      } catch (err) {
        throw new UsageError(`--quarter: ${(err as Error).message.replace(/^quarter: /, '')}`);
      }
    }
    if (yearEnd && !scored) throw new UsageError(`--year-end: only for score and bulletin (see duban report year-end)`);
    if (values.json === true && kind !== 'score') throw new UsageError('--json: only for score');
    if (values.scoring !== undefined && !scored) throw new UsageError('--scoring: only for score and bulletin');
    const { plan, directory, scoring, timeShiftMs } = await loadPlan(values);
    await withStore(async (store) => {
      let body: string | Buffer;
      let title: string;
      if (scored) {
        const period: ScorePeriod | undefined = yearEnd ? { year: true } : quarter ? { quarter } : undefined;
        const report = await scoreReport({
          sources: storeSources(store, await signForSource(store, plan.id, signForConfigFromEnv() !== undefined)),
          planId: plan.id,
          plan,
          directory,
          policy: scoring,
          period,
          rehearsalShiftMs: timeShiftMs,
        });
        title = kind === 'bulletin' ? bulletinTitle(report, plan) : report.title;
        body =
          kind === 'bulletin'
            ? await renderBulletin(report, { plan, directory })
            : values.json === true
              ? `${JSON.stringify(scoreJson(report), null, 2)}\n`
              : renderReport(scoreAsReport(report), format as ReportFormat);
      } else {
        const src = { store, planId: plan.id, plan, directory, rehearsalShiftMs: timeShiftMs };
        const report = kind === 'quarterly' ? await quarterlyReport({ ...src, quarter }) : await yearEndReport(src);
        title = report.title;
        body = renderReport(report, format as ReportFormat);
      }
      if (out) {
        writeFileSync(out, body);
        console.error(`duban report: ${title} written to ${out}`);
      } else {
        process.stdout.write(body);
      }
    });
    return 0;
  },
};
