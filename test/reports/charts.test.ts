/**
 * Charts rendered on the server: SVG from ECharts without a DOM, PNG from resvg; without a font that has Chinese
 * glyphs the PNG labels units by code, and the bulletin still carries it.
 */
import { existsSync } from 'node:fs';
import JSZip from 'jszip';
import { BUILTIN_CALENDAR } from '../../src/domain/calendar';
import type { Outcome } from '../../src/domain/notice';
import { renderBulletin } from '../../src/reports/bulletin';
import {
  chineseRenders,
  noticesByWeekChart,
  onTimeRateChart,
  quarterTrendChart,
  renderSvg,
  svgToPng,
} from '../../src/reports/charts';
import { NO_SIGN_FOR, scoreReport, type ScoreReport, type ScoreSources } from '../../src/reports/score';

const DEJAVU = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const NOTO_CJK = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const LATIN_ONLY = { loadSystemFonts: false, fontFiles: [DEJAVU] };

const outcome = (unitCode: string, status: Outcome['status'], fulfilledAt: string | null = null): Outcome => ({
  planId: 'p',
  taskNo: null,
  unitCode,
  obligation: 'implementation-plan',
  period: null,
  due: '2017-05-27',
  status,
  fulfilledAt,
});

/** Scoring's sources over fixed records: the interface a read model would implement. */
const sources = (outcomes: Outcome[]): ScoreSources => ({
  outcomes: async () => outcomes,
  extensions: async () => [],
  notices: async () => [],
  calendar: async () => BUILTIN_CALENDAR,
  signFor: NO_SIGN_FOR,
});

const directory = {
  generalOffice: 'fj-bgt',
  units: [
    { code: 'fj-fuzhou', name: '福州市', kind: 'city' as const },
    { code: 'fj-czt', name: '省财政厅<&>', kind: 'provincial' as const },
  ].map((u) => ({ ...u, aliases: [], officer: { name: 'o', email: 'o@x.cn' }, head: { name: 'h', email: 'h@x.cn' } })),
};

async function report(): Promise<ScoreReport> {
  return scoreReport({
    sources: sources([outcome('fj-fuzhou', 'on-time', '2017-05-26T10:00:00+08:00'), outcome('fj-czt', 'missed')]),
    planId: 'p',
    plan: { id: 'p', title: '2017年政务公开工作主要任务分解表', issuer: '福建省人民政府办公厅', year: 2017 } as never,
    directory,
    period: { quarter: '2017-Q2' },
    nowMs: 0,
  });
}

describe('charts', () => {
  it('draws the on-time rate by unit as SVG with the unit names escaped, best first', async () => {
    const svg = renderSvg(onTimeRateChart((await report()).units));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('>福州市</text>');
    expect(svg).toContain('>省财政厅&lt;&amp;&gt;</text>');
    expect(svg).toContain('>100%</text>');
  });

  it('counts reminders and escalations per ISO week of the period, each week shown even when empty', () => {
    const spec = noticesByWeekChart(
      [
        { unitCode: 'a', stage: 'reminder-5', at: '2017-05-22T09:00:00+08:00' },
        { unitCode: 'b', stage: 'reminder-5', at: '2017-05-28T23:00:00+08:00' },
        // Sunday 17:00 UTC is Monday 01:00 in Beijing: the next week.
        { unitCode: 'a', stage: 'escalation-1', at: '2017-05-28T17:00:00Z' },
        { unitCode: 'a', stage: 'breach', at: '2017-06-30T10:00:00+08:00' },
        { unitCode: 'a', stage: 'opened', at: '2017-06-30T10:00:00+08:00' },
        { unitCode: 'a', stage: 'reminder-0', at: '2017-07-03T09:00:00+08:00' },
      ],
      { start: '2017-04-01', end: '2017-06-30' },
    );
    const option = spec.option as { xAxis: { data: string[] }; series: { data: number[] }[] };
    expect(option.xAxis.data[0]).toBe('W13');
    expect(option.xAxis.data.at(-1)).toBe('W26');
    const at = (w: string) => option.xAxis.data.indexOf(w);
    expect([option.series[0]!.data[at('W21')], option.series[1]!.data[at('W22')]]).toEqual([2, 1]);
    expect(option.series[1]!.data[at('W26')]).toBe(1);
    expect(option.series[0]!.data.reduce((a, b) => a + b, 0)).toBe(2);
    expect(renderSvg(spec)).toContain('>W21</text>');
  });

  it('draws the quarterly trend with a gap for a quarter without a rate', () => {
    const svg = renderSvg(
      quarterTrendChart([
        { quarter: '2017-Q2', onTimeRate: 0.5, averageScore: 62.5 },
        { quarter: '2017-Q3', onTimeRate: null, averageScore: null },
      ]),
    );
    expect(svg).toContain('>2017-Q3</text>');
    expect(svg).toContain('>62.5</text>');
  });
});

describe('PNG', () => {
  (existsSync(DEJAVU) ? it : it.skip)(
    'knows when no font has Chinese glyphs (missing-glyph boxes all look alike)',
    () => {
      expect(chineseRenders(LATIN_ONLY)).toBe(false);
      expect(chineseRenders({ loadSystemFonts: false })).toBe(false);
    },
  );

  (existsSync(NOTO_CJK) ? it : it.skip)('knows when a CJK font is there', () => {
    expect(chineseRenders({ loadSystemFonts: false, fontFiles: [NOTO_CJK] })).toBe(true);
  });

  (existsSync(DEJAVU) ? it : it.skip)(
    'without a CJK font the bulletin carries the chart labelled by unit code',
    async () => {
      const r = await report();
      const zip = await JSZip.loadAsync(
        await renderBulletin(r, { plan: { title: 't', issuer: 'i' }, fonts: LATIN_ONLY }),
      );
      const media = Object.values(zip.files).filter((f) => f.name.startsWith('word/media/') && !f.dir);
      expect(media).toHaveLength(1);
      const png = await media[0]!.async('nodebuffer');
      const codes = onTimeRateChart(r.units, 'ascii');
      expect(renderSvg(codes)).toContain('>fj-fuzhou</text>');
      // The same renderer and fonts draw the same bytes: the bulletin's image is the chart by unit code.
      expect(png.equals(svgToPng(renderSvg(codes), codes.width, LATIN_ONLY))).toBe(true);
    },
  );
});
