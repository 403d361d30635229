/**
 * `duban plan import FILE --json` end to end for every format: Word, Excel, HTML, CSV and text in UTF-8, UTF-16 and
 * GB18030, traditional characters, and broken files. Fixtures are built here (test/fixtures/README.md).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import * as OpenCC from 'opencc-js';
import type { Plan, Task } from '../../src/domain/plan';
import { importPlanFile } from '../../src/import/plan-file';
import { cityWordTable, emptyWorkbook, healthLedgerWorkbook, scannedWordDocument } from '../fixtures/published-tables';
import { seedCsv, seedDocx, seedHtml, seedSubset, seedXlsx } from '../fixtures/seed-formats';
import { runCli } from './run-cli';

const root = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'duban-formats-'));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Imports through the CLI and returns the printed plan; fails the test with the CLI's error otherwise. */
async function importJson(file: string, ...options: string[]): Promise<Plan> {
  const { code, out, err } = await runCli('plan', 'import', file, '--json', ...options);
  if (code !== 0) throw new Error(`exit ${code}: ${err}`);
  return JSON.parse(out) as Plan;
}

function taskOf(plan: Plan, no: number): Task {
  const task = plan.tasks.find((t) => t.no === no);
  if (!task) throw new Error(`no task ${no} in ${plan.id}`);
  return task;
}

describe('the same table in every format', () => {
  const subset = seedSubset();
  let fromText: Plan;
  beforeAll(async () => {
    fromText = await importJson(write('subset.txt', subset.text));
  });

  it('reads the seed subset from its web text: notice, 21 tasks, inheritance, duties, no warnings', () => {
    expect(fromText).toMatchObject({
      id: 'fj-2017-zwgk',
      issuer: '福建省人民政府办公厅',
      signedOn: '2017-04-28',
      publishedOn: '2017-05-05',
      warnings: [],
    });
    expect(fromText.milestones.map((m) => m.kind)).toEqual([
      'implementation-plan',
      'quarterly-progress',
      'year-end-report',
    ]);
    expect(fromText.tasks.map((t) => t.no)).toEqual(Array.from({ length: 21 }, (_, i) => 40 + i));
    expect(taskOf(fromText, 41).unitsInheritedFrom).toBe(40);
    expect(taskOf(fromText, 55).duties[0]?.kind).toBe('emergency-response');
  });

  const formats: [string, () => Promise<string>][] = [
    [
      'a Word attachment (gridSpan sections, vMerge unit cells, repeated header rows)',
      async () => write('subset.docx', await seedDocx(subset)),
    ],
    [
      'an Excel sheet (notice rows above the header, merged ranges, a 序号 column)',
      async () => write('subset.xlsx', await seedXlsx(subset)),
    ],
    [
      'a web page (colspan sections, rowspan unit cells, <br> in cells)',
      async () => write('subset.html', seedHtml(subset)),
    ],
    ['a CSV export (merged cells kept in their first row only)', async () => write('subset.csv', seedCsv(subset))],
    ['GB18030 text', async () => write('subset-gb.txt', iconv.encode(subset.text, 'gb18030'))],
    [
      'UTF-16LE text with a BOM',
      async () => write('subset-le.txt', iconv.encode(subset.text, 'utf16-le', { addBOM: true })),
    ],
    ['UTF-16LE text without a BOM', async () => write('subset-le-nobom.txt', iconv.encode(subset.text, 'utf16-le'))],
    ['UTF-16BE text without a BOM', async () => write('subset-be.txt', iconv.encode(subset.text, 'utf16-be'))],
    ['UTF-8 text with a BOM', async () => write('subset-bom.txt', Buffer.from(`\uFEFF${subset.text}`, 'utf8'))],
    [
      'a web page still declaring GB2312 after being re-saved as UTF-8',
      async () =>
        write('subset-resaved.html', seedHtml(subset).replace('<meta charset="utf-8">', '<meta charset="gb2312">')),
    ],
    [
      'a web page declaring GB2312, saved as GB18030 under a .xls name',
      async () => {
        const html = seedHtml(subset).replace(
          '<meta charset="utf-8">',
          '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        );
        return write('subset-page.xls', iconv.encode(html, 'gb18030'));
      },
    ],
  ];
  it.each(formats)('imports %s to the same plan as the web text', async (_what, make) => {
    const plan = await importJson(await make());
    expect(plan).toEqual(fromText);
  });

  it('imports the whole seed reposted in 繁體 to the golden plan’s units, numbers and dates, its text as written', async () => {
    const golden = JSON.parse(readFileSync(path.join(root, 'test/fixtures/fujian-2017.plan.json'), 'utf8')) as Plan;
    const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
    const repost = toTraditional(readFileSync(path.join(root, 'examples/fujian-2017/tasks.txt'), 'utf8'));
    const plan = await importJson(write('seed-tw.txt', repost));
    const facts = (p: Plan) =>
      p.tasks.map((t) => [
        t.no,
        t.leadUnits,
        t.responsibleUnits,
        t.unitsInheritedFrom,
        t.duties.map((d) => d.due ?? d.every ?? d.kind),
      ]);
    expect(facts(plan)).toEqual(facts(golden));
    expect(plan).toMatchObject({ id: golden.id, issuer: golden.issuer, signedOn: golden.signedOn, warnings: [] });
    expect(plan.title).toBe(toTraditional(golden.title));
    expect(plan.tasks[19]?.title).toBe(toTraditional(golden.tasks[19]?.title ?? ''));
  });

  it('imports the whole seed in GB18030 and UTF-16 to the committed golden plan', async () => {
    const golden = JSON.parse(readFileSync(path.join(root, 'test/fixtures/fujian-2017.plan.json'), 'utf8')) as Plan;
    const seed = readFileSync(path.join(root, 'examples/fujian-2017/tasks.txt'), 'utf8');
    expect(await importJson(write('seed-gb.txt', iconv.encode(seed, 'gb18030')))).toEqual(golden);
    expect(await importJson(write('seed-be.txt', iconv.encode(seed, 'utf16-be', { addBOM: true })))).toEqual(golden);
  });
});

describe('a city government table as a Word attachment (工作任务 over 细化分工 rows)', () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await importJson(write('city.docx', await cityWordTable()));
  });

  it('reads the notice above the table, with its deadlines', () => {
    expect(plan).toMatchObject({
      title: '青云市人民政府办公室关于印发2021年青云市政务公开工作任务分解表的通知',
      issuer: '青云市人民政府办公室',
      signedOn: '2021-04-26',
      publishedOn: '2021-04-26',
      year: 2021,
    });
    expect(plan.milestones).toEqual([
      { kind: 'implementation-plan', due: '2021-05-31', source: '2021年5月31日前' },
      { kind: 'quarterly-progress', every: 'quarter', source: '按季度督查' },
      { kind: 'year-end-report', due: '2021-12-10', source: '2021年12月10日前' },
    ]);
  });

  it('makes each 细化分工 row a task, numbered in order, its 工作任务 kept as the group', () => {
    expect(plan.tasks.map((t) => t.no)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(plan.tasks.map((t) => t.group)).toEqual([
      '加强规划发布解读',
      '加强规划发布解读',
      '做好预决算信息公开',
      '做好预决算信息公开',
      '做好乡村振兴信息公开',
      '做好乡村振兴信息公开',
      '推进市场监管信息公开',
      '做好安全生产信息公开',
      '做好安全生产信息公开',
      '做好安全生产信息公开',
      '规范依申请公开',
      '加强政务新媒体管理',
      '推进政务公开专区建设',
    ]);
    expect(taskOf(plan, 2)).toMatchObject({
      title: '公开重点专项规划及实施情况',
      section: '一、围绕“十四五”开局起步加强政策发布解读',
    });
    // The second Word table (after a page break, header repeated) continues the first.
    expect(taskOf(plan, 8)).toMatchObject({
      section: '三、围绕防范化解风险加强信息公开',
      title: '及时发布重大安全风险预警信息',
    });
  });

  it('reads lead and responsible units from one 责任单位 cell, and the first unit listed as lead (the note under the table)', () => {
    const units = (no: number) => [taskOf(plan, no).leadUnits, taskOf(plan, no).responsibleUnits];
    expect(units(1)).toEqual([['市发展改革委'], ['市直有关部门']]); // 市发展改革委牵头，市直有关部门配合
    expect(units(2)).toEqual([['市发展改革委'], ['市自然资源局']]); // one unit per line, first leads
    expect(units(3)).toEqual([[], ['市财政局']]);
    expect(units(4)).toEqual([['市财政局'], ['市直各部门']]); // …牵头，市直各部门负责落实
    expect(units(6)).toEqual([['市乡村振兴局'], ['市财政局']]); // 市乡村振兴局、财政局
    expect(units(11)).toEqual([['市政府办公室'], ['各县（市、区）人民政府']]);
    expect(plan.tasks.every((t) => t.unitsInheritedFrom === null)).toBe(true);
  });

  it('reads each row’s 完成时限, a merged one for every row it covers, with the exact phrase', () => {
    const duties = Object.fromEntries(plan.tasks.map((t) => [t.no, t.duties]));
    expect(duties[1]).toEqual([{ kind: 'task-deadline', due: '2021-06-30', source: '2021年6月底前' }]);
    expect(duties[2]).toEqual([{ kind: 'ongoing', source: '长期坚持' }]);
    expect(duties[3]).toEqual([
      { kind: 'task-deadline', due: '2021-02-28', source: '2021年2月公布预算信息' },
      { kind: 'task-deadline', due: '2021-08-31', source: '2021年8月公布上年度决算信息' },
    ]);
    expect(duties[5]).toEqual([{ kind: 'task-deadline', due: '2021-06-30', source: '上半年' }]);
    expect(duties[6]).toEqual(duties[5]);
    expect(duties[7]).toEqual([{ kind: 'recurring-publication', every: 'month', source: '每月' }]);
    expect(duties[9]).toEqual([{ kind: 'task-deadline', due: '2021-09-30', source: '第三季度' }]);
    expect(duties[10]).toEqual([{ kind: 'task-deadline', due: '2021-07-31', source: '8月前' }]);
    expect(duties[12]).toEqual([{ kind: 'recurring-publication', every: 'quarter', source: '每季度' }]);
    expect(duties[13]).toEqual([]);
  });

  it('warns about a 完成时限 it cannot read, naming the Word cell', () => {
    expect(plan.warnings).toEqual([
      { line: 2, message: 'no 发布日期 line: the signing date is used as the publish date' },
      {
        line: 5,
        message:
          "task 3: '2021年2月公布预算信息' (2021-02-28) is before the plan was published (2021-04-26): overdue from the start (表1 第5行第5列)",
      },
      { line: 9, message: "task 13: '适时' in 完成时限 is not understood as a deadline (表2 第9行第5列)" },
    ]);
  });
});

describe("a department's own 台账 as an Excel workbook (责任处室, 完成时限)", () => {
  let file: string;
  let plan: Plan;
  beforeAll(async () => {
    file = write('ledger.xlsx', await healthLedgerWorkbook());
    plan = await importJson(file);
  });

  it('finds the sheet holding the table and reads the title rows above its header', () => {
    expect(plan).toMatchObject({
      title: '青云市卫生健康委员会2021年政务公开工作重点任务台账',
      issuer: '青云市卫生健康委员会',
      publishedOn: '2021-03-16', // 填报日期
      signedOn: '2021-03-16',
      milestones: [],
    });
    expect(plan.tasks.map((t) => t.no)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1)); // 序号 formulas
  });

  it('reads divisions (处室) as units: markers, 会, an alias in brackets', () => {
    const units = (no: number) => [taskOf(plan, no).leadUnits, taskOf(plan, no).responsibleUnits];
    expect(units(1)).toEqual([[], ['应急处', '监督处', '医政医管处', '疾控处']]); // …等按职责分工落实
    expect(units(3)).toEqual([['宣传处'], ['办公室']]); // 宣传处会办公室
    expect(units(4)).toEqual([[], ['规划信息处']]); // 规划信息处（爱卫办）
    expect(units(10)).toEqual([[], ['政法处', '宣传处']]);
  });

  it('keeps the alias for the directory', async () => {
    const imported = await importPlanFile(file);
    expect(imported.unitAliases?.get('规划信息处')).toEqual(['爱卫办']);
    expect(imported.format).toBe('xlsx');
  });

  it('turns rich text, formula results and date cells into text', () => {
    expect(taskOf(plan, 5)).toMatchObject({
      group: '常规政务公开事项',
      title: '强化行政执法信息公开，加强执法结果公示',
    });
    expect(taskOf(plan, 7).duties).toEqual([{ kind: 'task-deadline', due: '2021-06-30', source: '2021年6月30日' }]);
    expect(taskOf(plan, 9)).toMatchObject({ requirements: '统计数据以季报为准' }); // 备注
  });

  it('reads ongoing work, 8月前, half-years and quarters', () => {
    const due = (no: number) => taskOf(plan, no).duties.map((d) => [d.kind, d.due ?? d.every ?? null, d.source]);
    expect(due(1)).toEqual([['ongoing', null, '长期推进']]);
    expect(due(3)).toEqual([['task-deadline', '2021-07-31', '2021年8月前']]);
    expect(due(4)).toEqual([['ongoing', null, '持续推进']]);
    expect(due(8)).toEqual([['recurring-publication', 'quarter', '按季度']]);
    expect(due(9)).toEqual([['task-deadline', '2021-09-30', '第三季度']]);
    expect(due(10)).toEqual([['task-deadline', '2021-06-30', '上半年']]);
    expect(due(12)).toEqual([
      ['information-request', null, '严格执行法定时限'],
      ['ongoing', null, '长期坚持'],
    ]);
  });

  it('warns with the sheet cell about a 完成时限 it cannot read and a note it does not use', () => {
    expect(plan.warnings).toEqual([
      { line: 2, message: "no signing date line ('YYYY年M月D日'): the publish date is used" },
      {
        line: 9,
        message:
          "task 6: '2021年2月公布预算信息' (2021-02-28) is before the plan was published (2021-03-16): overdue from the start (重点任务台账!E9)",
      },
      { line: 14, message: "task 11: '汛期前' in 完成时限 is not understood as a deadline (重点任务台账!E14)" },
      { line: 16, message: "note '注：各处室于每季度末向委办公室报送落实情况。' is not read (重点任务台账!A16)" },
    ]);
  });

  it('reads a sheet named with --sheet, and names the sheets when the name is unknown', async () => {
    expect(await importJson(file, '--sheet', '重点任务台账')).toEqual(plan);
    const { code, out, err } = await runCli('plan', 'import', file, '--json', '--sheet', '台账');
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toBe(`duban plan import: ${file}: no sheet named '台账'; the sheets are '填表说明', '重点任务台账'`);
    const other = await runCli('plan', 'import', file, '--json', '--sheet', '填表说明');
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/not a task table: no header row naming 工作任务 .* in 填表说明$/);
  });
});

describe('a web page saved from a district government site', () => {
  const page = readFileSync(path.join(root, 'test/fixtures/qingshan-2022.html'), 'utf8');
  let plan: Plan;
  beforeAll(async () => {
    // Saved as the site serves it: GB2312 declared in the page.
    const gb = page.replace('charset=utf-8', 'charset=gb2312');
    plan = await importJson(write('qingshan.html', iconv.encode(gb, 'gb18030')));
  });

  it('honours the meta charset and reads the notice around the site’s navigation and metadata box', () => {
    expect(plan).toMatchObject({
      id: 'plan-2022-zwgk',
      title: '青山区人民政府办公室关于印发2022年青山区政务公开工作要点任务分解表的通知',
      issuer: '青山区人民政府办公室',
      signedOn: '2022-03-15',
      publishedOn: '2022-03-18',
      warnings: [],
    });
    expect(plan.milestones.map((m) => m.due ?? m.every)).toEqual(['2022-04-15', 'quarter', '2022-12-05']);
  });

  it('expands rowspan and colspan: sections, groups, a 完成时限 over two rows, <br> between units', () => {
    expect(plan.tasks.map((t) => [t.no, t.section.slice(0, 2), t.group, t.leadUnits, t.responsibleUnits])).toEqual([
      [1, '一、', '加强助企纾困政策公开', ['区发展改革局'], ['区财政局', '区人社局']],
      [2, '一、', '加强助企纾困政策公开', [], ['区发展改革局']],
      [3, '一、', '加强助企纾困政策公开', ['区财政局'], ['区税务局']],
      [4, '一、', '做好重大项目信息公开', ['区发展改革局'], ['区住建局']],
      [5, '二、', '推进社会救助信息公开', ['区民政局'], ['各街道办事处']],
      [6, '二、', '推进社会救助信息公开', [], ['区民政局']],
      [7, '二、', '规范依申请公开', ['区政府办公室'], ['区直各单位']],
    ]);
    expect(taskOf(plan, 2).title).toBe('开设政策“直通车”专栏， 及时更新政策兑现情况');
    expect(taskOf(plan, 2).duties).toEqual(taskOf(plan, 1).duties);
    expect(taskOf(plan, 6).duties).toEqual([{ kind: 'task-deadline', due: '2022-12-31', source: '下半年' }]);
  });

  it('imports a repost in traditional characters: text as written, units and matching in simplified form', async () => {
    const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
    const repost = toTraditional(page);
    expect(repost).toContain('責任單位');
    const traditional = await importJson(write('qingshan-tw.html', repost));
    expect(traditional.issuer).toBe(plan.issuer);
    expect(traditional.title).toBe(toTraditional(plan.title));
    expect(traditional.tasks.map((t) => [t.no, t.leadUnits, t.responsibleUnits, t.group])).toEqual(
      plan.tasks.map((t) => [t.no, t.leadUnits, t.responsibleUnits, toTraditional(t.group ?? '')]),
    );
    expect(traditional.tasks.map((t) => t.title)).toEqual(plan.tasks.map((t) => toTraditional(t.title)));
    expect(traditional.tasks.map((t) => t.duties.map((d) => d.due ?? d.every ?? d.kind))).toEqual(
      plan.tasks.map((t) => t.duties.map((d) => d.due ?? d.every ?? d.kind)),
    );
    for (const task of traditional.tasks) for (const duty of task.duties) expect(repost).toContain(duty.source);
    expect(traditional.tasks[0]?.duties[0]?.source).toBe('2022年6月底前');
    expect(taskOf(traditional, 3).duties[0]?.source).toBe('每月');
    expect(traditional.milestones).toEqual(plan.milestones.map((m) => ({ ...m, source: toTraditional(m.source) })));
  });
});

describe('broken files: one clear line, exit code 2', () => {
  const broken: [string, () => Promise<string>, RegExp][] = [
    [
      'a truncated .docx',
      async () => {
        const docx = await cityWordTable();
        return write('truncated.docx', docx.subarray(0, Math.floor(docx.length / 2)));
      },
      /truncated\.docx: not a readable \.docx or \.xlsx: the ZIP archive is truncated or damaged \(.+\)$/,
    ],
    [
      'an image-only .docx (a scanned table)',
      async () => write('scanned.docx', await scannedWordDocument()),
      /scanned\.docx: not a task table: the Word document has no table \(only 2 image\(s\) and text: a scanned table cannot be read\)$/,
    ],
    [
      'a workbook whose only sheet is empty',
      async () => write('empty.xlsx', await emptyWorkbook()),
      /empty\.xlsx: the workbook's only sheet 'Sheet1' is empty$/,
    ],
    [
      'a PNG named like a table',
      async () => write('table.xlsx', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')),
      /table\.xlsx: not a table file: a PNG image, not a table$/,
    ],
    [
      'a legacy .doc',
      async () => write('old.doc', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(64)])),
      /old\.doc: not a table file: a legacy Word \.doc or Excel \.xls file \(OLE2\): save it as \.docx or \.xlsx first$/,
    ],
    [
      'a web page without a task table',
      async () =>
        write(
          'news.html',
          '<html><body><h1>新闻</h1><table><tr><td>联系人</td><td>电话</td></tr></table></body></html>',
        ),
      /news\.html:1: not a task table: no table in the page has a header row naming 工作任务 \(or 细化分工\) and 牵头单位\/责任单位 or 完成时限$/,
    ],
    [
      'a CSV export whose header has no unit column',
      async () => write('no-units.csv', '序号,工作任务,完成时限\n1,做好政策解读,年底前\n'),
      /no-units\.csv:1: the table has no 牵头单位 or 责任单位 column \(A1\)$/,
    ],
  ];
  it.each(broken)('rejects %s', async (_what, make, message) => {
    const file = await make();
    const { code, out, err } = await runCli('plan', 'import', file, '--json');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toMatch(message);
    await expect(importPlanFile(file)).rejects.toMatchObject({ name: 'ImportError' });
  });
});
