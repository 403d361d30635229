import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plan, Task } from '../../src/domain/plan';
import { loadDirectory, BUNDLED_DIRECTORY_PATH } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { parseTaskTable } from '../../src/import/table';

const root = path.resolve(__dirname, '../..');
const seedFile = path.join(root, 'examples/fujian-2017/tasks.txt');
const fixture = (name: string) => path.join(root, 'test/fixtures', name);
const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);

const CITIES_AND_PINGTAN = ['各设区市', '平潭综合实验区'];
const EVERYONE = ['省直各部门', ...CITIES_AND_PINGTAN];

describe('the Fujian 2017 seed table', () => {
  const { plan, taskLines } = importTableFile(seedFile, { directory });
  const task = (no: number): Task => {
    const found = plan.tasks.find((t) => t.no === no);
    if (!found) throw new Error(`no task ${no}`);
    return found;
  };

  it('reads the notice: id, issuer, dates, year, milestones with their source phrases', () => {
    expect(plan.id).toBe('fj-2017-zwgk');
    expect(plan.title).toBe('福建省人民政府办公厅关于印发2017年政务公开工作主要任务分解表的通知');
    expect(plan.issuer).toBe('福建省人民政府办公厅');
    expect(plan.publishedOn).toBe('2017-05-05');
    expect(plan.signedOn).toBe('2017-04-28');
    expect(plan.year).toBe(2017);
    expect(plan.timezone).toBe('Asia/Shanghai');
    expect(plan.milestones).toEqual([
      { kind: 'implementation-plan', due: '2017-05-27', source: '5月27日前' },
      { kind: 'quarterly-progress', every: 'quarter', source: '按季度督查' },
      { kind: 'year-end-report', due: '2017-12-08', source: '2017年12月8日前' },
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('prints exactly the fields of the Plan type, in order', () => {
    expect(Object.keys(plan)).toEqual([
      'id',
      'title',
      'issuer',
      'signedOn',
      'publishedOn',
      'year',
      'timezone',
      'milestones',
      'tasks',
      'warnings',
    ]);
    expect(Object.keys(task(1))).toEqual([
      'no',
      'section',
      'subsection',
      'title',
      'leadUnits',
      'responsibleUnits',
      'unitsInheritedFrom',
      'requirements',
      'duties',
    ]);
  });

  it('finds all 60 tasks in 6 sections, skipping every repeated header row', () => {
    expect(plan.tasks.map((t) => t.no)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(new Set(plan.tasks.map((t) => t.section)).size).toBe(6);
    expect(plan.tasks.some((t) => /工\s*作\s*任\s*务/.test(t.title + t.requirements))).toBe(false);
    expect(task(1)).toMatchObject({ section: '一、以政务公开助力稳增长', subsection: '（一）加强预期引导' });
    expect(task(12).subsection).toBe('（四）推进政府和社会资本合作（PPP）项目信息公开');
    expect(task(60)).toMatchObject({ section: '六、增强政务公开实效', subsection: '（四）依法规范依申请公开工作' });
    expect(taskLines.get(1)).toBe(15);
    expect(taskLines.get(60)).toBe(109);
  });

  it('splits concatenated lead units (rows 5, 7, 59)', () => {
    expect(task(5).leadUnits).toEqual(['省财政厅', '省国税局', '省地税局', '省物价局']);
    expect(task(5).responsibleUnits).toEqual(CITIES_AND_PINGTAN);
    expect(task(7).leadUnits).toEqual(['省经信委', '省物价局', '省财政厅']);
    expect(task(7).responsibleUnits).toEqual(CITIES_AND_PINGTAN);
    expect(task(59).leadUnits).toEqual(['省档案局', '省文化厅']);
    expect(task(59).responsibleUnits).toEqual(EVERYONE);
  });

  it('expands abbreviated enumerations with the 省 prefix (rows 27, 34)', () => {
    expect(task(27).leadUnits).toEqual(['省经信委']);
    expect(task(27).responsibleUnits).toEqual([
      '省发改委',
      '省人社厅',
      '省国土厅',
      '省环保厅',
      '省商务厅',
      '省国资委',
      '省工商局',
      '省质监局',
      '省安监局',
      ...CITIES_AND_PINGTAN,
    ]);
    expect(task(34).leadUnits).toEqual(['省河长办']);
    expect(task(34).responsibleUnits).toEqual([
      '省水利厅',
      '省环保厅',
      '省住建厅',
      '省农业厅',
      '省发改委',
      '省经信委',
      '省财政厅',
      '省国土厅',
      '省交通运输厅',
      '省林业厅',
      '省海洋渔业厅',
      '省卫计委',
      ...CITIES_AND_PINGTAN,
    ]);
    expect(task(34).requirements).toBe('');
  });

  it('reads a single unit column: provincial units first are leads (rows 40, 45), groups only are responsible', () => {
    expect(task(40).leadUnits).toEqual([
      '省金融办',
      '省财政厅',
      '人行福州中心支行',
      '福建证监局',
      '福建银监局',
      '福建保监局',
      '厦门银监局',
      '厦门证监局',
      '厦门保监局',
    ]);
    expect(task(40).responsibleUnits).toEqual(CITIES_AND_PINGTAN);
    expect(task(45)).toMatchObject({ leadUnits: ['省国土厅'], responsibleUnits: CITIES_AND_PINGTAN });
    for (const no of [1, 15, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 60]) {
      expect(task(no)).toMatchObject({ leadUnits: [], responsibleUnits: EVERYONE });
    }
    expect(task(8)).toMatchObject({ leadUnits: [], responsibleUnits: ['省直有关部门', ...CITIES_AND_PINGTAN] });
    expect(task(50)).toMatchObject({ leadUnits: [], responsibleUnits: CITIES_AND_PINGTAN });
    expect(task(58)).toMatchObject({ leadUnits: [], responsibleUnits: CITIES_AND_PINGTAN });
  });

  it('reads two unit columns as lead then responsible', () => {
    expect(task(3)).toMatchObject({
      leadUnits: ['省统计局'],
      responsibleUnits: ['省政府新闻办', ...CITIES_AND_PINGTAN],
    });
    expect(task(10)).toMatchObject({
      leadUnits: ['省发改委'],
      responsibleUnits: ['省直有关部门', ...CITIES_AND_PINGTAN],
    });
    expect(task(17)).toMatchObject({ leadUnits: ['省发改委', '省审改办'], responsibleUnits: EVERYONE });
    expect(task(37)).toMatchObject({ leadUnits: ['省卫计委'], responsibleUnits: ['省医保办', ...CITIES_AND_PINGTAN] });
  });

  it('inherits units from the row above for rows whose second column is prose (19, 21, 22, 36, 41, 43)', () => {
    const inherited = plan.tasks.filter((t) => t.unitsInheritedFrom !== null).map((t) => [t.no, t.unitsInheritedFrom]);
    expect(inherited).toEqual([
      [19, 18],
      [21, 20],
      [22, 20],
      [36, 35],
      [41, 40],
      [43, 42],
    ]);
    expect(task(19)).toMatchObject({ leadUnits: ['省国资委'], responsibleUnits: CITIES_AND_PINGTAN });
    expect(task(22)).toMatchObject({ leadUnits: ['省农业厅'], requirements: '要做到方便农民群众知情、参与和监督。' });
    expect(task(36).leadUnits).toEqual(['省教育厅']);
    expect(task(41).leadUnits).toEqual(task(40).leadUnits);
    expect(task(43).leadUnits).toEqual(['省住建厅']);
  });

  it('finds every duty of the obligations table with its exact phrase', () => {
    const duties = Object.fromEntries(plan.tasks.filter((t) => t.duties.length > 0).map((t) => [t.no, t.duties]));
    expect(duties).toEqual({
      2: [{ kind: 'recurring-publication', every: 'month', source: '按月' }],
      3: [
        { kind: 'recurring-publication', every: 'month', source: '按月度、季度' },
        { kind: 'recurring-publication', every: 'quarter', source: '按月度、季度' },
      ],
      9: [{ kind: 'periodic-unspecified', source: '定期' }],
      10: [{ kind: 'periodic-unspecified', source: '定期' }],
      15: [{ kind: 'periodic-unspecified', source: '定期' }],
      16: [{ kind: 'task-deadline', due: '2017-12-31', source: '年内' }],
      17: [{ kind: 'task-deadline', due: '2017-12-31', source: '年内' }],
      19: [{ kind: 'recurring-publication', every: 'month', source: '按月' }],
      20: [{ kind: 'recurring-publication', every: 'week', source: '每周' }],
      28: [{ kind: 'periodic-unspecified', source: '定期' }],
      33: [{ kind: 'recurring-publication', every: 'year', source: '每年' }],
      38: [{ kind: 'periodic-unspecified', source: '定期' }],
      42: [{ kind: 'periodic-unspecified', source: '定期' }],
      45: [{ kind: 'recurring-publication', every: 'quarter', source: '按季度' }],
      49: [{ kind: 'task-deadline', due: '2017-12-31', source: '2017年底前' }],
      55: [
        {
          kind: 'emergency-response',
          steps: [
            { kind: 'emergency-information', within: 'PT5H', source: '5小时内发布权威信息' },
            { kind: 'emergency-press-conference', within: 'PT24H', source: '24小时内举行新闻发布会' },
          ],
          source: '5小时内发布权威信息、24小时内举行新闻发布会',
        },
      ],
      56: [{ kind: 'task-deadline', due: '2017-12-31', source: '2018年前' }],
      60: [{ kind: 'information-request', source: '严格按照法定时限答复' }],
    });
  });

  it('keeps every source phrase a substring of its row', () => {
    const text = readFileSync(seedFile, 'utf8');
    for (const t of plan.tasks) {
      const row = text.split('\n')[(taskLines.get(t.no) ?? 0) - 1] ?? '';
      for (const d of t.duties) expect(row).toContain(d.source);
    }
    for (const m of plan.milestones) expect(text).toContain(m.source);
  });

  it('equals the committed golden plan (test/fixtures/fujian-2017.plan.json)', () => {
    const golden = JSON.parse(readFileSync(fixture('fujian-2017.plan.json'), 'utf8')) as Plan;
    expect(JSON.parse(JSON.stringify(plan))).toEqual(golden);
  });

  it('parses the same plan from CRLF, trailing spaces and ASCII punctuation in unit cells', () => {
    const text = readFileSync(seedFile, 'utf8');
    const variant = text
      .split('\n')
      .map((l) =>
        /^\d+\./.test(l)
          ? l.replace(/([^\s]+?)(，|、)/g, (m, a: string, sep: string) => a + (sep === '，' ? ',' : '、'))
          : l,
      )
      .map((l) => `${l}   `)
      .join('\r\n');
    const { plan: again } = parseTaskTable(variant, { file: 'variant.txt' });
    expect(again.tasks.map((t) => [t.leadUnits, t.responsibleUnits])).toEqual(
      plan.tasks.map((t) => [t.leadUnits, t.responsibleUnits]),
    );
  });

  it('takes an id override', () => {
    expect(parseTaskTable(readFileSync(seedFile, 'utf8'), { id: 'fujian-openness-2017' }).plan.id).toBe(
      'fujian-openness-2017',
    );
  });
});

describe('other tables in the same layout', () => {
  it('reads a 2019 Zhejiang table: CRLF, ASCII punctuation, no header row, abbreviations, inheritance', () => {
    const text = readFileSync(fixture('zhejiang-2019.txt'), 'utf8');
    expect(text).toContain('\r\n');
    const { plan } = parseTaskTable(text, { file: 'zhejiang-2019.txt' });
    expect(plan).toMatchObject({
      id: 'zj-2019-zwgk',
      issuer: '浙江省人民政府办公厅',
      signedOn: '2019-04-02',
      publishedOn: '2019-04-10',
      year: 2019,
      warnings: [],
    });
    expect(plan.milestones).toEqual([
      { kind: 'implementation-plan', due: '2019-04-30', source: '4月30日前' },
      { kind: 'quarterly-progress', every: 'quarter', source: '按季度督查' },
      { kind: 'year-end-report', due: '2019-11-30', source: '2019年11月30日前' },
    ]);
    const units = plan.tasks.map((t) => [t.no, t.leadUnits, t.responsibleUnits, t.unitsInheritedFrom]);
    expect(units).toEqual([
      [1, ['省财政厅'], ['各设区市'], null],
      [2, ['省财政厅', '省审计厅'], ['杭州市', '宁波市'], null],
      [3, ['省教育厅', '省卫健委'], ['省直有关部门', '各设区市'], null],
      [4, ['省教育厅', '省卫健委'], ['省直有关部门', '各设区市'], 3],
      [5, [], ['省直各部门', '各设区市'], null],
      [6, ['省市场监管局', '省财政厅', '省人力社保厅'], ['各设区市'], null],
    ]);
    expect(plan.tasks[0]).toMatchObject({ section: '一、推进重点领域信息公开', subsection: '(一)财政信息公开' });
    expect(plan.tasks.map((t) => t.duties)).toEqual([
      [
        { kind: 'recurring-publication', every: 'quarter', source: '每季度' },
        { kind: 'task-deadline', due: '2019-06-30', source: '6月底前' },
      ],
      [{ kind: 'periodic-unspecified', source: '定期' }],
      [
        { kind: 'recurring-publication', every: 'month', source: '每月' },
        { kind: 'task-deadline', due: '2019-12-31', source: '年底前' },
      ],
      [
        { kind: 'recurring-publication', every: 'month', source: '按月' },
        { kind: 'task-deadline', due: '2019-10-15', source: '10月15日前' },
      ],
      [{ kind: 'information-request', source: '依申请公开答复严格执行法定期限' }],
      [
        {
          kind: 'emergency-response',
          steps: [
            { kind: 'emergency-information', within: 'PT3H', source: '3小时内发布权威信息' },
            { kind: 'emergency-press-conference', within: 'PT12H', source: '12小时内召开新闻发布会' },
          ],
          source: '3小时内发布权威信息,12小时内召开新闻发布会',
        },
      ],
    ]);
  });

  it('reads a 2021 Jiangxi table: header rows spaced with ASCII, a new-area district, derived id fallback', () => {
    const { plan } = parseTaskTable(readFileSync(fixture('jiangxi-2021.txt'), 'utf8'), { file: 'jiangxi-2021.txt' });
    expect(plan).toMatchObject({
      id: 'jx-2021-tasks',
      issuer: '江西省人民政府办公厅',
      signedOn: '2021-03-12',
      publishedOn: '2021-03-18',
      year: 2021,
      warnings: [],
    });
    expect(plan.milestones).toEqual([
      { kind: 'implementation-plan', due: '2021-04-15', source: '2021年4月15日前' },
      { kind: 'year-end-report', due: '2021-12-10', source: '12月10日前' },
    ]);
    expect(plan.tasks.map((t) => [t.no, t.leadUnits, t.responsibleUnits, t.unitsInheritedFrom])).toEqual([
      [1, ['省发改委', '省工信厅'], ['各设区市', '赣江新区'], null],
      [2, ['省大数据中心'], ['省直各部门'], null],
      [3, ['省政务服务办'], ['各设区市'], null],
      [4, ['省政务服务办'], ['各设区市'], 3],
      [5, [], ['各设区市', '赣江新区'], null],
    ]);
    expect(plan.tasks.map((t) => t.duties.map((d) => d.every ?? d.due ?? d.kind))).toEqual([
      ['2021-12-31'],
      ['week'],
      ['2021-12-31'],
      ['month'],
      ['periodic-unspecified'],
    ]);
    expect(plan.tasks[1]?.subsection).toBe('（一）统一平台');
  });

  it('warns, with the line, about units that are not in a given directory', () => {
    const text = readFileSync(seedFile, 'utf8').replace(
      '2.按月公开全省财政收支情况 省财政厅',
      '2.按月公开全省财政收支情况 省太空局',
    );
    const { plan } = parseTaskTable(text, { directory });
    expect(plan.tasks[1]?.leadUnits).toEqual(['省太空局']);
    expect(plan.warnings).toEqual([{ line: 17, message: "task 2: unit '省太空局' is not in the directory" }]);
  });
});
