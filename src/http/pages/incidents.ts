/**
 * Incidents (突发事件, task 55) on pages: a table of incidents with each step's light, due instant and margin, the
 * form to report one (unit page), and an incident's own page with the form to record a step done.
 */
import type { IncidentOverview, IncidentStepOverview } from '../../service';
import { SHORT_STEP_NAMES, STATE_NAMES, STEP_NAMES } from '../../domain/names';
import type { TimelineEntry } from '../../domain/notice';
import type { HistoryEntry } from '../../service';
import { html, lightBadge, type SafeHtml, seg, shanghai } from '../html';
import {
  backLinks,
  csrfField,
  type Flash,
  historyTable,
  type KeptForm,
  keptValues,
  page,
  type PageContext,
  timelineTable,
  unitName,
} from './common';

/** Minutes ahead of (提前) or past (超时) the window; empty until the step is done. */
export function marginText(minutes: number | null): string {
  if (minutes === null) return '';
  return minutes >= 0 ? `提前 ${minutes} 分钟` : `超时 ${-minutes} 分钟`;
}

/** The path of an incident's page. */
export const incidentHref = (ctx: PageContext, incidentId: string) =>
  `/plans/${seg(ctx.plan.id)}/incidents/${seg(incidentId)}`;

function stepCell(s: IncidentStepOverview): SafeHtml {
  return html`<td data-step="${s.step}">
    ${lightBadge(s.light)} <span class="state">${STATE_NAMES[s.state]?.zh ?? s.state}</span><br />
    <span class="muted">截止 ${shanghai(s.due)}</span>${
      s.doneAt ? html`<br />完成 ${shanghai(s.doneAt)} <span class="margin">${marginText(s.marginMinutes)}</span>` : ''
    }
  </td>`;
}

/** Incidents with both steps' lights, due instants and margins, newest first. */
export function incidentsTable(ctx: PageContext, incidents: IncidentOverview[], options: { unitColumn: boolean }) {
  if (!incidents.length) return html`<p class="muted" id="no-incidents">暂无突发事件。</p>`;
  const p = seg(ctx.plan.id);
  return html`<table class="incidents" id="incidents">
    <thead>
      <tr>
        ${options.unitColumn ? html`<th>单位</th>` : ''}
        <th>事件</th>
        <th>级别</th>
        <th>发生时间</th>
        <th>${STEP_NAMES.information}</th>
        <th>${STEP_NAMES['press-conference']}</th>
      </tr>
    </thead>
    <tbody>
      ${incidents.map(
        (i) =>
          html`<tr data-incident="${i.incidentId}">
            ${options.unitColumn ? html`<td><a href="/plans/${p}/units/${seg(i.unitCode)}">${i.unitName}</a></td>` : ''}
            <td><a href="${incidentHref(ctx, i.incidentId)}">${i.incidentId}</a>${i.closed ? '（已结束）' : ''}</td>
            <td>${i.level}</td>
            <td>${shanghai(i.occurredAt)}</td>
            ${i.steps.map(stepCell)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The form to report an incident of a unit; times are Beijing time. */
export function reportIncidentForm(ctx: PageContext, unitCode: string, kept?: KeptForm): SafeHtml {
  const f = keptValues(kept, 'incident');
  const level = f.level ?? '重大';
  return html`<form
    class="card"
    id="report-incident"
    method="post"
    action="/plans/${seg(ctx.plan.id)}/units/${seg(unitCode)}/incidents"
  >
    ${csrfField(ctx)}
    <label for="incident-level">级别</label>
    <select id="incident-level" name="level">
      ${['特别重大', '重大'].map((l) => html`<option value="${l}" ${l === level ? html` selected` : ''}>${l}</option>`)}
    </select>
    <label for="incident-summary">事件概要</label>
    <input id="incident-summary" name="summary" required maxlength="500" value="${f.summary ?? ''}" />
    <label for="incident-occurred">发生时间（北京时间）</label>
    <input id="incident-occurred" name="occurredAt" type="datetime-local" required value="${f.occurredAt ?? ''}" />
    <label for="incident-id">事件编号（可留空，自动生成）</label>
    <input id="incident-id" name="incidentId" maxlength="64" value="${f.incidentId ?? ''}" />
    <p class="muted">时限自发生时间起算：5小时内发布权威信息，24小时内举行新闻发布会。</p>
    <button type="submit" id="incident-submit">报告突发事件</button>
  </form>`;
}

/** An incident's page: its steps, timeline and history, and the form to record a step done. */
export function incidentPage(
  ctx: PageContext,
  options: {
    incident: IncidentOverview;
    timeline: TimelineEntry[];
    history: HistoryEntry[];
    uiLink: string | null;
    flash?: Flash;
    kept?: KeptForm;
  },
): string {
  const i = options.incident;
  const open = i.closed ? [] : i.steps.filter((s) => s.doneAt === null);
  const f = keptValues(options.kept, 'done');
  const body = html`${backLinks(ctx, i.unitCode, options.uiLink)}
    <div class="card" id="incident">
      <p>
        级别：${i.level}；发生时间：${shanghai(i.occurredAt)}；报告时间：${shanghai(i.reportedAt)}${
          i.closed ? '；已结束' : ''
        }
      </p>
    </div>
    <table class="steps" id="steps">
      <thead>
        <tr>
          <th>步骤</th>
          <th>截止时间</th>
          <th>状态</th>
          <th>灯</th>
          <th>完成时间</th>
          <th>提前 / 超时</th>
        </tr>
      </thead>
      <tbody>
        ${i.steps.map(
          (s) =>
            html`<tr data-step="${s.step}">
              <td>${STEP_NAMES[s.step] ?? s.step}</td>
              <td>${shanghai(s.due)}</td>
              <td class="state">${STATE_NAMES[s.state]?.zh ?? s.state}</td>
              <td class="light-cell">${lightBadge(s.light)}</td>
              <td>${shanghai(s.doneAt)}</td>
              <td class="margin">${marginText(s.marginMinutes)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      open.length
        ? html`<h2>登记完成</h2>
            <form class="card" id="done" method="post" action="${incidentHref(ctx, i.incidentId)}/done">
              ${csrfField(ctx)}
              <label for="done-step">步骤</label>
              <select id="done-step" name="step">
                ${open.map(
                  (s) =>
                    html`<option value="${s.step}" ${f.step === s.step ? html` selected` : ''}>
                      ${STEP_NAMES[s.step] ?? s.step}（截止 ${shanghai(s.due)}）
                    </option>`,
                )}
              </select>
              ${
                ctx.principal.kind === 'operator'
                  ? html`<label for="done-at">完成时间（北京时间，留空按现在）</label>
                      <input id="done-at" name="at" type="datetime-local" value="${f.at ?? ''}" />`
                  : html`<p class="muted">完成时间按提交时记录。</p>`
              }
              <label for="done-document">文号或发布会名称</label>
              <input id="done-document" name="document" maxlength="200" value="${f.document ?? ''}" />
              <label for="done-url">公开网址</label>
              <input
                id="done-url"
                name="url"
                type="url"
                maxlength="2000"
                placeholder="https://"
                value="${f.url ?? ''}"
              />
              <label for="done-note">备注</label>
              <textarea id="done-note" name="note" maxlength="1000" rows="2">${f.note ?? ''}</textarea>
              <p class="muted">文号与网址至少填写一项。</p>
              <button type="submit" id="done-submit">登记完成</button>
            </form>`
        : ''
    }
    <h2>时间线</h2>
    ${timelineTable(options.timeline, { title: '步骤', of: (t) => SHORT_STEP_NAMES[t.what ?? ''] ?? '' })}
    <h2>工作流历史</h2>
    ${historyTable(options.history)}`;
  return page(ctx, `${unitName(ctx, i.unitCode)} · 突发事件 ${i.incidentId}`, body, options.flash);
}
