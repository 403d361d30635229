/**
 * The scoring report (考核): each unit's score for a quarter or the year with the ranking, from what the store
 * recorded. It reads through {@link ScoreSources}, narrow functions, so the store's outcomes or a read model can
 * stand behind them; sign-for (签收) data reads through {@link SignForSource}: the store's notices and sign-for
 * events ({@link storeSignFor}) where sign-for is on, else {@link NO_SIGN_FOR}.
 */
import type { HolidayCalendar } from '../domain/calendar';
import type { Directory } from '../domain/directory';
import { OBLIGATION_NAMES } from '../domain/names';
import type { Outcome } from '../domain/notice';
import type { Plan } from '../domain/plan';
import {
  DEFAULT_SCORING,
  EMERGENCY_KINDS,
  itemKey,
  onTimeRate,
  percent,
  planDate,
  scoreUnits,
  signedForLate,
  type ScoredItem,
  type ScoringPolicy,
  type SignForRecord,
  type StatusCounts,
  type UnitScore,
} from '../domain/scoring';
import { noticeAsksSignFor, signForSummary, type SignForSummary } from '../domain/sign-for';
import type { ObligationRef, Store } from '../store';
import { latestQuarterOf, quarterBounds, storeCalendar, titled, type Report } from './report';

/** Notices that asked their unit to sign for them (签收). */
export interface SignForSource {
  /** Whether sign-for data exists at all; reports say when it does not. */
  readonly available: boolean;
  /** Every notice of the plan that asked for sign-for, with when it was signed for. */
  list(planId: string): Promise<SignForRecord[]>;
}

/** No sign-for data (sign-for is off): nothing is signed for late, and reports say so. */
export const NO_SIGN_FOR: SignForSource = { available: false, list: async () => [] };

/**
 * Sign-for from the store: every reminder and escalation of an obligation in the outbox, signed for when a
 * `sign-for` event names its key (the first one counts).
 */
export function storeSignFor(store: Pick<Store, 'listNotices' | 'listEvents'>): SignForSource {
  return {
    available: true,
    list: async (planId) => {
      const [notices, events] = await Promise.all([
        store.listNotices({ planId, kind: 'notice' }),
        store.listEvents({ planId, type: 'sign-for' }),
      ]);
      const signedAt = new Map<string, string>();
      for (const { event } of events) {
        if (event.type !== 'sign-for') continue;
        for (const n of event.notices) if (!signedAt.has(n.key)) signedAt.set(n.key, event.at);
      }
      return notices
        .filter((n) => noticeAsksSignFor(n))
        .map((n) => ({ unitCode: n.unitCode, sentAt: n.at, signedAt: signedAt.get(n.key) ?? null }));
    },
  };
}

/**
 * The sign-for source of an installation: the store's when sign-for is on (a link key is configured, or a notice
 * was signed for on the dashboard), else {@link NO_SIGN_FOR}, so notices that carried no link never count as
 * signed for late.
 */
export async function signForSource(store: Store, planId: string, linksOn: boolean): Promise<SignForSource> {
  if (linksOn) return storeSignFor(store);
  const any = await store.listEvents({ planId, type: 'sign-for' });
  return any.length > 0 ? storeSignFor(store) : NO_SIGN_FOR;
}

/** A notice as the charts count it. */
export interface NoticeFact {
  unitCode: string;
  stage: string;
  /** The scheduled instant, ISO 8601. */
  at: string;
}

/** What scoring reads: outcomes, extensions granted, sign-for, notices and the calendar. */
export interface ScoreSources {
  outcomes(planId: string): Promise<Outcome[]>;
  /** One entry per extension granted. */
  extensions(planId: string): Promise<ObligationRef[]>;
  notices(planId: string): Promise<NoticeFact[]>;
  calendar(): Promise<HolidayCalendar>;
  signFor: SignForSource;
}

/** Scoring's sources in the store. (Default sign-for: {@link NO_SIGN_FOR}) */
export function storeSources(store: Store, signFor: SignForSource = NO_SIGN_FOR): ScoreSources {
  return {
    outcomes: (planId) => store.listOutcomes({ planId }),
    extensions: async (planId) => store.listEvents({ planId, type: 'extension' }),
    notices: async (planId) =>
      (await store.listNotices({ planId, kind: 'notice' })).map((n) => ({
        unitCode: n.unitCode,
        stage: n.stage,
        at: n.at,
      })),
    calendar: () => storeCalendar(store),
    signFor,
  };
}

/** A quarter (`2017-Q3`) or the plan's whole year. */
export type ScorePeriod = { quarter: string } | { year: true };

/** What a period covers. */
export interface PeriodInfo {
  kind: 'quarter' | 'year';
  /** `2017-Q3` or `2017`. */
  label: string;
  /** `2017年第三季度` or `2017年`. */
  zh: string;
  /** First and last day of a quarter; for the year, the plan's year (every outcome of the plan counts). */
  start: string;
  end: string;
}

/** One ranked unit with its name. */
export interface UnitScoreRow extends UnitScore {
  unitName: string;
  onTimeRate: number | null;
}

/** A rendered-independent scoring report. */
export interface ScoreReport {
  kind: 'score';
  planId: string;
  title: string;
  period: PeriodInfo;
  generatedAt: string;
  /** See `Report.rehearsalPlanTime`. (Default: absent) */
  rehearsalPlanTime?: string;
  /** Ranked, best first. */
  units: UnitScoreRow[];
  /** Every outcome of the period by status, and their on-time rate. */
  totals: { items: number; counts: StatusCounts; onTimeRate: number | null; extensions: number };
  /** Whether sign-for data existed; without it nothing counted as signed for late. */
  signForAvailable: boolean;
  /** Notices of the period that asked for sign-for, signed for, and the median working hours; null without data. */
  signFor: SignForSummary | null;
  policy: ScoringPolicy;
}

/** What a scoring report is built from. */
export interface ScoreReportSource {
  sources: ScoreSources;
  planId: string;
  /** For names and the year. (Default: codes, the year of the outcomes) */
  plan?: Plan;
  directory?: Directory;
  /** (Default: {@link DEFAULT_SCORING}) */
  policy?: ScoringPolicy;
  /** (Default: the latest quarter in which an outcome falls due) */
  period?: ScorePeriod;
  /** Generation instant, epoch ms. (Default: now) */
  nowMs?: number;
  /** Plan time − real time when the plan runs as a rehearsal. (Default: undefined, real time) */
  rehearsalShiftMs?: number;
}

const QUARTER_ZH = ['一', '二', '三', '四'];

/** What `period` covers. */
export function periodInfo(period: ScorePeriod, year: number): PeriodInfo {
  if ('year' in period)
    return { kind: 'year', label: String(year), zh: `${year}年`, start: `${year}-01-01`, end: `${year}-12-31` };
  const { start, end } = quarterBounds(period.quarter);
  const q = Number(period.quarter.slice(-1));
  return { kind: 'quarter', label: period.quarter, zh: `${start.slice(0, 4)}年第${QUARTER_ZH[q - 1]}季度`, start, end };
}

/** Whether an outcome belongs to a period: due in the quarter; for the year, every outcome of the plan. */
export function inPeriod(period: PeriodInfo, o: Pick<Outcome, 'due'>): boolean {
  if (period.kind === 'year') return true;
  const day = planDate(o.due);
  return day >= period.start && day <= period.end;
}

/** What a scoring report reads, read once for any number of periods. */
interface ScoreData {
  all: Outcome[];
  /** Extensions granted per item ({@link itemKey}). */
  extensions: Map<string, number>;
  signFor: SignForRecord[];
  calendar: HolidayCalendar;
}

async function loadScoreData(src: ScoreReportSource): Promise<ScoreData> {
  const [all, extensionRefs, signFor, calendar] = await Promise.all([
    src.sources.outcomes(src.planId),
    src.sources.extensions(src.planId),
    src.sources.signFor.list(src.planId),
    src.sources.calendar(),
  ]);
  const extensions = new Map<string, number>();
  for (const ref of extensionRefs) extensions.set(itemKey(ref), (extensions.get(itemKey(ref)) ?? 0) + 1);
  return { all, extensions, signFor, calendar };
}

const planNowMs = (src: ScoreReportSource): number => (src.nowMs ?? Date.now()) + (src.rehearsalShiftMs ?? 0);

function buildScoreReport(src: ScoreReportSource, data: ScoreData, asked: ScorePeriod): ScoreReport {
  const policy = src.policy ?? DEFAULT_SCORING;
  const year = src.plan?.year ?? Number('quarter' in asked ? asked.quarter.slice(0, 4) : data.all[0]?.due.slice(0, 4));
  const period = periodInfo(asked, year);
  const outcomes = data.all.filter((o) => inPeriod(period, o));
  const toSign = data.signFor.filter((r) => inPeriod(period, { due: r.sentAt }));
  const late = signedForLate(toSign, policy.signForWithinHours, planNowMs(src));
  const unitName = (code: string) => src.directory?.units.find((u) => u.code === code)?.name ?? code;
  const units = scoreUnits({
    outcomes,
    extensions: data.extensions,
    signedForLate: late,
    calendar: data.calendar,
    policy,
  }).map((u) => ({ ...u, unitName: unitName(u.unitCode), onTimeRate: onTimeRate(u.counts) }));
  const counts: StatusCounts = { 'on-time': 0, late: 0, missed: 0, waived: 0, open: 0 };
  for (const o of outcomes) counts[o.status]++;
  const subject = src.plan ? bulletinSubject(src.plan) : src.planId;
  return {
    kind: 'score',
    planId: src.planId,
    ...titled(src, `${period.zh}${subject}考核得分`),
    period,
    units,
    totals: {
      items: outcomes.length,
      counts,
      onTimeRate: onTimeRate(counts),
      extensions: units.reduce((n, u) => n + u.extensions, 0),
    },
    signForAvailable: src.sources.signFor.available,
    signFor: src.sources.signFor.available ? signForSummary(toSign, data.calendar) : null,
    policy,
  };
}

/** The units' scores of a period, ranked. */
export async function scoreReport(src: ScoreReportSource): Promise<ScoreReport> {
  const data = await loadScoreData(src);
  return buildScoreReport(
    src,
    data,
    src.period ?? {
      quarter: latestQuarterOf(
        data.all.map((o) => o.due),
        planNowMs(src),
      ),
    },
  );
}

/** One quarter of the trend. */
export interface QuarterPoint {
  /** `2017-Q2`. */
  quarter: string;
  onTimeRate: number | null;
  /** Mean of the scored units' scores, one decimal. */
  averageScore: number | null;
}

/** The mean score of the scored units, one decimal; null when none was scored. */
export function averageScore(units: readonly Pick<UnitScore, 'score'>[]): number | null {
  const scores = units.map((u) => u.score).filter((s): s is number => s !== null);
  return scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10 : null;
}

/** Each quarter of the plan's year in which something fell due: its on-time rate and average score. */
export async function quarterTrend(src: ScoreReportSource & { plan: Plan }): Promise<QuarterPoint[]> {
  const data = await loadScoreData(src);
  return [1, 2, 3, 4]
    .map((q) => buildScoreReport(src, data, { quarter: `${src.plan.year}-Q${q}` }))
    .filter((r) => r.totals.items > 0)
    .map((r) => ({ quarter: r.period.label, onTimeRate: r.totals.onTimeRate, averageScore: averageScore(r.units) }));
}

/**
 * What a plan is about, as a bulletin's title names it: `福建省人民政府办公厅关于印发2017年政务公开工作主要任务分解表的通知`
 * or `2017年政务公开工作主要任务分解表` → `政务公开工作主要任务`.
 */
export function bulletinSubject(plan: Pick<Plan, 'title'>): string {
  const subject = plan.title
    .replace(/^.*?关于(?:印发)?/, '')
    .replace(/的?通知$/, '')
    .replace(/^\d{4}年度?/, '')
    .replace(/(任务)?分解表$/, (_m, task: string | undefined) => (task ? '任务' : ''));
  return subject || plan.title;
}

/** What an overdue item was, as tables name it: `任务20 定期公开 2017-W39`, `实施方案`. */
export function itemLabel(item: Pick<Outcome, 'taskNo' | 'obligation' | 'period'>): string {
  const kind = OBLIGATION_NAMES[item.obligation]?.zh ?? item.obligation;
  return [item.taskNo === null ? '' : `任务${item.taskNo}`, kind, item.period ?? ''].filter(Boolean).join(' ');
}

/** How an overdue item ended: `逾期3个工作日完成`, an emergency step `超时90分钟完成`, or `未完成`. */
export function overdueText(item: ScoredItem): string {
  const { outcome } = item;
  if (outcome.status !== 'late') return '未完成';
  if (EMERGENCY_KINDS.has(outcome.obligation) && outcome.fulfilledAt) {
    // Emergency windows are hours long: minutes say more than working days.
    const minutes = Math.round((Date.parse(outcome.fulfilledAt) - Date.parse(outcome.due)) / 60_000);
    return `超时${minutes}分钟完成`;
  }
  return `逾期${item.lateWorkingDays ?? 1}个工作日完成`;
}

/** The ranking table's columns and rows, as Markdown, CSV, the page and the bulletin show it. */
export const RANKING_COLUMNS = [
  '排名',
  '单位',
  '得分',
  '事项',
  '按时完成',
  '逾期完成',
  '未完成',
  '免除',
  '未到期',
  '按时率',
  '延期',
  '签收超时',
] as const;

/** One row of the ranking table (`—` where a unit has no score or rank). */
export function rankingRow(u: UnitScoreRow): (string | number)[] {
  return [
    u.rank ?? '—',
    u.unitName,
    u.score ?? '—',
    u.items,
    u.counts['on-time'],
    u.counts.late,
    u.counts.missed,
    u.counts.waived,
    u.counts.open,
    percent(u.onTimeRate),
    u.extensions,
    u.signedForLate,
  ];
}

/** The note on sign-for a report carries: how many notices were signed for and how fast, or that there is no data. */
export function signForNote(report: Pick<ScoreReport, 'signForAvailable' | 'signFor'>): string | undefined {
  const s = report.signFor;
  if (!report.signForAvailable || !s) return '暂无签收记录，签收超时按0计';
  if (s.asked === 0) return '本期没有需要签收的通知';
  const speed = s.medianWorkingHours === null ? '' : `，签收用时中位数${s.medianWorkingHours}个工作小时`;
  return `需签收通知${s.asked}份，已签收${s.signed}份${speed}`;
}

/**
 * The scores as a report's tables (排名, 通报批评, 逾期事项), rendered like the other reports in Markdown, CSV or XLSX;
 * what the period covers, the on-time rate and the sign-for note go into the report's notes.
 */
export function scoreAsReport(report: ScoreReport, provisionalYears: number[] = []): Report {
  const p = report.period;
  const criticised = report.units.filter((u) => u.criticisms.length > 0);
  return {
    kind: 'score',
    planId: report.planId,
    title: report.title,
    period: `${p.zh}（${p.kind === 'year' ? '计划全部事项' : `${p.start} – ${p.end} 到期事项`}）`,
    generatedAt: report.generatedAt,
    ...(report.rehearsalPlanTime ? { rehearsalPlanTime: report.rehearsalPlanTime } : {}),
    provisionalYears,
    notes: [
      `按时率 ${percent(report.totals.onTimeRate)}（${report.totals.items}项事项）`,
      ...(signForNote(report) ? [signForNote(report)!] : []),
    ],
    tables: [
      {
        title: '排名',
        columns: [...RANKING_COLUMNS, '代码'],
        rows: report.units.map((u) => [...rankingRow(u), u.unitCode]),
      },
      {
        title: '通报批评',
        columns: ['单位', '代码', '原因'],
        rows: criticised.map((u) => [u.unitName, u.unitCode, u.criticisms.join('；')]),
      },
      {
        title: '逾期事项',
        columns: ['单位', '代码', '事项', '截止时间', '完成情况'],
        rows: report.units.flatMap((u) => u.overdue.map((i) => [u.unitName, u.unitCode, ...overdueCells(i)])),
      },
    ],
  };
}

/** An overdue item as tables show it: what, when it was due, how it ended. */
export function overdueCells(item: ScoredItem): string[] {
  return [itemLabel(item.outcome), item.outcome.due.slice(0, 16).replace('T', ' '), overdueText(item)];
}

/** JSON: every unit with its counts, score, rank, overdue items and criticisms. */
export function scoreJson(report: ScoreReport): unknown {
  return {
    planId: report.planId,
    title: report.title,
    period: report.period,
    generatedAt: report.generatedAt,
    ...(report.rehearsalPlanTime ? { rehearsalPlanTime: report.rehearsalPlanTime } : {}),
    totals: report.totals,
    signForAvailable: report.signForAvailable,
    signFor: report.signFor,
    units: report.units.map((u) => ({
      rank: u.rank,
      unitCode: u.unitCode,
      unitName: u.unitName,
      score: u.score,
      items: u.items,
      counts: u.counts,
      onTimeRate: u.onTimeRate,
      extensions: u.extensions,
      signedForLate: u.signedForLate,
      criticisms: u.criticisms,
      overdue: u.overdue.map((i) => ({
        taskNo: i.outcome.taskNo,
        obligation: i.outcome.obligation,
        period: i.outcome.period,
        due: i.outcome.due,
        status: i.outcome.status,
        fulfilledAt: i.outcome.fulfilledAt,
        lateWorkingDays: i.lateWorkingDays ?? null,
        points: i.points,
      })),
    })),
  };
}
