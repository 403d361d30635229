/** Obligations on pages: the plan's task × unit matrix, a unit's rows and fulfilment form, a task, a timeline. */
import { countLights, worstLight } from '../../domain/lights';
import { LIGHT_NAMES, OBLIGATION_NAMES, STATE_NAMES, stageName } from '../../domain/names';
import type { Task } from '../../domain/plan';
import type { TimelineEntry } from '../../domain/notice';
import {
  type HistoryEntry,
  MATRIX_UNITS_DEFAULT,
  type MatrixPage,
  type OverviewCount,
  type StatusRow,
} from '../../service';
import { html, lightBadge, type SafeHtml, seg, shanghai } from '../html';
import {
  backLinks,
  calendarErrorBadge,
  counts,
  csrfField,
  type Flash,
  historyTable,
  type KeptForm,
  keptValues,
  lastNoticeCell,
  page,
  type PageContext,
  provisionalBadge,
  timelineTable,
  unitName,
} from './common';

/** Whether an item can still be fulfilled. */
export const isOpen = (r: StatusRow) => r.state === 'pending' || r.state === 'overdue' || r.state === 'missed';

/** The value of a fulfilment-form option: `obligationId|period`. */
export const itemValue = (r: Pick<StatusRow, 'obligationId' | 'period'>) => `${r.obligationId}|${r.period ?? ''}`;

function obligationLabel(r: Pick<StatusRow, 'obligation' | 'taskNo'>): string {
  const kind = OBLIGATION_NAMES[r.obligation]?.zh ?? r.obligation;
  return r.taskNo === null ? kind : `任务${r.taskNo} · ${kind}`;
}

/** The plan's task × unit matrix of traffic lights, milestones first: one page of units, with links to the others. */
export function planMatrix(ctx: PageContext, matrix: MatrixPage): SafeHtml {
  const p = seg(ctx.plan.id);
  const unitCodes = matrix.units;
  // Cells by line, then unit: each cell is one lookup, so a page costs its cells, not lines × units × cells.
  const byLine = new Map<string, Map<string, OverviewCount[]>>();
  for (const c of matrix.cells) {
    const key = c.taskNo === null ? c.obligation : `task-${c.taskNo}`;
    let line = byLine.get(key);
    if (!line) byLine.set(key, (line = new Map()));
    const unit = line.get(c.unitCode);
    if (unit) unit.push(c);
    else line.set(c.unitCode, [c]);
  }
  const lines: { key: string; label: SafeHtml; cells: Map<string, OverviewCount[]> }[] = [];
  for (const kind of ['implementation-plan', 'quarterly-progress', 'year-end-report'] as const) {
    const these = byLine.get(kind);
    if (these) lines.push({ key: kind, label: html`${OBLIGATION_NAMES[kind].zh}`, cells: these });
  }
  for (const task of ctx.plan.tasks) {
    const these = byLine.get(`task-${task.no}`);
    if (!these) continue;
    lines.push({
      key: `task-${task.no}`,
      label: html`<a href="/plans/${p}/tasks/${task.no}">${task.no}. ${task.title}</a>`,
      cells: these,
    });
  }
  const cell = (line: (typeof lines)[number], code: string) => {
    const these = line.cells.get(code) ?? [];
    const light = worstLight(these);
    if (!light) return html`<td></td>`;
    const items = these.reduce((n, c) => n + c.count, 0);
    return html`<td data-cell="${line.key}/${code}">
      <a href="/plans/${p}/units/${seg(code)}"
        >${lightBadge(light, `${unitName(ctx, code)}：${LIGHT_NAMES[light].zh}（${items} 项）`)}</a
      >
    </td>`;
  };
  return html`${matrixPager(ctx, matrix.page)}
    <div class="matrix-wrap">
      <table class="matrix" id="matrix">
        <thead>
          <tr>
            <th class="task">任务 \\ 单位</th>
            ${unitCodes.map(
              (code) =>
                html`<th class="unit">
                  <a href="/plans/${p}/units/${seg(code)}">${unitName(ctx, code)}</a>
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
}

/** Where a matrix page is among the plan's units, with links to the pages before and after; empty on one page. */
function matrixPager(ctx: PageContext, page: MatrixPage['page']): SafeHtml | '' {
  if (page.offset === 0 && page.total <= page.limit) return '';
  const href = (offset: number) =>
    `/plans/${seg(ctx.plan.id)}?units=${offset}${page.limit === MATRIX_UNITS_DEFAULT ? '' : `&per=${page.limit}`}#matrix`;
  const first = Math.min(page.offset + 1, page.total);
  const last = Math.min(page.offset + page.limit, page.total);
  const pages = Math.ceil(page.total / page.limit);
  const at = Math.floor(page.offset / page.limit) + 1;
  return html`<nav class="pager" id="matrix-pager">
    单位 ${first}–${last}（共 ${page.total} 个，第 ${at}/${pages} 页）
    ${page.offset > 0 ? html`<a rel="prev" href="${href(Math.max(0, page.offset - page.limit))}">上一页</a>` : ''}
    ${last < page.total ? html`<a rel="next" href="${href(page.offset + page.limit)}">下一页</a>` : ''}
  </nav>`;
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
        <th>上次通知</th>
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
          <td>
            ${r.nextNotice ? `${shanghai(r.nextNotice.at)}（${stageName(r.nextNotice.stage)}）` : ''}${provisionalBadge(
              r,
            )}${calendarErrorBadge(r)}
          </td>
          <td>${lastNoticeCell(r)}</td>
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

/** A unit's rows grouped per obligation; long recurring series fold into a <details> showing their worst light. */
export function groupedRows(ctx: PageContext, rows: StatusRow[]): SafeHtml {
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

/** The form to record a fulfilment with evidence; nothing to fill when the unit has nothing open. */
export function fulfilForm(ctx: PageContext, unitCode: string, rows: StatusRow[], kept?: KeptForm): SafeHtml {
  const open = rows.filter(isOpen);
  const f = keptValues(kept, 'fulfil');
  if (!open.length) return html`<p class="muted">本单位暂无待办事项。</p>`;
  return html`<form
    class="card"
    id="fulfil"
    method="post"
    action="/plans/${seg(ctx.plan.id)}/units/${seg(unitCode)}/fulfil"
  >
    ${csrfField(ctx)}
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
  </form>`;
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
              ${csrfField(ctx)}
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
    kept?: KeptForm;
  },
): string {
  const p = seg(ctx.plan.id);
  const first = options.rows[0];
  const title = `${unitName(ctx, options.unitCode)} · ${first ? obligationLabel(first) : options.obligationId}`;
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
  const ext = keptValues(options.kept, 'extend');
  const waive = keptValues(options.kept, 'waive');
  const body = html`${backLinks(ctx, options.unitCode, options.uiLink)}
    ${rowsTable(ctx, options.rows, { unitColumn: false, fulfil: false })}
    ${
      open.length
        ? html`<h2>签收</h2>
            <form class="card" method="post" action="${base}/sign-for" id="sign-for">
              ${csrfField(ctx)}
              <p class="muted">签收已收到的提醒和督办通知（记录签收人和时间）。</p>
              <button type="submit" id="sign-for-submit">签收</button>
            </form>`
        : ''
    }
    <h2>时间线</h2>
    ${timelineTable(options.timeline, { title: '期次', of: (t) => t.period ?? '' })}
    <h2>工作流历史</h2>
    ${historyTable(options.history)}
    ${
      ctx.principal.kind === 'operator' && open.length
        ? html`<h2>批准延期</h2>
            <form class="card" method="post" action="${base}/extend">
              ${csrfField(ctx)}${periodSelect('extend-period')}
              <label for="extend-due">新截止日期</label
              ><input id="extend-due" name="newDue" type="date" required value="${ext.newDue ?? ''}" />
              <label for="extend-reason">理由</label
              ><input id="extend-reason" name="reason" required maxlength="500" value="${ext.reason ?? ''}" />
              <label for="extend-approver">批准人</label
              ><input id="extend-approver" name="approver" required maxlength="100" value="${ext.approver ?? ''}" />
              <button type="submit">批准延期</button>
            </form>
            <h2>豁免</h2>
            <form class="card" method="post" action="${base}/waive">
              ${csrfField(ctx)}${periodSelect('waive-period')}
              <label for="waive-reason">理由</label
              ><input id="waive-reason" name="reason" required maxlength="500" value="${waive.reason ?? ''}" />
              <label for="waive-approver">批准人</label
              ><input id="waive-approver" name="approver" required maxlength="100" value="${waive.approver ?? ''}" />
              <button type="submit">豁免</button>
            </form>`
        : ''
    }`;
  return page(ctx, title, body, options.flash);
}
