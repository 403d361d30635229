/**
 * Charts of the scoring report: on-time rate by unit, notices by week, trend by quarter. ECharts renders them on the
 * server as SVG (no DOM, no script, no CDN: the dashboard embeds them inline and works offline), and resvg turns the
 * same SVG into the PNG the bulletin carries. Without a font that has Chinese glyphs the PNG labels units by code.
 */
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { DateTime } from 'luxon';
import { PLAN_TIMEZONE } from '../domain/plan';
import type { NoticeFact, PeriodInfo, QuarterPoint, UnitScoreRow } from './score';

/** Labels in Chinese with unit names, or in ASCII with unit codes (for a PNG without a CJK font). */
export type ChartText = 'zh' | 'ascii';

/** A chart's ECharts option and size. */
export interface ChartSpec {
  option: echarts.EChartsOption;
  width: number;
  height: number;
}

/** A chart 640 px wide with its title on top (and its legend below, when it has more than one series). */
function framed(title: string, height: number, option: echarts.EChartsOption, legend = true): ChartSpec {
  return {
    width: 640,
    height,
    option: {
      animation: false,
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      ...(legend ? { legend: { bottom: 0 } } : {}),
      grid: { left: 8, right: 24, top: 36, bottom: legend ? 32 : 8, containLabel: true },
      ...option,
    },
  };
}

const COLORS = { onTime: '#2e7d32', reminder: '#1565c0', escalation: '#c62828' };

/** On-time rate by unit, best rank first, one horizontal bar each. */
export function onTimeRateChart(units: readonly UnitScoreRow[], text: ChartText = 'zh'): ChartSpec {
  const shown = units.filter((u) => u.onTimeRate !== null);
  const zh = text === 'zh';
  return framed(
    zh ? '各单位按时完成率' : 'On-time rate by unit',
    Math.max(160, 70 + 22 * shown.length),
    {
      grid: { left: 8, right: 48, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      // Reversed so that the first unit in the ranking is at the top.
      yAxis: { type: 'category', inverse: true, data: shown.map((u) => (zh ? u.unitName : u.unitCode)) },
      series: [
        {
          type: 'bar',
          name: zh ? '按时完成率' : 'on time',
          barMaxWidth: 18,
          data: shown.map((u) => Math.round(u.onTimeRate! * 1000) / 10),
          itemStyle: { color: COLORS.onTime },
          label: { show: true, position: 'right', formatter: '{c}%' },
        },
      ],
    },
    false,
  );
}

/** Monday of the ISO week a plan-time instant falls in, `YYYY-MM-DD`. */
function weekOf(at: string): string {
  return DateTime.fromISO(at, { setZone: true }).setZone(PLAN_TIMEZONE).startOf('week').toISODate()!;
}

/** Reminders and escalations sent each ISO week of the period, stacked. */
export function noticesByWeekChart(
  notices: readonly NoticeFact[],
  period: Pick<PeriodInfo, 'start' | 'end'>,
  text: ChartText = 'zh',
): ChartSpec {
  const weeks: string[] = [];
  const end = DateTime.fromISO(period.end, { zone: PLAN_TIMEZONE });
  for (
    let w = DateTime.fromISO(period.start, { zone: PLAN_TIMEZONE }).startOf('week');
    w <= end;
    w = w.plus({ weeks: 1 })
  )
    weeks.push(w.toISODate()!);
  const reminders = new Map(weeks.map((w) => [w, 0]));
  const escalations = new Map(weeks.map((w) => [w, 0]));
  for (const n of notices) {
    const w = weekOf(n.at);
    if (n.stage.startsWith('reminder-') && reminders.has(w)) reminders.set(w, reminders.get(w)! + 1);
    else if ((n.stage.startsWith('escalation-') || n.stage === 'breach') && escalations.has(w))
      escalations.set(w, escalations.get(w)! + 1);
  }
  const zh = text === 'zh';
  const label = (w: string) => `W${DateTime.fromISO(w).toFormat('WW')}`;
  return framed(zh ? '每周提醒与督办' : 'Notices by week', 260, {
    xAxis: { type: 'category', data: weeks.map(label) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        type: 'bar',
        stack: 'notices',
        name: zh ? '提醒' : 'reminders',
        data: weeks.map((w) => reminders.get(w)!),
        itemStyle: { color: COLORS.reminder },
      },
      {
        type: 'bar',
        stack: 'notices',
        name: zh ? '督办' : 'escalations',
        data: weeks.map((w) => escalations.get(w)!),
        itemStyle: { color: COLORS.escalation },
      },
    ],
  });
}

/** On-time rate and average score by quarter. */
export function quarterTrendChart(points: readonly QuarterPoint[], text: ChartText = 'zh'): ChartSpec {
  const zh = text === 'zh';
  const value = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
  return framed(zh ? '按季度趋势' : 'Trend by quarter', 260, {
    xAxis: { type: 'category', data: points.map((p) => p.quarter) },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [
      {
        type: 'line',
        name: zh ? '按时完成率（%）' : 'on-time rate (%)',
        data: points.map((p) => value(p.onTimeRate === null ? null : p.onTimeRate * 100)),
        itemStyle: { color: COLORS.onTime },
        label: { show: true },
      },
      {
        type: 'line',
        name: zh ? '平均得分' : 'average score',
        data: points.map((p) => value(p.averageScore)),
        itemStyle: { color: COLORS.reminder },
        label: { show: true },
      },
    ],
  });
}

/** The chart as a standalone SVG document (ECharts' server-side renderer). */
export function renderSvg(spec: ChartSpec): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: spec.width, height: spec.height });
  try {
    chart.setOption(spec.option);
    return chart.renderToSVGString();
  } finally {
    // A chart left undisposed keeps a timer that holds the process open.
    chart.dispose();
  }
}

/** Fonts the PNG renderer may use. */
export interface PngFonts {
  /** Font files (TTF, OTF, TTC) to load. (Default: none) */
  fontFiles?: string[];
  /** Whether to load the system's fonts. (Default: true) */
  loadSystemFonts?: boolean;
}

function resvgOptions(fonts: PngFonts, width?: number) {
  return {
    background: 'white',
    ...(width ? { fitTo: { mode: 'width' as const, value: width } } : {}),
    font: {
      loadSystemFonts: fonts.loadSystemFonts ?? true,
      fontFiles: fonts.fontFiles ?? [],
      // ECharts writes sans-serif; Debian's fonts-noto-cjk has this family (absent, resvg falls back to another font).
      defaultFontFamily: 'Noto Sans CJK SC',
      sansSerifFamily: 'Noto Sans CJK SC',
    },
  };
}

const probed = new Map<string, boolean>();

/**
 * Whether Chinese renders with `fonts`: two different characters drawn the same (both missing, or both the
 * missing-glyph box) mean there is no font with Chinese glyphs. Cached per set of fonts.
 */
export function chineseRenders(fonts: PngFonts = {}): boolean {
  const key = JSON.stringify([fonts.loadSystemFonts ?? true, fonts.fontFiles ?? []]);
  const known = probed.get(key);
  if (known !== undefined) return known;
  const draw = (ch: string) =>
    new Resvg(
      `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><text x="4" y="38" font-size="36" font-family="sans-serif">${ch}</text></svg>`,
      resvgOptions(fonts),
    )
      .render()
      .asPng();
  const result = !draw('中').equals(draw('国'));
  probed.set(key, result);
  return result;
}

/** The SVG as a PNG on white, `scale` times its size (2: sharp when printed). (Default: 2) */
export function svgToPng(svg: string, width: number, fonts: PngFonts = {}, scale = 2): Buffer {
  return new Resvg(svg, resvgOptions(fonts, width * scale)).render().asPng();
}
