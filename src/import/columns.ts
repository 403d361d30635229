/**
 * Table columns by meaning: the header labels offices print (序号, 工作任务, 细化分工, 牵头单位, 责任单位, 完成时限,
 * 工作要求 and their variants) mapped to column roles, and the header row found among a table's rows. Pure.
 */
import { toSimplified } from './simplified';
import type { ColumnRole, SourceRow } from './source';

/** Labels of each role, compared after removing spaces and bracketed notes; checked in this order. */
const LABELS: [ColumnRole, RegExp][] = [
  ['no', /^(?:序号|编号|序)$/],
  ['detail', /^(?:细化分工|具体要求|具体任务|具体措施|工作措施|细化任务|分解任务|任务分解|细化措施|具体内容)$/],
  [
    'task',
    /^(?:工作任务|重点任务|主要任务|任务内容|工作内容|任务名称|重点工作|工作事项|任务事项|主要内容|主要工作|任务)$/,
  ],
  ['lead', /^(?:牵头单位|牵头部门|牵头处室|牵头科室|主办单位|牵头责任单位)$/],
  [
    'responsible',
    /^(?:责任单位|责任部门|责任处室|责任科室|配合单位|配合部门|配合处室|参与单位|协办单位|协同单位|落实单位|承办单位|责任主体|责任单位及分工)$/,
  ],
  ['deadline', /^(?:完成时限|时限要求|时间要求|完成时间|时间节点|完成期限|时限|时间安排|进度安排|完成时间节点)$/],
  ['requirements', /^(?:工作要求|备注|工作目标|目标要求)$/],
];

/** Endings that still name a role when a table adds words before them (主要工作任务, 具体工作要求). */
const ENDINGS: [ColumnRole, RegExp][] = [
  ['detail', /(?:细化分工|具体措施|具体任务)$/],
  ['task', /(?:工作任务|重点任务|主要任务|任务内容|工作内容)$/],
  ['lead', /牵头(?:单位|部门|处室|科室)$/],
  ['responsible', /(?:责任|配合|参与|协办)(?:单位|部门|处室|科室)$/],
  ['deadline', /(?:完成时限|时限要求|时间要求|完成时间|时间节点)$/],
  ['requirements', /(?:工作要求)$/],
];

/** A header label as compared: simplified, without spaces (工 作 任 务, even ideographic ones) and bracketed notes. */
function labelKey(text: string): string {
  return toSimplified(text)
    .replace(/[\s\u3000]+/g, '')
    .replace(/[（(][^（）()]*[）)]/g, '')
    .replace(/[:：*＊]/g, '');
}

/** The role a header label names, or undefined for a label that names none (考核指标, 进展情况). */
export function labelRole(label: string): ColumnRole | undefined {
  if (label.length > 40) return undefined; // a cell of prose, not a label
  const key = labelKey(label);
  if (key === '' || key.length > 16) return undefined;
  return LABELS.find(([, re]) => re.test(key))?.[0] ?? ENDINGS.find(([, re]) => re.test(key))?.[0];
}

/**
 * The roles of a row's columns if the row is a header row: it names a task column (工作任务 or 细化分工) and a unit or
 * deadline column. A merged label covering two columns names the first; a second 工作任务 column is 细化分工.
 */
export function headerRoles(row: SourceRow): (ColumnRole | undefined)[] | undefined {
  const roles = row.cells.map((cell, i) => (cell.from && cell.from.col < i ? undefined : labelRole(cell.text)));
  const has = (role: ColumnRole) => roles.includes(role);
  if (!(has('task') || has('detail')) || !(has('lead') || has('responsible') || has('deadline'))) return undefined;
  if (roles.filter((r) => r !== undefined).length < 2) return undefined;
  const firstTask = roles.indexOf('task');
  return roles.map((role, i) => (role === 'task' && i !== firstTask && !has('detail') ? 'detail' : role));
}

/**
 * Combines a two-row header (责任单位 over 牵头单位 | 配合单位): a label of the lower row overrides the merged label
 * above it.
 */
export function mergeHeaderRoles(
  upper: (ColumnRole | undefined)[],
  lower: (ColumnRole | undefined)[],
): (ColumnRole | undefined)[] {
  return upper.map((role, i) => lower[i] ?? role);
}
