/** The layout stage on small grids (written as HTML): header variants, headings, numbering, what becomes a warning. */
import type { Plan } from '../../src/domain/plan';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { layoutPlan } from '../../src/import/layout';
import { readHtmlDocument } from '../../src/import/readers/html';

const NOTICE = `<h1>海东市人民政府办公室关于印发2023年政务公开工作任务分解表的通知</h1>
<p>发布日期：2023-03-21</p>
<p>各县（区）人民政府，市政府各部门：</p>
<p>请各地各部门于2023年4月30日前报送实施方案。</p>
<p>海东市人民政府办公室</p><p>2023年3月20日</p>`;

function plan(table: string, options: Parameters<typeof layoutPlan>[1] = {}): Plan {
  return layoutPlan(readHtmlDocument(`<html><body>${NOTICE}<table>${table}</table></body></html>`), {
    file: 'page.html',
    ...options,
  }).plan;
}

const tr = (...cells: string[]) => `<tr>${cells.map((c) => (c.startsWith('<td') ? c : `<td>${c}</td>`)).join('')}</tr>`;

describe('the layout stage', () => {
  it('maps columns by meaning in any order and numbers rows without a 序号 column', () => {
    const p = plan(
      tr('完成时限', '责任单位', '重点任务') +
        tr('年底前', '市财政局', '公开预算') +
        tr('每月', '市统计局', '发布统计数据'),
    );
    expect(p.tasks.map((t) => [t.no, t.title, t.responsibleUnits, t.duties[0]?.due ?? t.duties[0]?.every])).toEqual([
      [1, '公开预算', ['市财政局'], '2023-12-31'],
      [2, '发布统计数据', ['市统计局'], 'month'],
    ]);
    expect(p.warnings).toEqual([]);
  });

  it('combines a two-row header: 责任单位 over 牵头单位 and 配合单位', () => {
    const p = plan(
      tr('<td rowspan="2">序号</td>', '<td rowspan="2">工作任务</td>', '<td colspan="2">责任单位</td>') +
        tr('牵头单位', '配合单位') +
        tr('1', '公开预算', '市财政局', '市税务局、市审计局'),
    );
    expect(p.tasks[0]).toMatchObject({ no: 1, leadUnits: ['市财政局'], responsibleUnits: ['市税务局', '市审计局'] });
  });

  it('reads a numeral in 序号 with the heading beside it as a section, and takes the first unit as lead when the header says so', () => {
    const p = plan(
      tr('序号', '工作任务', '责任单位（排在第一位的为牵头单位）') +
        tr('一', '深化重点领域公开', '') +
        tr('1', '公开预算', '市财政局、市审计局') +
        tr('（一）', '民生领域', '') +
        tr('2', '公开就业信息', '市人社局'),
    );
    expect(p.tasks.map((t) => [t.no, t.section, t.subsection, t.leadUnits, t.responsibleUnits])).toEqual([
      [1, '一、深化重点领域公开', '', ['市财政局'], ['市审计局']],
      [2, '一、深化重点领域公开', '（一）民生领域', [], ['市人社局']],
    ]);
  });

  it('warns, naming the cell, about columns it does not read, odd 序号, rows across the table and rows without a task', () => {
    const p = plan(
      tr('序号', '工作任务', '责任单位', '考核指标') +
        tr('1.1', '公开预算', '市财政局', '按时公开') +
        tr('<td colspan="4">其他工作</td>') +
        tr('1.2', '公开决算', '市财政局', '') +
        tr('', '', '市审计局', ''),
    );
    expect(p.tasks.map((t) => [t.no, t.title])).toEqual([
      [1, '公开预算'],
      [2, '公开决算'],
    ]);
    expect(p.warnings.map((w) => w.message)).toEqual([
      "column '考核指标' is not read: 1 cell(s) ignored (表1 第1行第4列)",
      "row '其他工作' spans the table but is not a section (一、) or subsection (（一）); ignored (表1 第3行第1列)",
      "row without a task (工作任务) is ignored: '市审计局' (表1 第5行第3列)",
      "序号 '1.1' is not a whole number: tasks are numbered 1…2 in table order (表1 第2行第1列)",
    ]);
  });

  it('appends a row holding only 工作要求 to the task above, with a warning', () => {
    const p = plan(
      tr('工作任务', '责任单位', '工作要求') +
        tr('公开预算', '市财政局', '按规定公开。') +
        tr('', '', '同步公开解读材料。'),
    );
    expect(p.tasks).toHaveLength(1);
    expect(p.tasks[0]?.requirements).toBe('按规定公开。 同步公开解读材料。');
    expect(p.warnings.map((w) => w.message)).toEqual([
      'not a task row; appended to the requirements of the task above (表1 第3行第3列)',
    ]);
  });

  it('inherits units from the row above for a task whose unit cells are empty, and refuses a first task without units', () => {
    const p = plan(
      tr('序号', '工作任务', '牵头单位', '责任单位') +
        tr('1', '公开预算', '市财政局', '各县（区）') +
        tr('2', '公开决算', '', ''),
    );
    expect(p.tasks[1]).toMatchObject({
      leadUnits: ['市财政局'],
      responsibleUnits: ['各县（区）'],
      unitsInheritedFrom: 1,
    });
    expect(() => plan(tr('序号', '工作任务', '责任单位') + tr('1', '公开预算', ''))).toThrow(
      /^page\.html:\d+: task 1: no unit columns and no row above to inherit them from \(表1 第2行第3列\)$/,
    );
  });

  it('warns about units missing from the directory, naming the cell', () => {
    const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
    const p = plan(tr('工作任务', '牵头单位') + tr('公开预算', '省财政厅、省太空局'), { directory });
    expect(p.warnings.map((w) => w.message)).toEqual([
      "task 1: unit '省太空局' is not in the directory (表1 第2行第2列)",
    ]);
  });

  it('refuses an impossible date in a 完成时限 cell, naming that cell', () => {
    expect(() => plan(tr('工作任务', '责任单位', '完成时限') + tr('公开预算', '市财政局', '2023年2月30日'))).toThrow(
      /^page\.html:\d+: task 1: impossible date '2023年2月30日' \(表1 第2行第3列\)$/,
    );
  });

  it('warns, naming the cell, about dates outside the plan year or before it was published, and days it cannot read', () => {
    const p = plan(
      tr('序号', '工作任务', '责任单位', '完成时限') +
        tr('1', '公开预算', '市财政局', '2021年6月底前') +
        tr('2', '公开决算', '市财政局', '2023年2月底前') +
        tr('3', '公开统计数据', '市统计局', '每季度结束后10日内') +
        tr('4', '公开政策解读', '市政府办公室', '6月底前'),
    );
    expect(p.warnings).toEqual([
      { line: 5, message: "task 1: '2021年6月底前' (2021-06-30) is outside the plan year 2023 (表1 第2行第4列)" },
      {
        line: 5,
        message:
          "task 2: '2023年2月底前' (2023-02-28) is before the plan was published (2023-03-21): overdue from the start (表1 第3行第4列)",
      },
      {
        line: 5,
        message:
          "task 3: the day within the period in '每季度结束后10日内' is not understood: due on each period's last day (表1 第4行第4列)",
      },
    ]);
  });
});
