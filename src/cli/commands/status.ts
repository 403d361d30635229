import { LIGHTS } from '../../domain/lights';
import type { LastNoticeDelivery, Light, StatusRow } from '../../service';
import { type Command, UsageError } from '../command';
import { LIGHT_STYLES, colourOn, columns, paint } from '../table';
import {
  FLAGS,
  PLAN_FLAGS,
  flag,
  loadPlan,
  printResult,
  provisionalWarning,
  rehearsalTimes,
  shortTime,
  taskFlag,
  unitFlag,
  withDuban,
} from '../kit';

const LIGHT_LABELS: Record<Light, string> = { green: '● 绿', yellow: '● 黄', red: '● 红' };

function counts(c: Record<Light, number>): string {
  return `绿 ${c.green}  黄 ${c.yellow}  红 ${c.red}`;
}

/**
 * Status rows as lines whose columns line up on a terminal (by display width: unit names are Chinese), the light
 * coloured when `colour`. (Default colour: stdout is a terminal and NO_COLOR is unset)
 */
export function statusRowLines(rows: readonly StatusRow[], colour: boolean = colourOn()): string[] {
  return columns(
    rows.map((r) => {
      const what = `${r.taskNo !== null ? `任务${r.taskNo} ` : ''}${r.obligationId}${r.period ? ` ${r.period}` : ''}`;
      const next = r.nextNotice ? `next ${r.nextNotice.stage} ${shortTime(r.nextNotice.at)}` : '';
      const done = r.fulfilledAt ? `done ${shortTime(r.fulfilledAt)}` : '';
      const provisional = r.provisional ? `  (provisional ${r.provisional.join(', ')})` : '';
      const calendar = r.calendarError ? '  (calendar error, see above)' : '';
      const light = paint(LIGHT_LABELS[r.light], LIGHT_STYLES[r.light], colour);
      return [
        light,
        r.unitName,
        what,
        `due ${r.due}`,
        r.state,
        `${done || next}${provisional}${calendar}`,
        r.delivery ? lastNoticeText(r.delivery) : '',
      ];
    }),
    { indent: '  ' },
  );
}

/** `last reminder-5: sent 2` / `last escalation-1: sent 1, undeliverable 1`: the last notice's deliveries by state. */
export function lastNoticeText(d: LastNoticeDelivery): string {
  const counts = (['queued', 'sent', 'failed', 'undeliverable'] as const)
    .filter((state) => d[state] > 0)
    .map((state) => `${state} ${d[state]}`);
  return `last ${d.stage}: ${counts.join(', ') || 'no recipients'}`;
}

/** The calendar errors of a report's rows, each once, with the items it concerns. */
function calendarErrorLines(rows: StatusRow[]): string[] {
  const byError = new Map<string, string[]>();
  for (const r of rows) {
    if (!r.calendarError) continue;
    const what = `${r.unitName} ${r.obligationId}${r.period ? ` ${r.period}` : ''}`;
    byError.set(r.calendarError, [...(byError.get(r.calendarError) ?? []), what]);
  }
  if (byError.size === 0) return [];
  return [
    'calendar errors (the general office was told):',
    ...[...byError].map(
      ([error, items]) =>
        `  ${error} — ${items.slice(0, 3).join(', ')}${items.length > 3 ? ` and ${items.length - 3} more` : ''}`,
    ),
  ];
}

/** `duban status`: traffic lights of a plan's obligations, with counts per task and per unit. */
export const statusCommand: Command = {
  path: ['status'],
  summary:
    'traffic lights of every obligation (green on track, yellow reminder window, red overdue), per task and unit',
  description: [
    "Reads the store's overview of every obligation item (what the workflows last recorded) and shows each with its",
    'light: green on track or done (on time, late, waived), yellow inside the reminder window (first reminder',
    'reached, not yet due), red overdue or missed, and how its last notice fared in the outbox (deliveries queued,',
    'sent, failed, undeliverable); then the counts per task and per unit. Without a store it asks each running',
    'workflow (and knows no deliveries).',
  ],
  flags: [
    flag(FLAGS.task, { help: 'only this task' }),
    flag(FLAGS.unit, { help: 'only this unit (name, alias or code)' }),
    { name: 'light', type: 'string', value: 'L', help: 'only items of this light now: green, yellow or red' },
    {
      name: 'limit',
      type: 'string',
      value: 'N',
      help: 'at most N items, ordered by unit code, obligation id and period (counts cover all)',
    },
    { name: 'offset', type: 'string', value: 'N', help: 'skip the first N items (with --limit)', default: '0' },
    ...PLAN_FLAGS,
    FLAGS.json,
  ],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const { plan, directory } = loaded;
    const taskNo = taskFlag(values, plan);
    const unitCode = values.unit !== undefined ? unitFlag(directory, values.unit).code : undefined;
    const light = values.light as string | undefined;
    if (light !== undefined && !LIGHTS.includes(light as Light))
      throw new UsageError(`--light: '${light}' is not green, yellow or red`);
    const whole = (name: 'limit' | 'offset', min: number): number | undefined => {
      const value = values[name] as string | undefined;
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: '${value}' is not a whole number ≥ ${min}`);
      return n;
    };
    const limit = whole('limit', 1);
    const offset = limit === undefined ? undefined : whole('offset', 0);
    const report = await withDuban(loaded, (d) =>
      d.obligations.status({ planId: plan.id, taskNo, unitCode, light: light as Light | undefined, limit, offset }),
    );
    const names = new Map(directory.units.map((u) => [u.code, u.name]));
    const provisional = [...new Set(report.rows.flatMap((r) => r.provisional ?? []))].sort();
    const rehearsal = rehearsalTimes(loaded.timeShiftMs);
    printResult(values, rehearsal ? { rehearsal, ...report } : report, () => [
      rehearsal
        ? `【演练 rehearsal】 plan ${plan.id}: ${report.rows.length} items, plan time ${shortTime(rehearsal.planTime)} ` +
          `(real time ${shortTime(rehearsal.realTime)})`
        : `plan ${plan.id}: ${report.rows.length} items`,
      ...(report.page
        ? [`items ${report.page.offset + 1}–${report.page.offset + report.rows.length} of ${report.page.total}`]
        : []),
      ...(provisional.length ? [provisionalWarning(provisional)!.replace(/^duban: /, '')] : []),
      ...calendarErrorLines(report.rows),
      ...statusRowLines(report.rows),
      '',
      'per task:',
      ...columns(
        Object.entries(report.byTask).map(([task, c]) => [/^\d+$/.test(task) ? `任务${task}` : task, counts(c)]),
        { indent: '  ' },
      ),
      '',
      'per unit:',
      ...columns(
        Object.entries(report.byUnit).map(([code, c]) => [names.get(code) ?? code, counts(c)]),
        { indent: '  ' },
      ),
    ]);
    return 0;
  },
};
