/**
 * Information requests (依申请公开, task 60) on pages: a table with each request's light, due date and state, the
 * form to register one received (unit page), and a request's own page with the forms to reply, extend, pause,
 * resume and correct.
 */
import type { HistoryEntry, RequestOverview } from '../../service';
import { STATE_NAMES } from '../../domain/names';
import type { TimelineEntry } from '../../domain/notice';
import { html, lightBadge, type SafeHtml, seg, shanghai } from '../html';
import {
  backLinks,
  calendarErrorBadge,
  csrfField,
  type Flash,
  historyTable,
  type KeptForm,
  keptValues,
  page,
  type PageContext,
  provisionalBadge,
  timelineTable,
  unitName,
} from './common';

/** The path of a request's page. */
export const requestHref = (ctx: PageContext, requestId: string) =>
  `/plans/${seg(ctx.plan.id)}/requests/${seg(requestId)}`;

const dueText = (r: RequestOverview) => r.due ?? '暂停计时';
const answered = (r: RequestOverview) => r.repliedAt !== null || r.closed;

/** Requests with their lights, due dates and states, latest receipt first. */
export function requestsTable(ctx: PageContext, requests: RequestOverview[], options: { unitColumn: boolean }) {
  if (!requests.length) return html`<p class="muted" id="no-requests">暂无依申请公开事项。</p>`;
  const p = seg(ctx.plan.id);
  return html`<table class="requests" id="requests">
    <thead>
      <tr>
        ${options.unitColumn ? html`<th>单位</th>` : ''}
        <th>申请编号</th>
        <th>收到日期</th>
        <th>答复期限</th>
        <th>状态</th>
        <th>灯</th>
        <th>延期</th>
        <th>答复时间</th>
      </tr>
    </thead>
    <tbody>
      ${requests.map(
        (r) =>
          html`<tr data-request="${r.requestId}">
            ${options.unitColumn ? html`<td><a href="/plans/${p}/units/${seg(r.unitCode)}">${r.unitName}</a></td>` : ''}
            <td><a href="${requestHref(ctx, r.requestId)}">${r.requestId}</a></td>
            <td>${r.receivedOn}</td>
            <td class="due">${dueText(r)}${provisionalBadge(r)}${calendarErrorBadge(r)}</td>
            <td class="state">${STATE_NAMES[r.state]?.zh ?? r.state}</td>
            <td class="light-cell">${lightBadge(r.light)}</td>
            <td>${r.extension ? `+${r.extension.workingDays} 个工作日` : ''}</td>
            <td>${shanghai(r.repliedAt)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The form to register a request a unit received. */
export function receiveRequestForm(ctx: PageContext, unitCode: string, kept?: KeptForm): SafeHtml {
  const f = keptValues(kept, 'request');
  return html`<form
    class="card"
    id="receive-request"
    method="post"
    action="/plans/${seg(ctx.plan.id)}/units/${seg(unitCode)}/requests"
  >
    ${csrfField(ctx)}
    <label for="request-id">申请编号（字母、数字、._-）</label>
    <input id="request-id" name="requestId" required maxlength="64" value="${f.requestId ?? ''}" />
    <label for="request-received">收到日期</label>
    <input id="request-received" name="receivedOn" type="date" required value="${f.receivedOn ?? ''}" />
    <p class="muted">答复期限自收到之日的次日起算：2019年5月15日前收到的15个工作日，此后20个工作日。</p>
    <button type="submit" id="request-submit">登记收到申请</button>
  </form>`;
}

function facts(r: RequestOverview): SafeHtml {
  const pauses = r.pauses.map((p) => `${p.from} → ${p.to ?? '至今'}（${p.workingDays} 个工作日）：${p.reason}`);
  return html`<table class="facts" id="request">
    <tbody>
      <tr>
        <th>收到日期</th>
        <td>${r.firstReceivedOn}${r.receivedOn !== r.firstReceivedOn ? `（补正后 ${r.receivedOn}）` : ''}</td>
      </tr>
      <tr>
        <th>适用条例</th>
        <td>${r.regulation}年《政府信息公开条例》；共 ${r.workingDays} 个工作日</td>
      </tr>
      <tr>
        <th>答复期限</th>
        <td class="due">${dueText(r)}${provisionalBadge(r)}</td>
      </tr>
      ${
        r.provisional
          ? html`<tr id="request-provisional">
              <th>日期说明</th>
              <td>${r.provisional.join('、')}年节假日安排尚未公布，相关日期暂按周末推算，公布后自动调整。</td>
            </tr>`
          : ''
      }
      ${
        r.calendarError
          ? html`<tr id="request-calendar-error">
              <th>日期无法计算</th>
              <td>${r.calendarError}（已通知办公厅）</td>
            </tr>`
          : ''
      }
      <tr>
        <th>状态</th>
        <td><span class="state">${STATE_NAMES[r.state]?.zh ?? r.state}</span> ${lightBadge(r.light)}</td>
      </tr>
      <tr>
        <th>延期</th>
        <td>
          ${
            r.extension
              ? `+${r.extension.workingDays} 个工作日，${r.extension.approver} 批准（${shanghai(r.extension.at)}）：${r.extension.reason}`
              : '无'
          }
        </td>
      </tr>
      <tr>
        <th>征求第三方意见</th>
        <td>${pauses.length ? pauses.join('；') : '无'}</td>
      </tr>
      <tr>
        <th>答复时间</th>
        <td>${shanghai(r.repliedAt)}</td>
      </tr>
    </tbody>
  </table>`;
}

/** The forms of an open request: reply; extend (once); pause or resume; correct. */
function forms(ctx: PageContext, r: RequestOverview, kept?: KeptForm): SafeHtml {
  if (answered(r)) return html``;
  const base = requestHref(ctx, r.requestId);
  const reply = keptValues(kept, 'reply');
  const ext = keptValues(kept, 'extend');
  const pause = keptValues(kept, 'pause');
  const resume = keptValues(kept, 'resume');
  const correct = keptValues(kept, 'correct');
  const paused = r.state === 'paused';
  return html`<h2>答复</h2>
    <form class="card" id="reply" method="post" action="${base}/reply">
      ${csrfField(ctx)}
      ${
        ctx.principal.kind === 'operator'
          ? html`<label for="reply-at">答复时间（北京时间，留空按现在）</label>
              <input id="reply-at" name="at" type="datetime-local" value="${reply.at ?? ''}" />`
          : html`<p class="muted">答复时间按提交时记录。</p>`
      }
      <label for="reply-document">答复书文号</label>
      <input id="reply-document" name="document" maxlength="200" value="${reply.document ?? ''}" />
      <label for="reply-url">公开网址</label>
      <input id="reply-url" name="url" type="url" maxlength="2000" placeholder="https://" value="${reply.url ?? ''}" />
      <label for="reply-note">备注</label>
      <textarea id="reply-note" name="note" maxlength="1000" rows="2">${reply.note ?? ''}</textarea>
      <button type="submit" id="reply-submit">登记答复</button>
    </form>
    ${
      r.extension
        ? ''
        : html`<h2>延长答复期限</h2>
            <form class="card" id="extend" method="post" action="${base}/extend">
              ${csrfField(ctx)}
              <label for="extend-days">延长工作日（留空按法定期限）</label>
              <input
                id="extend-days"
                name="workingDays"
                type="number"
                min="1"
                max="${r.workingDays}"
                value="${ext.workingDays ?? ''}"
              />
              <label for="extend-approver">批准人（机关负责人）</label>
              <input id="extend-approver" name="approver" required maxlength="100" value="${ext.approver ?? ''}" />
              <label for="extend-reason">理由</label>
              <input id="extend-reason" name="reason" required maxlength="500" value="${ext.reason ?? ''}" />
              <p class="muted">延长答复期限须经政府信息公开工作机构负责人同意，只可延长一次。</p>
              <button type="submit" id="extend-submit">登记延期</button>
            </form>`
    }
    ${
      paused
        ? html`<h2>恢复计时</h2>
            <form class="card" id="resume" method="post" action="${base}/resume">
              ${csrfField(ctx)}
              <label for="resume-on">第三方答复日期（留空按今天）</label>
              <input id="resume-on" name="on" type="date" value="${resume.on ?? ''}" />
              <label for="resume-reason">说明</label>
              <input id="resume-reason" name="reason" maxlength="500" value="${resume.reason ?? ''}" />
              <button type="submit" id="resume-submit">恢复计时</button>
            </form>`
        : html`<h2>征求第三方意见（暂停计时）</h2>
            <form class="card" id="pause" method="post" action="${base}/pause">
              ${csrfField(ctx)}
              <label for="pause-on">开始日期（留空按今天）</label>
              <input id="pause-on" name="on" type="date" value="${pause.on ?? ''}" />
              <label for="pause-reason">征求意见的第三方</label>
              <input id="pause-reason" name="reason" required maxlength="500" value="${pause.reason ?? ''}" />
              <button type="submit" id="pause-submit">暂停计时</button>
            </form>`
    }
    <h2>申请补正</h2>
    <form class="card" id="correct" method="post" action="${base}/correct">
      ${csrfField(ctx)}
      <label for="correct-received">收到补正申请的日期</label>
      <input id="correct-received" name="receivedOn" type="date" required value="${correct.receivedOn ?? ''}" />
      <label for="correct-note">备注</label>
      <input id="correct-note" name="note" maxlength="1000" value="${correct.note ?? ''}" />
      <p class="muted">答复期限自收到补正申请之日起重新计算。</p>
      <button type="submit" id="correct-submit">登记补正</button>
    </form>`;
}

/** A request's page: its dates and state, the forms, timeline and history. */
export function requestPage(
  ctx: PageContext,
  options: {
    request: RequestOverview;
    timeline: TimelineEntry[];
    history: HistoryEntry[];
    uiLink: string | null;
    flash?: Flash;
    kept?: KeptForm;
  },
): string {
  const r = options.request;
  const body = html`${backLinks(ctx, r.unitCode, options.uiLink)} ${facts(r)} ${forms(ctx, r, options.kept)}
    <h2>时间线</h2>
    ${timelineTable(options.timeline)}
    <h2>工作流历史</h2>
    ${historyTable(options.history)}`;
  return page(ctx, `${unitName(ctx, r.unitCode)} · 依申请公开 ${r.requestId}`, body, options.flash);
}
