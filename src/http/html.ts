/**
 * HTML building blocks: a tagged template that escapes every interpolated value unless it is already
 * {@link SafeHtml}, the page layout, and the light badge.
 */
import { DateTime } from 'luxon';
import { PLAN_TIMEZONE } from '../domain/plan';
import type { Light } from '../domain/lights';
import { LIGHT_NAMES } from '../domain/names';

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

/** A light as a coloured dot with its word. */
export function lightBadge(light: Light, title?: string): SafeHtml {
  return html`<span class="light light-${light}" data-light="${light}" title="${title ?? LIGHT_NAMES[light].zh}"
    >${LIGHT_NAMES[light].zh}</span
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
  /** A line above every page, e.g. that the plan is a rehearsal. (Default: none) */
  banner?: string;
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
        ${options.banner ? html`<div class="banner" role="note" id="banner">${options.banner}</div>` : ''}
        <main>
          <h1>${options.title}</h1>
          ${options.body}
        </main>
      </body>
    </html> `;
  return page.value;
}
