/** What every page shares: the caller's context, the flash, the frame, light counts, timeline and history tables. */
import { stageName, TIMELINE_NAMES } from '../../domain/names';
import { LIGHTS, type Light } from '../../domain/lights';
import type { DeliveryStatus } from '../../store/types';
import type { HistoryEntry, StatusRow, TimelineRow } from '../../service';
import type { Principal } from '../auth';
import { html, layout, lightBadge, type SafeHtml, seg, shanghai } from '../html';
import type { Plan } from '../../domain/plan';

/** What every authenticated page knows about the caller. */
export interface PageContext {
  principal: Principal;
  /** Unit name of an officer, for the header. */
  who: string;
  /** CSRF token for forms (cookie logins). */
  csrf: string;
  plan: Plan;
  unitNames: ReadonlyMap<string, string>;
  /** A line above every page, e.g. that the plan is a rehearsal. (Default: none) */
  banner?: string;
}

/** A message shown above the page body. */
export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

/** The values a refused form was sent with, to show it again as it was. */
export interface KeptForm {
  /** Which form of the page (`fulfil`, `incident`, `reply`, …). */
  id: string;
  values: Record<string, string>;
}

/** The values of form `id` when it is the one kept, else none. */
export const keptValues = (kept: KeptForm | undefined, id: string): Record<string, string> =>
  kept?.id === id ? kept.values : {};

function nav(ctx: PageContext): { href: string; label: string }[] {
  const p = seg(ctx.plan.id);
  if (ctx.principal.kind === 'operator') return [{ href: `/plans/${p}`, label: '总览' }];
  return [{ href: `/plans/${p}/units/${seg(ctx.principal.unitCode)}`, label: '本单位' }];
}

/** The page frame around a body, with the flash on top. */
export function page(ctx: PageContext, title: string, body: SafeHtml, flash?: Flash): string {
  const flashHtml = flash ? html`<div class="flash ${flash.kind}" role="status">${flash.text}</div>` : '';
  return layout({
    title,
    body: html`${flashHtml}${body}`,
    who: ctx.who,
    csrf: ctx.csrf,
    nav: nav(ctx),
    banner: ctx.banner,
  });
}

/** Green, yellow and red counts. */
export function counts(c: Record<Light, number>): SafeHtml {
  return html`<div class="counts">
    ${LIGHTS.map((l) => html`<span>${lightBadge(l)} <strong data-count="${l}">${c[l]}</strong></span>`)}
  </div>`;
}

/** The hidden CSRF field every form carries. */
export const csrfField = (ctx: PageContext) => html`<input type="hidden" name="_csrf" value="${ctx.csrf}" />`;

/** The unit's name, or its code when the directory lacks it. */
export const unitName = (ctx: PageContext, code: string) => ctx.unitNames.get(code) ?? code;

/** A link back to the unit page and, when there is one, to the workflow in the Temporal Web UI. */
export function backLinks(ctx: PageContext, unitCode: string, uiLink: string | null): SafeHtml {
  return html`<p>
    <a href="/plans/${seg(ctx.plan.id)}/units/${seg(unitCode)}">← 返回单位</a>${
      uiLink
        ? html` · <a href="${uiLink}" rel="noopener" target="_blank" id="ui-link">在 Temporal Web UI 中查看</a>`
        : ''
    }
  </p>`;
}

/**
 * A workflow's timeline. `column` names the extra column: the period of a recurring duty (`期次`) or the step of
 * an incident (`步骤`, from `what`, named by `whatNames`). (Default: no extra column)
 */
export function timelineTable(
  entries: TimelineRow[],
  column?: { title: string; of: (t: TimelineRow) => string },
): SafeHtml {
  if (!entries.length) return html`<p class="muted">尚无记录。</p>`;
  return html`<table id="timeline">
    <thead>
      <tr>
        <th>时间（北京时间）</th>
        <th>事件</th>
        ${column ? html`<th>${column.title}</th>` : ''}
        <th>阶段</th>
        <th>收件人</th>
        <th>说明</th>
      </tr>
    </thead>
    <tbody>
      ${entries.map(
        (t) =>
          html`<tr>
            <td>${shanghai(t.at)}</td>
            <td>${t.type === 'notice' ? noticeLabel(t) : (TIMELINE_NAMES[t.type]?.zh ?? t.type)}</td>
            ${column ? html`<td>${column.of(t)}</td>` : ''}
            <td>${t.stage ? stageName(t.stage) : ''}</td>
            <td>${recipientsCell(t)}</td>
            <td>${t.detail ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A status row's last notice and its deliveries by state (`催办提醒：已发送 2、发送失败 1`); empty without one. */
export function lastNoticeCell(row: StatusRow): SafeHtml | string {
  const d = row.delivery;
  if (!d) return '';
  const counts = (['queued', 'sent', 'failed', 'undeliverable'] as const)
    .filter((state) => d[state] > 0)
    .map((state) => `${DELIVERY_WORDS[state]} ${d[state]}`);
  return html`<span class="delivery" data-status="${d.status}">${stageName(d.stage)}：${counts.join('、')}</span>`;
}

const DELIVERY_WORDS: Record<DeliveryStatus, string> = {
  queued: '待发送',
  sending: '待发送',
  sent: '已发送',
  failed: '发送失败',
  undeliverable: '地址被拒收',
};

/** A notice's event: queued until the outbox sent it, never "sent" before. */
function noticeLabel(t: TimelineRow): string {
  const d = t.delivery;
  if (!d || d.status === 'queued') return TIMELINE_NAMES.notice.zh;
  if (d.status !== 'sent') return '通知未能送达';
  return d.recipients.every((r) => r.status === 'sent') ? '通知已发送' : '通知部分送达';
}

/** Each recipient with what became of the message to them (and why it failed), when the outbox is known. */
function recipientsCell(t: TimelineRow): SafeHtml | string {
  if (!t.delivery?.recipients.length) return (t.recipients ?? []).join('、');
  return html`${t.delivery.recipients.map(
    (r, i) =>
      html`${i > 0 ? '、' : ''}<span class="delivery" data-status="${r.status}"
          >${r.address}（${DELIVERY_WORDS[r.status]}${r.status !== 'sent' && r.error ? `：${r.error}` : ''}）</span
        >`,
  )}`;
}

/** A workflow's readable history. */
export function historyTable(history: HistoryEntry[]): SafeHtml {
  if (!history.length) return html`<p class="muted">无。</p>`;
  return html`<table id="history">
    <thead>
      <tr>
        <th>时间（北京时间）</th>
        <th>类别</th>
        <th>内容</th>
        <th>事件</th>
      </tr>
    </thead>
    <tbody>
      ${history.map(
        (e) =>
          html`<tr>
            <td>${shanghai(e.at)}</td>
            <td>${e.kind}</td>
            <td>${e.summary}</td>
            <td class="muted">#${e.eventId} ${e.eventType}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/**
 * A note naming the dates a workflow could not compute (or the holiday data it could not use), as the general
 * office was told; empty when there are none.
 */
export function calendarErrorNote(rows: readonly { calendarError?: string }[]): SafeHtml | '' {
  const errors = [...new Set(rows.flatMap((r) => (r.calendarError ? [r.calendarError] : [])))];
  if (errors.length === 0) return '';
  return html`<div class="flash error" id="calendar-error-note">
    <p>日期无法计算（已通知办公厅），标有“日期无法计算”的事项请核实日期或节假日数据：</p>
    <ul>
      ${errors.map((e) => html`<li>${e}</li>`)}
    </ul>
  </div>`;
}

/** A badge for an item whose dates could not be computed, with the reason as its title; empty otherwise. */
export function calendarErrorBadge(r: { calendarError?: string }): SafeHtml | '' {
  return r.calendarError ? html` <span class="calendar-error" title="${r.calendarError}">日期无法计算</span>` : '';
}

/** A 暂定 badge for an item whose dates rest on a provisional year; empty otherwise. */
export function provisionalBadge(r: { provisional?: number[] }): SafeHtml | '' {
  return r.provisional?.length
    ? html` <span class="provisional" title="${r.provisional.join('、')}年节假日安排尚未公布">暂定</span>`
    : '';
}

/** A note that some dates rest on years without a State Council holiday notice yet; empty when none do. */
export function provisionalNote(rows: readonly { provisional?: number[] }[]): SafeHtml | '' {
  const years = [...new Set(rows.flatMap((r) => r.provisional ?? []))].sort((a, b) => a - b);
  if (years.length === 0) return '';
  return html`<p class="flash" id="provisional-note">
    ${years.join('、')}年节假日安排尚未公布：标有“暂定”的日期暂按周末推算，公布并经
    <code>duban holidays add</code> 补充后自动调整。
  </p>`;
}
