/**
 * The two pages that show everything at once: the plan overview (operators) and a unit's page, each with its
 * obligations, incidents (突发事件) and information requests (依申请公开).
 */
import type { IncidentOverview, MatrixPage, RequestOverview, StatusRow } from '../../service';
import { countLights, lightTotals } from '../../domain/lights';
import { html } from '../html';
import {
  calendarErrorNote,
  counts,
  type Flash,
  type KeptForm,
  page,
  type PageContext,
  unitName,
  provisionalNote,
} from './common';
import { incidentsTable, reportIncidentForm } from './incidents';
import { fulfilForm, groupedRows, planMatrix } from './obligations';
import { receiveRequestForm, requestsTable } from './requests';

/** Plan overview: light counts, report downloads, every incident and request, the task × unit matrix. */
export function planPage(
  ctx: PageContext,
  options: {
    /** A page of the matrix with the plan's light totals (`obligations.matrix`). */
    matrix: MatrixPage;
    incidents: IncidentOverview[];
    requests: RequestOverview[];
    reports: { href: string; label: string }[];
    flash?: Flash;
  },
): string {
  const body = html` <p class="muted">
      ${ctx.plan.title}（${ctx.plan.issuer}，${ctx.plan.publishedOn} 印发）。绿：正常；黄：进入提醒期；红：已逾期。
    </p>
    ${provisionalNote([...options.matrix.totals, ...options.requests])}
    ${calendarErrorNote([...options.matrix.totals, ...options.requests])} ${counts(lightTotals(options.matrix.totals))}
    ${
      options.reports.length
        ? html`<p>报表下载：${options.reports.map((r) => html`<a class="report" href="${r.href}">${r.label}</a> `)}</p>`
        : ''
    }
    <h2>突发事件</h2>
    ${incidentsTable(ctx, options.incidents, { unitColumn: true })}
    <h2>依申请公开</h2>
    ${requestsTable(ctx, options.requests, { unitColumn: true })}
    <h2>任务落实情况</h2>
    ${planMatrix(ctx, options.matrix)}`;
  return page(ctx, `督办总览 · ${ctx.plan.id}`, body, options.flash);
}

/** A unit's page: its obligations and the fulfilment form, its incidents and requests with their forms, its feed. */
export function unitPage(
  ctx: PageContext,
  unitCode: string,
  options: {
    rows: StatusRow[];
    incidents: IncidentOverview[];
    requests: RequestOverview[];
    feedUrl?: string;
    flash?: Flash;
    kept?: KeptForm;
  },
): string {
  const body = html` <p class="muted">单位代码 ${unitCode}</p>
    ${provisionalNote([...options.rows, ...options.requests])}
    ${calendarErrorNote([...options.rows, ...options.requests])} ${counts(countLights(options.rows))}
    <h2>登记完成情况</h2>
    ${fulfilForm(ctx, unitCode, options.rows, options.kept)}
    <h2>突发事件</h2>
    ${incidentsTable(ctx, options.incidents, { unitColumn: false })}
    <details ${options.kept?.id === 'incident' ? html` open` : ''}>
      <summary>报告突发事件</summary>
      ${reportIncidentForm(ctx, unitCode, options.kept)}
    </details>
    <h2>依申请公开</h2>
    ${requestsTable(ctx, options.requests, { unitColumn: false })}
    <details ${options.kept?.id === 'request' ? html` open` : ''}>
      <summary>登记收到申请</summary>
      ${receiveRequestForm(ctx, unitCode, options.kept)}
    </details>
    <h2>全部事项</h2>
    ${groupedRows(ctx, options.rows)}
    ${
      options.feedUrl
        ? html`<h2>日历订阅</h2>
            <div class="card">
              <p>在 Outlook 或手机日历中订阅本单位的全部截止日期和提醒：</p>
              <code class="feed" id="feed-url">${options.feedUrl}</code>
              <button type="button" class="button" data-copy="${options.feedUrl}">复制</button>
            </div>`
        : ''
    }`;
  return page(ctx, unitName(ctx, unitCode), body, options.flash);
}
