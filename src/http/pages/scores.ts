/**
 * The scoring page (考核): the units' scores and ranking for a quarter or the year, the units to be criticised, and
 * the charts (on-time rate by unit, notices by week, trend by quarter) as inline SVG rendered on the server.
 */
import type { ScoreReport } from '../../reports/score';
import { RANKING_COLUMNS, rankingRow, signForNote } from '../../reports/score';
import { html, raw, seg } from '../html';
import { page, type PageContext } from './common';

/** The charts of a scoring page, each a standalone SVG document from the server-side renderer. */
export interface ScoreCharts {
  onTimeRate: string;
  noticesByWeek: string;
  trend: string;
}

/** Scores, ranking and charts of one period, with links to the other periods and the bulletin. */
export function scoresPage(
  ctx: PageContext,
  options: { report: ScoreReport; charts: ScoreCharts; periods: { label: string; value: string }[] },
): string {
  const { report, charts } = options;
  const base = `/plans/${seg(ctx.plan.id)}`;
  const current = report.period.kind === 'year' ? 'year' : report.period.label;
  const criticised = report.units.filter((u) => u.criticisms.length > 0);
  const note = signForNote(report);
  // The SVG comes from ECharts' server-side renderer, which escapes every text it draws (unit names included).
  const chart = (id: string, title: string, svg: string) =>
    html`<figure class="chart" id="${id}" aria-label="${title}">${raw(svg)}</figure>`;
  const body = html`<p class="muted">
      ${report.period.zh}：${report.period.kind === 'year' ? '计划全部事项' : `${report.period.start} 至 ${report.period.end} 到期的事项`}。
      按时完成、逾期完成、未完成、免除分别计分，批准延期和签收超时扣分（评分办法见
      docs/scoring.md）。${note ? `${note}。` : ''}
    </p>
    <p>
      ${options.periods.map((p) =>
        p.value === current
          ? html`<strong class="period">${p.label}</strong> `
          : html`<a class="period" href="${base}/scores?period=${p.value}">${p.label}</a> `,
      )}
      · <a class="report" href="${base}/reports/bulletin.docx?period=${current}">下载通报（Word）</a>
    </p>
    <h2>排名</h2>
    <table id="ranking">
      <thead>
        <tr>
          ${RANKING_COLUMNS.map((c) => html`<th>${c}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${report.units.map(
          (u) =>
            html`<tr data-unit="${u.unitCode}" ${u.criticisms.length ? html`class="criticised"` : ''}>
              ${rankingRow(u).map((v) => html`<td>${v}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
    <h2>通报批评</h2>
    ${
      criticised.length
        ? html`<ul id="criticised">
            ${criticised.map((u) => html`<li>${u.unitName}：${u.criticisms.join('；')}</li>`)}
          </ul>`
        : html`<p id="criticised">无</p>`
    }
    <h2>图表</h2>
    ${chart('chart-on-time', '各单位按时完成率', charts.onTimeRate)}
    ${chart('chart-weekly', '每周提醒与督办', charts.noticesByWeek)} ${chart('chart-trend', '按季度趋势', charts.trend)}`;
  return page(ctx, `考核得分 · ${report.period.zh}`, body);
}
