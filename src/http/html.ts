/**
 * HTML building blocks: a tagged template that escapes every interpolated value unless it is already
 * {@link SafeHtml}, the page layout, and the Chinese labels of lights, states and obligation kinds.
 */
import { DateTime } from 'luxon';
import { PLAN_TIMEZONE } from '../domain/plan';
import type { ObligationKind } from '../domain/plan';
import type { Light } from './service-types';

/** HTML that is already escaped; only {@link html} and {@link raw} make one. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

type Part = SafeHtml | string | number | null | undefined | false | Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** Builds HTML; interpolated strings and numbers are escaped, arrays are concatenated. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  parts.forEach((p, i) => {
    out += render(p) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks a constant, trusted string as HTML (never user or workflow data). */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

/** Path segment, encoded. */
export const seg = (s: string | number) => encodeURIComponent(String(s));

/** 绿/黄/红 with a word, for people who cannot tell the colours apart. */
export const LIGHT_LABELS: Record<Light, string> = { green: '正常', yellow: '临近截止', red: '逾期' };

/** States of an obligation item, in Chinese. */
export const STATE_LABELS: Record<string, string> = {
  pending: '进行中',
  overdue: '已逾期（催办中）',
  missed: '未完成',
  'on-time': '按时完成',
  late: '逾期完成',
  waived: '已豁免',
  open: '未结',
};

/** Obligation kinds, in Chinese. */
export const OBLIGATION_LABELS: Record<ObligationKind, string> = {
  'implementation-plan': '实施方案',
  'quarterly-progress': '季度落实情况',
  'year-end-report': '全年落实情况',
  'task-deadline': '任务时限',
  'recurring-publication': '定期公开',
  'emergency-information': '突发事件信息发布',
  'emergency-press-conference': '突发事件新闻发布会',
  'information-request': '依申请公开答复',
};

/** Timeline entry types, in Chinese. */
export const TIMELINE_LABELS: Record<string, string> = {
  notice: '发出通知',
  'notice-failed': '通知失败',
  fulfilment: '登记完成',
  extension: '批准延期',
  waiver: '豁免',
  missed: '未完成',
  closed: '结束',
};

/** A light as a coloured dot with its word. */
export function lightBadge(light: Light, title?: string): SafeHtml {
  return html`<span class="light light-${light}" data-light="${light}" title="${title ?? LIGHT_LABELS[light]}"
    >${LIGHT_LABELS[light]}</span
  >`;
}

/** An ISO instant shown in Asia/Shanghai (`2017-05-23 09:00`); dates and unparsable text pass through. */
export function shanghai(iso: string | null | undefined): string {
  if (!iso) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const dt = DateTime.fromISO(iso, { setZone: true });
  return dt.isValid ? dt.setZone(PLAN_TIMEZONE).toFormat('yyyy-MM-dd HH:mm') : iso;
}

/** The whole page around a body. */
export function layout(options: {
  title: string;
  body: SafeHtml;
  who?: string;
  csrf?: string;
  nav?: { href: string; label: string }[];
}): string {
  const page = html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · 督办</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/app.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">督办 duban</a>
          <nav>${(options.nav ?? []).map((n) => html`<a href="${n.href}">${n.label}</a>`)}</nav>
          ${
            options.who
              ? html`<form method="post" action="/logout" class="logout">
                  <span class="who">${options.who}</span>
                  <input type="hidden" name="_csrf" value="${options.csrf ?? ''}" /><button type="submit">退出</button>
                </form>`
              : ''
          }
        </header>
        <main>
          <h1>${options.title}</h1>
          ${options.body}
        </main>
      </body>
    </html> `;
  return page.value;
}
