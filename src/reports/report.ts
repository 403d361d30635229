/**
 * Reports from the store (outcomes, notices, operator events), not from Temporal: they must survive the namespace's
 * retention and read the same on any server. The quarterly inspection report (按季度督查) and the year-end summary
 * (全年落实情况), per unit and per task, rendered as Markdown, CSV or XLSX.
 */
import { DateTime } from 'luxon';
import { BUILTIN_CALENDAR, createHolidayCalendar, type HolidayCalendar } from '../domain/calendar';
import type { Directory } from '../domain/directory';
import type { OutcomeStatus } from '../domain/notice';
import { PLAN_TIMEZONE, type ObligationKind, type Plan } from '../domain/plan';
import type { NoticeRecord, OutcomeRecord, Store } from '../store';
import { OBLIGATION_NAMES } from '../domain/names';
import { writeXlsx } from './xlsx';

/** One table of a report; the first columns identify the row, the rest are counts. */
export interface ReportTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/** A rendered-independent report. */
export interface Report {
  kind: 'quarterly' | 'year-end' | 'score';
  planId: string;
  title: string;
  /** What the report covers, e.g. `2017-Q3 (2017-07-01 – 2017-09-30)` or `2017`. */
  period: string;
  /** When it was generated, ISO 8601 with `+08:00`. */
  generatedAt: string;
  /**
   * For a rehearsal (a past plan shifted onto today's clock): the plan time it was generated at, beside the real
   * `generatedAt`; the title says 【演练】. (Default: absent, real time)
   */
  rehearsalPlanTime?: string;
  /**
   * Years without a State Council holiday notice (built in or added) that the plan's dates depend on: its due dates
   * and notices were counted with weekends only. (Default: empty)
   */
  provisionalYears: number[];
  tables: ReportTable[];
  /** Lines said about the whole report, e.g. that there is no sign-for data. (Default: none) */
  notes?: string[];
}

/** Report file formats. */
export type ReportFormat = 'md' | 'csv' | 'xlsx';

/** Outcome statuses in report order, with their column headings. */
export const STATUS_COLUMNS: readonly [OutcomeStatus, string][] = [
  ['on-time', '按时完成'],
  ['late', '逾期完成'],
  ['missed', '未完成'],
  ['waived', '免除'],
  ['open', '未到期'],
];

/** What a report is built from. */
export interface ReportSource {
  store: Store;
  planId: string;
  /** For task titles. (Default: task numbers only) */
  plan?: Plan;
  /** For unit names. (Default: unit codes only) */
  directory?: Directory;
  /** Generation instant, epoch ms. (Default: now) */
  nowMs?: number;
  /** Plan time − real time when the plan runs as a rehearsal. (Default: undefined, real time) */
  rehearsalShiftMs?: number;
}

interface Tally {
  counts: Record<OutcomeStatus, number>;
  total: number;
  reminders: number;
  escalations: number;
  extensions: number;
}

function tally(): Tally {
  return {
    counts: { 'on-time': 0, late: 0, missed: 0, waived: 0, open: 0 },
    total: 0,
    reminders: 0,
    escalations: 0,
    extensions: 0,
  };
}

const COUNT_COLUMNS = ['事项', ...STATUS_COLUMNS.map(([, h]) => h), '按时率', '提醒', '督办', '延期'];

function countCells(t: Tally): (string | number)[] {
  const due = t.total - t.counts.open - t.counts.waived;
  // 按时率 over what was due and not waived; '—' when nothing was.
  const rate = due > 0 ? `${((t.counts['on-time'] / due) * 100).toFixed(1)}%` : '—';
  return [t.total, ...STATUS_COLUMNS.map(([s]) => t.counts[s]), rate, t.reminders, t.escalations, t.extensions];
}

function add(t: Tally, o: { status?: OutcomeStatus; stage?: string; extension?: boolean }): void {
  if (o.status) {
    t.total++;
    t.counts[o.status]++;
  }
  if (o.stage?.startsWith('reminder-')) t.reminders++;
  if (o.stage?.startsWith('escalation-') || o.stage === 'breach') t.escalations++;
  if (o.extension) t.extensions++;
}

/** Per-unit and per-task tables from filtered records. */
async function tables(
  src: ReportSource,
  keep: {
    outcome: (o: OutcomeRecord) => boolean;
    notice: (n: NoticeRecord) => boolean;
    eventAt: (at: string) => boolean;
  },
): Promise<ReportTable[]> {
  const [outcomes, notices, extensions] = await Promise.all([
    src.store.listOutcomes({ planId: src.planId }),
    src.store.listNotices({ planId: src.planId, kind: 'notice' }),
    src.store.listEvents({ planId: src.planId, type: 'extension' }),
  ]);
  const units = new Map<string, Tally>();
  const tasks = new Map<string, Tally>();
  const total = tally();
  const taskKey = (taskNo: number | null, obligation: ObligationKind): string =>
    taskNo === null ? obligation : String(taskNo);
  const record = (
    unitCode: string,
    taskNo: number | null,
    obligation: ObligationKind,
    entry: Parameters<typeof add>[1],
  ) => {
    for (const [map, key] of [
      [units, unitCode],
      [tasks, taskKey(taskNo, obligation)],
    ] as const) {
      let t = map.get(key);
      if (!t) map.set(key, (t = tally()));
      add(t, entry);
    }
    add(total, entry);
  };
  for (const o of outcomes.filter(keep.outcome)) record(o.unitCode, o.taskNo, o.obligation, { status: o.status });
  for (const n of notices.filter(keep.notice)) record(n.unitCode, n.taskNo, n.obligation, { stage: n.stage });
  for (const e of extensions.filter((e) => keep.eventAt(e.event.at)))
    record(e.unitCode, e.taskNo, e.obligation, { extension: true });
  const calendarErrors = notices.filter((n) => n.stage === 'calendar-error' && keep.notice(n));

  const unitName = (code: string) => src.directory?.units.find((u) => u.code === code)?.name ?? code;
  const unitRows = [...units]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, t]) => [unitName(code), code, ...countCells(t)]);
  const taskTitle = (key: string): string => {
    if (!/^\d+$/.test(key)) return OBLIGATION_NAMES[key as ObligationKind]?.zh ?? key;
    return src.plan?.tasks.find((t) => t.no === Number(key))?.title ?? '';
  };
  // Milestones first (in the notice's order), then tasks by number.
  const milestoneOrder = ['implementation-plan', 'quarterly-progress', 'year-end-report'];
  const taskRows = [...tasks]
    .sort(([a], [b]) => {
      const ma = milestoneOrder.indexOf(a);
      const mb = milestoneOrder.indexOf(b);
      if (ma >= 0 || mb >= 0) return (ma < 0 ? 99 : ma) - (mb < 0 ? 99 : mb);
      return Number(a) - Number(b);
    })
    .map(([key, t]) => [/^\d+$/.test(key) ? `任务${key}` : key, taskTitle(key), ...countCells(t)]);
  const errorRows = calendarErrors.map((n) => [
    unitName(n.unitCode),
    n.unitCode,
    n.taskNo === null ? (OBLIGATION_NAMES[n.obligation]?.zh ?? n.obligation) : `任务${n.taskNo}`,
    n.period ?? '',
    n.at,
    (n.payload.kind === 'notice' ? n.payload.notice.requirement : undefined) ?? '',
  ]);
  return [
    {
      title: '按单位',
      columns: ['单位', '代码', ...COUNT_COLUMNS],
      rows: [...unitRows, ['合计', '', ...countCells(total)]],
    },
    {
      title: '按任务',
      columns: ['任务', '名称', ...COUNT_COLUMNS],
      rows: [...taskRows, ['合计', '', ...countCells(total)]],
    },
    // Dates a workflow could not compute, as the general office was told: only when there were some.
    ...(errorRows.length > 0
      ? [{ title: '日期无法计算', columns: ['单位', '代码', '事项', '期次', '通知时间', '原因'], rows: errorRows }]
      : []),
  ];
}

/** The report's title and its plan time, 【演练】 first for a rehearsal. */
export function titled(
  src: Pick<ReportSource, 'nowMs' | 'rehearsalShiftMs'>,
  title: string,
): Pick<Report, 'title' | 'generatedAt' | 'rehearsalPlanTime'> {
  const nowMs = src.nowMs ?? Date.now();
  if (src.rehearsalShiftMs === undefined) return { title, generatedAt: nowIso(src) };
  const planTime = DateTime.fromMillis(nowMs + src.rehearsalShiftMs, { zone: PLAN_TIMEZONE }).toISO({
    suppressMilliseconds: true,
  }) as string;
  return { title: `【演练】${title}`, generatedAt: nowIso(src), rehearsalPlanTime: planTime };
}

function nowIso(src: Pick<ReportSource, 'nowMs'>): string {
  return DateTime.fromMillis(src.nowMs ?? Date.now(), { zone: PLAN_TIMEZONE }).toISO({
    suppressMilliseconds: true,
  }) as string;
}

/**
 * The year-end summary (全年落实情况): every outcome of the plan, per unit and per task, with the reminders and
 * escalations sent and the extensions granted. Counts are the store's outcomes, one per obligation item.
 */
export async function yearEndReport(src: ReportSource): Promise<Report> {
  const year = src.plan?.year;
  return {
    kind: 'year-end',
    planId: src.planId,
    ...titled(src, `${src.plan?.title ?? src.planId} — 全年落实情况汇总`),
    period: year ? String(year) : 'all',
    provisionalYears: await provisionalYears(src),
    tables: await tables(src, { outcome: () => true, notice: () => true, eventAt: () => true }),
  };
}

/** The working-day calendar the store's workflows use: the built-in years with those added to the store. */
export async function storeCalendar(store: Store): Promise<HolidayCalendar> {
  const added = (await store.listHolidayYears()).map((r) => r.data);
  return added.length ? createHolidayCalendar(added) : BUILTIN_CALENDAR;
}

/** The provisional years of the plan's year, with the holiday years added to the store. */
async function provisionalYears(src: ReportSource): Promise<number[]> {
  if (!src.plan) return [];
  const calendar = await storeCalendar(src.store);
  return calendar.provisionalYearsBetween(`${src.plan.year}-01-01`, `${src.plan.year}-12-31`);
}

/** The note a report carries when some of its dates rest on provisional years. */
function provisionalNote(years: number[]): string | undefined {
  return years.length
    ? `${years.join('、')}年节假日安排尚未公布，相关日期暂按周末推算（duban holidays add 补充后调整）`
    : undefined;
}

/** Parses `YYYY-Qn` into its first and last day. */
export function quarterBounds(quarter: string): { start: string; end: string } {
  const m = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!m) throw new RangeError(`quarter: '${quarter}' is not a quarter such as 2017-Q3`);
  const first = DateTime.fromObject(
    { year: Number(m[1]), month: Number(m[2]) * 3 - 2, day: 1 },
    { zone: PLAN_TIMEZONE },
  );
  return { start: first.toISODate() as string, end: first.endOf('quarter').toISODate() as string };
}

/** The latest quarter in which one of `dues` falls; with none, the quarter of `planNowMs` (plan time). */
export function latestQuarterOf(dues: readonly string[], planNowMs: number): string {
  const days = dues.map((d) => d.slice(0, 10)).sort();
  const last = days[days.length - 1] ?? DateTime.fromMillis(planNowMs, { zone: PLAN_TIMEZONE }).toISODate()!;
  return `${last.slice(0, 4)}-Q${Math.ceil(Number(last.slice(5, 7)) / 3)}`;
}

/**
 * The quarterly inspection report (按季度督查) for `quarter` (`2017-Q3`): outcomes of items due in that quarter, and
 * the notices sent and extensions granted in it, per unit and per task. (Default quarter: the latest quarter in which
 * an outcome of the plan falls due)
 */
export async function quarterlyReport(src: ReportSource & { quarter?: string }): Promise<Report> {
  const quarter =
    src.quarter ??
    latestQuarterOf(
      (await src.store.listOutcomes({ planId: src.planId })).map((o) => o.due),
      (src.nowMs ?? Date.now()) + (src.rehearsalShiftMs ?? 0),
    );
  const { start, end } = quarterBounds(quarter);
  const inQuarter = (instantOrDate: string): boolean => {
    const day = DateTime.fromISO(instantOrDate, { zone: PLAN_TIMEZONE }).toISODate() ?? '';
    return day >= start && day <= end;
  };
  return {
    kind: 'quarterly',
    planId: src.planId,
    ...titled(src, `${src.plan?.title ?? src.planId} — ${quarter} 督查情况`),
    period: `${quarter} (${start} – ${end})`,
    provisionalYears: await provisionalYears(src),
    tables: await tables(src, {
      outcome: (o) => inQuarter(o.due),
      notice: (n) => inQuarter(n.at),
      eventAt: inQuarter,
    }),
  };
}

function mdCell(value: string | number): string {
  return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown: a title, what it covers, then one pipe table per report table. */
export function renderMarkdown(report: Report): string {
  const lines = [
    `# ${report.title}`,
    '',
    `- 计划: ${report.planId}`,
    `- 范围: ${report.period}`,
    report.rehearsalPlanTime
      ? `- 生成时间: 演练计划时间 ${report.rehearsalPlanTime}（实际时间 ${report.generatedAt}）`
      : `- 生成时间: ${report.generatedAt}`,
    ...(provisionalNote(report.provisionalYears) ? [`- 日期说明: ${provisionalNote(report.provisionalYears)}`] : []),
    ...(report.notes ?? []).map((n) => `- 说明: ${n}`),
  ];
  for (const t of report.tables) {
    lines.push(
      '',
      `## ${t.title}`,
      '',
      `| ${t.columns.map(mdCell).join(' | ')} |`,
      `|${t.columns.map(() => ' --- |').join('')}`,
    );
    for (const row of t.rows) lines.push(`| ${row.map(mdCell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function csvCell(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV (RFC 4180, CRLF, UTF-8 with a BOM so Excel reads the Chinese): each table as a title line, a header line and
 * its rows, tables separated by an empty line.
 */
export function renderCsv(report: Report): string {
  const note = provisionalNote(report.provisionalYears);
  const out: string[] = [
    ...(report.rehearsalPlanTime
      ? [csvCell(`${report.title}（演练计划时间 ${report.rehearsalPlanTime}，实际时间 ${report.generatedAt}）`), '']
      : []),
    ...(note ? [csvCell(note), ''] : []),
    ...(report.notes ?? []).flatMap((n) => [csvCell(n), '']),
  ];
  report.tables.forEach((t, i) => {
    if (i > 0) out.push('');
    out.push(csvCell(t.title), t.columns.map(csvCell).join(','), ...t.rows.map((r) => r.map(csvCell).join(',')));
  });
  return `\ufeff${out.join('\r\n')}\r\n`;
}

/** XLSX: one worksheet per table, header row first. */
export function renderXlsx(report: Report): Buffer {
  return writeXlsx(report.tables.map((t) => ({ name: t.title, rows: [t.columns, ...t.rows] })));
}

/** Renders a report in a format: text for md and csv, bytes for xlsx. */
export function renderReport(report: Report, format: ReportFormat): string | Buffer {
  return format === 'md' ? renderMarkdown(report) : format === 'csv' ? renderCsv(report) : renderXlsx(report);
}
