/** Server-rendered pages of the dashboard (Chinese): plan matrix, unit, task, obligation timeline, login. */
import { countLights, worstLight } from '../domain/lights';
import { LIGHT_NAMES, OBLIGATION_NAMES, STATE_NAMES, stageName, TIMELINE_NAMES } from '../domain/names';
import type { Plan, Task } from '../domain/plan';
import type { TimelineEntry } from '../../workflows/messages';
import type { Principal } from './auth';
import { html, layout, lightBadge, type SafeHtml, seg, shanghai } from './html';
import type { HistoryEntry, Light, StatusRow } from './service-types';

/** What every authenticated page knows about the caller. */
export interface PageContext {
  principal: Principal;
  /** Unit name of an officer, for the header. */
  who: string;
  /** CSRF token for forms (cookie logins). */
  csrf: string;
  plan: Plan;
  unitNames: Map<string, string>;
}

/** A message shown above the page body. */
export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

export { countLights, worstLight } from '../domain/lights';

/** Whether an item can still be fulfilled. */
export const isOpen = (r: StatusRow) => r.state === 'pending' || r.state === 'overdue' || r.state === 'missed';

/** The value of a fulfilment-form option: `obligationId|period`. */
export const itemValue = (r: Pick<StatusRow, 'obligationId' | 'period'>) => `${r.obligationId}|${r.period ?? ''}`;

function nav(ctx: PageContext): { href: string; label: string }[] {
  const p = seg(ctx.plan.id);
  if (ctx.principal.kind === 'operator') return [{ href: `/plans/${p}`, label: '总览' }];
  return [{ href: `/plans/${p}/units/${seg(ctx.principal.unitCode)}`, label: '本单位' }];
}

function page(ctx: PageContext, title: string, body: SafeHtml, flash?: Flash): string {
  const flashHtml = flash ? html`<div class="flash ${flash.kind}" role="status">${flash.text}</div>` : '';
  return layout({ title, body: html`${flashHtml}${body}`, who: ctx.who, csrf: ctx.csrf, nav: nav(ctx) });
}

function counts(c: Record<Light, number>): SafeHtml {
  return html`<div class="counts">
    ${(['green', 'yellow', 'red'] as Light[]).map(
      (l) => html`<span>${lightBadge(l)} <strong data-count="${l}">${c[l]}</strong></span>`,
    )}
  </div>`;
}

function obligationLabel(r: Pick<StatusRow, 'obligation' | 'taskNo'>): string {
  const kind = OBLIGATION_NAMES[r.obligation]?.zh ?? r.obligation;
  return r.taskNo === null ? kind : `任务${r.taskNo} · ${kind}`;
}

/** Plan overview: a task × unit matrix of traffic lights, milestones first. */
export function planPage(
  ctx: PageContext,
  rows: StatusRow[],
  reports: { href: string; label: string }[],
  flash?: Flash,
): string {
  const p = seg(ctx.plan.id);
  const unitCodes = [...ctx.unitNames.keys()].filter((code) => rows.some((r) => r.unitCode === code));
  const lines: { key: string; label: SafeHtml; rows: StatusRow[] }[] = [];
  for (const kind of ['implementation-plan', 'quarterly-progress', 'year-end-report'] as const) {
    const these = rows.filter((r) => r.taskNo === null && r.obligation === kind);
    if (these.length) lines.push({ key: kind, label: html`${OBLIGATION_NAMES[kind].zh}`, rows: these });
  }
  for (const task of ctx.plan.tasks) {
    const these = rows.filter((r) => r.taskNo === task.no);
    if (!these.length) continue;
    lines.push({
      key: `task-${task.no}`,
      label: html`<a href="/plans/${p}/tasks/${task.no}">${task.no}. ${task.title}</a>`,
      rows: these,
    });
  }
  const cell = (line: (typeof lines)[number], code: string) => {
    const these = line.rows.filter((r) => r.unitCode === code);
    const light = worstLight(these);
    if (!light) return html`<td></td>`;
    const name = ctx.unitNames.get(code) ?? code;
    return html`<td data-cell="${line.key}/${code}">
      <a href="/plans/${p}/units/${seg(code)}"
        >${lightBadge(light, `${name}：${LIGHT_NAMES[light].zh}（${these.length} 项）`)}</a
      >
    </td>`;
  };
  const body = html` <p class="muted">
      ${ctx.plan.title}（${ctx.plan.issuer}，${ctx.plan.publishedOn} 印发）。绿：正常；黄：进入提醒期；红：已逾期。
    </p>
    ${counts(countLights(rows))}
    ${
      reports.length
        ? html`<p>报表下载：${reports.map((r) => html`<a class="report" href="${r.href}">${r.label}</a> `)}</p>`
        : ''
    }
    <div class="matrix-wrap">
      <table class="matrix" id="matrix">
        <thead>
          <tr>
            <th class="task">任务 \\ 单位</th>
            ${unitCodes.map(
              (code) =>
                html`<th class="unit">
                  <a href="/plans/${p}/units/${seg(code)}">${ctx.unitNames.get(code) ?? code}</a>
                </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${lines.map(
            (line) =>
              html`<tr>
                <th class="task">${line.label}</th>
                ${unitCodes.map((c) => cell(line, c))}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  return page(ctx, `督办总览 · ${ctx.plan.id}`, body, flash);
}

function rowsTable(ctx: PageContext, rows: StatusRow[], options: { unitColumn: boolean; fulfil: boolean }): SafeHtml {
  const p = seg(ctx.plan.id);
  return html`<table class="rows">
    <thead>
      <tr>
        ${options.unitColumn ? html`<th>单位</th>` : ''}
        <th>事项</th>
        <th>期次</th>
        <th>截止日期</th>
        <th>状态</th>
        <th>灯</th>
        <th>完成时间</th>
        <th>下次通知</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${rows.map((r) => {
        const timeline = `/plans/${p}/units/${seg(r.unitCode)}/obligations/${seg(r.obligationId)}${
          r.period ? `?period=${encodeURIComponent(r.period)}` : ''
        }`;
        return html`<tr data-row="${itemValue(r)}">
          ${options.unitColumn ? html`<td><a href="/plans/${p}/units/${seg(r.unitCode)}">${r.unitName}</a></td>` : ''}
          <td>${obligationLabel(r)}</td>
          <td>${r.period ?? ''}</td>
          <td>${r.due}</td>
          <td class="state">${STATE_NAMES[r.state]?.zh ?? r.state}</td>
          <td class="light-cell">${lightBadge(r.light)}</td>
          <td>${shanghai(r.fulfilledAt)}</td>
          <td>${r.nextNotice ? `${shanghai(r.nextNotice.at)}（${stageName(r.nextNotice.stage)}）` : ''}</td>
          <td>
            <a href="${timeline}">时间线</a>${
              options.fulfil && isOpen(r)
                ? html` <a href="#fulfil" class="pick" data-fulfil="${itemValue(r)}">登记完成</a>`
                : ''
            }
          </td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

/** Rows grouped per obligation; long recurring series fold into a <details> showing their worst light. */
function groupedRows(ctx: PageContext, rows: StatusRow[]): SafeHtml {
  const groups = new Map<string, StatusRow[]>();
  for (const r of rows) groups.set(r.obligationId, [...(groups.get(r.obligationId) ?? []), r]);
  const short = [...groups.values()].filter((g) => g.length <= 4).flat();
  const long = [...groups.values()].filter((g) => g.length > 4);
  return html`${rowsTable(ctx, short, { unitColumn: false, fulfil: true })}
  ${long.map((g) => {
    const first = g[0]!;
    const light = worstLight(g) ?? 'green';
    return html`<details>
      <summary>${obligationLabel(first)}（${g.length} 期）${lightBadge(light)}</summary>
      ${rowsTable(ctx, g, { unitColumn: false, fulfil: true })}
    </details>`;
  })}`;
}

/** A unit's page: its obligations, lights, the fulfilment form, its calendar feed. */
export function unitPage(
  ctx: PageContext,
  unitCode: string,
  rows: StatusRow[],
  options: { feedUrl?: string; flash?: Flash; form?: Record<string, string> },
): string {
  const p = seg(ctx.plan.id);
  const name = ctx.unitNames.get(unitCode) ?? unitCode;
  const open = rows.filter(isOpen);
  const f = options.form ?? {};
  const form = open.length
    ? html`<form class="card" id="fulfil" method="post" action="/plans/${p}/units/${seg(unitCode)}/fulfil">
        <input type="hidden" name="_csrf" value="${ctx.csrf}" />
        <label for="fulfil-obligation">事项</label>
        <select id="fulfil-obligation" name="item" required>
          ${open.map(
            (r) =>
              html`<option value="${itemValue(r)}" ${f.item === itemValue(r) ? html` selected` : ''}>
                ${obligationLabel(r)}${r.period ? ` ${r.period}` : ''}（截止 ${r.due}）
              </option>`,
          )}
        </select>
        <label for="fulfil-document">文号或文件名</label>
        <input
          id="fulfil-document"
          name="document"
          maxlength="200"
          placeholder="如：闽财办〔2017〕12号"
          value="${f.document ?? ''}"
        />
        <label for="fulfil-url">公开网址</label>
        <input id="fulfil-url" name="url" type="url" maxlength="2000" placeholder="https://" value="${f.url ?? ''}" />
        <label for="fulfil-note">备注</label>
        <textarea id="fulfil-note" name="note" maxlength="1000" rows="2">${f.note ?? ''}</textarea>
        <p class="muted">文号与网址至少填写一项；完成时间按提交时记录。</p>
        <button type="submit" id="fulfil-submit">登记完成</button>
      </form>`
    : html`<p class="muted">本单位暂无待办事项。</p>`;
  const body = html` <p class="muted">单位代码 ${unitCode}</p>
    ${counts(countLights(rows))}
    <h2>登记完成情况</h2>
    ${form}
    <h2>全部事项</h2>
    ${groupedRows(ctx, rows)}
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
  return page(ctx, name, body, options.flash);
}

/** A task's page: its text, units and their lights; operators may designate units for 省直有关部门. */
export function taskPage(
  ctx: PageContext,
  task: Task,
  rows: StatusRow[],
  options: { flash?: Flash; designatable: boolean; units: { code: string; name: string }[] },
): string {
  const p = seg(ctx.plan.id);
  const body = html` <div class="card">
      <p><strong>${task.section}</strong> ${task.subsection}</p>
      <p>牵头单位：${task.leadUnits.join('、') || '—'}；责任单位：${task.responsibleUnits.join('、') || '—'}</p>
      <p>${task.requirements}</p>
    </div>
    ${counts(countLights(rows))}
    ${rows.length ? rowsTable(ctx, rows, { unitColumn: true, fulfil: false }) : html`<p class="muted">本任务没有带时限的事项。</p>`}
    ${
      options.designatable
        ? html`<h2>指定省直有关部门</h2>
            <form class="card" method="post" action="/plans/${p}/tasks/${task.no}/designate">
              <input type="hidden" name="_csrf" value="${ctx.csrf}" />
              <label for="designate-unit">单位</label>
              <select id="designate-unit" name="unitCode">
                ${options.units.map((u) => html`<option value="${u.code}">${u.name}</option>`)}
              </select>
              <label><input type="checkbox" name="remove" value="1" style="width:auto" /> 取消指定</label>
              <button type="submit">提交</button>
            </form>`
        : ''
    }`;
  return page(ctx, `任务${task.no}：${task.title}`, body, options.flash);
}

/** One obligation's timeline and history, with the Temporal UI link; operators may extend or waive. */
export function timelinePage(
  ctx: PageContext,
  options: {
    unitCode: string;
    obligationId: string;
    period: string | null;
    rows: StatusRow[];
    timeline: TimelineEntry[];
    history: HistoryEntry[];
    uiLink: string | null;
    flash?: Flash;
  },
): string {
  const p = seg(ctx.plan.id);
  const first = options.rows[0];
  const title = `${ctx.unitNames.get(options.unitCode) ?? options.unitCode} · ${first ? obligationLabel(first) : options.obligationId}`;
  const base = `/plans/${p}/units/${seg(options.unitCode)}/obligations/${seg(options.obligationId)}`;
  const open = options.rows.filter(isOpen);
  const periodSelect = (id: string) =>
    open.length > 1 || (open[0]?.period ?? null) !== null
      ? html`<label for="${id}">期次</label
          ><select id="${id}" name="period">
            ${open.map(
              (r) =>
                html`<option value="${r.period ?? ''}" ${r.period === options.period ? html` selected` : ''}>
                  ${r.period ?? ''}（截止 ${r.due}）
                </option>`,
            )}
          </select>`
      : '';
  const body = html` <p>
      <a href="/plans/${p}/units/${seg(options.unitCode)}">← 返回单位</a>${
        options.uiLink
          ? html` · <a href="${options.uiLink}" rel="noopener" target="_blank">在 Temporal Web UI 中查看</a>`
          : ''
      }
    </p>
    ${rowsTable(ctx, options.rows, { unitColumn: false, fulfil: false })}
    <h2>时间线</h2>
    ${
      options.timeline.length
        ? html`<table id="timeline">
            <thead>
              <tr>
                <th>时间（北京时间）</th>
                <th>事件</th>
                <th>期次</th>
                <th>阶段</th>
                <th>收件人</th>
                <th>说明</th>
              </tr>
            </thead>
            <tbody>
              ${options.timeline.map(
                (t) =>
                  html`<tr>
                    <td>${shanghai(t.at)}</td>
                    <td>${TIMELINE_NAMES[t.type]?.zh ?? t.type}</td>
                    <td>${t.period ?? ''}</td>
                    <td>${t.stage ? stageName(t.stage) : ''}</td>
                    <td>${(t.recipients ?? []).join('、')}</td>
                    <td>${t.detail ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">尚无记录。</p>`
    }
    <h2>工作流历史</h2>
    ${
      options.history.length
        ? html`<table id="history">
            <thead>
              <tr>
                <th>时间（北京时间）</th>
                <th>类别</th>
                <th>内容</th>
                <th>事件</th>
              </tr>
            </thead>
            <tbody>
              ${options.history.map(
                (e) =>
                  html`<tr>
                    <td>${shanghai(e.at)}</td>
                    <td>${e.kind}</td>
                    <td>${e.summary}</td>
                    <td class="muted">#${e.eventId} ${e.eventType}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">无。</p>`
    }
    ${
      ctx.principal.kind === 'operator' && open.length
        ? html`<h2>批准延期</h2>
            <form class="card" method="post" action="${base}/extend">
              <input type="hidden" name="_csrf" value="${ctx.csrf}" />${periodSelect('extend-period')}
              <label for="extend-due">新截止日期</label><input id="extend-due" name="newDue" type="date" required />
              <label for="extend-reason">理由</label><input id="extend-reason" name="reason" required maxlength="500" />
              <label for="extend-approver">批准人</label
              ><input id="extend-approver" name="approver" required maxlength="100" />
              <button type="submit">批准延期</button>
            </form>
            <h2>豁免</h2>
            <form class="card" method="post" action="${base}/waive">
              <input type="hidden" name="_csrf" value="${ctx.csrf}" />${periodSelect('waive-period')}
              <label for="waive-reason">理由</label><input id="waive-reason" name="reason" required maxlength="500" />
              <label for="waive-approver">批准人</label
              ><input id="waive-approver" name="approver" required maxlength="100" />
              <button type="submit">豁免</button>
            </form>`
        : ''
    }`;
  return page(ctx, title, body, options.flash);
}

/** The login form; answered with 401 to unauthenticated page requests. */
export function loginPage(next: string, error?: string): string {
  const body = html`<form class="card" method="post" action="/login">
    ${error ? html`<div class="flash error" role="alert">${error}</div>` : ''}
    <input type="hidden" name="next" value="${next}" />
    <label for="token">访问令牌</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required />
    <p class="muted">督查室使用操作员令牌；各单位联络员使用本单位令牌。</p>
    <button type="submit" id="login-submit">登录</button>
  </form>`;
  return layout({ title: '登录', body });
}

/** A plain error page (403, 404, 500). */
export function errorPage(ctx: PageContext | null, status: number, message: string): string {
  const titles: Record<number, string> = { 403: '无权访问', 404: '未找到', 400: '请求有误', 500: '服务器错误' };
  const body = html`<p>${message}</p>`;
  const title = titles[status] ?? `错误 ${status}`;
  return ctx ? page(ctx, title, body) : layout({ title, body });
}
