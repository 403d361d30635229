import path from 'node:path';
import { expandAssignments } from '../../src/domain/assignments';
import { findUnit } from '../../src/domain/directory';
import { PROVINCES, provinceOfIssuer } from '../../src/domain/divisions';
import type { Plan, Task } from '../../src/domain/plan';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { UNIT_CODE_SHAPE, checkDirectory, checkPlanCoverage, taskRanges } from '../../src/import/directory-check';
import {
  draftDirectory,
  generalOfficeOf,
  guessUnitKind,
  guessVertical,
  proposeCodeBodies,
} from '../../src/import/directory-draft';
import { importTableFile } from '../../src/import/plan-file';

const seedFile = path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt');
const fujian = PROVINCES.find((p) => p.stem === '福建');

function task(no: number, leadUnits: string[], responsibleUnits: string[]): Task {
  return {
    no,
    section: '一、',
    subsection: '',
    title: `task ${no}`,
    leadUnits,
    responsibleUnits,
    unitsInheritedFrom: null,
    requirements: '',
    duties: [],
  };
}

function plan(issuer: string, tasks: Task[], id = 'plan-2021-tasks'): Plan {
  return {
    id,
    title: `${issuer}关于印发任务分解表的通知`,
    issuer,
    signedOn: '2021-03-01',
    publishedOn: '2021-03-02',
    year: 2021,
    timezone: 'Asia/Shanghai',
    milestones: [],
    tasks,
    warnings: [],
  };
}

describe('prefecture-level cities (src/domain/divisions.ts)', () => {
  it('lists the 293 prefecture-level cities of the Ministry of Civil Affairs 2023 table, 9 in Fujian', () => {
    expect(PROVINCES).toHaveLength(31);
    expect(PROVINCES.reduce((n, p) => n + p.cities.length, 0)).toBe(293);
    expect(fujian?.cities).toEqual([
      '福州市',
      '厦门市',
      '莆田市',
      '三明市',
      '泉州市',
      '漳州市',
      '南平市',
      '龙岩市',
      '宁德市',
    ]);
    expect(PROVINCES.filter((p) => p.cities.length === 0).map((p) => p.stem)).toEqual(['北京', '天津', '上海', '重庆']);
    expect(new Set(PROVINCES.flatMap((p) => p.cities)).size).toBe(293);
  });

  it('finds the issuer’s province, not a city of the same name', () => {
    expect(provinceOfIssuer('福建省人民政府办公厅')?.code).toBe('35');
    expect(provinceOfIssuer('广西壮族自治区人民政府办公厅')?.stem).toBe('广西');
    expect(provinceOfIssuer('吉林省人民政府办公厅')?.stem).toBe('吉林');
    expect(provinceOfIssuer('吉林市人民政府办公室')).toBeUndefined();
    expect(provinceOfIssuer('北京市人民政府办公厅')?.cities).toEqual([]);
    expect(provinceOfIssuer('省财政厅')).toBeUndefined();
  });
});

describe('guesses and proposals', () => {
  it.each([
    ['省政府办公厅', 'office'],
    ['办公室', 'office'],
    ['省政府新闻办公室', 'provincial'],
    ['省人民政府金融工作办公室', 'provincial'],
    ['省财政厅', 'provincial'],
    ['福州市', 'city'],
    ['福州市人民政府', 'city'],
    ['福清市', 'district'],
    ['平潭综合实验区', 'district'],
    ['连江县', 'district'],
    ['预算处', 'division'],
    ['省政府督查室', 'division'],
    ['省大数据中心', 'provincial'],
  ])('kind of %s in a Fujian table is %s', (name, kind) => {
    expect(guessUnitKind(name, fujian)).toBe(kind);
  });

  it('guesses central vertically managed units, not provincial regulators', () => {
    expect(
      ['人行福州中心支行', '省国税局', '福建证监局', '厦门银保监局', '福州海关', '国家税务总局福建省税务局'].every(
        guessVertical,
      ),
    ).toBe(true);
    expect(['省地税局', '省食品药品监管局', '省统计局'].some(guessVertical)).toBe(false);
  });

  it('proposes codes from pinyin: initials, full city names, the place last, 人行 and 河长 read right', () => {
    expect(proposeCodeBodies('省财政厅', 'provincial', fujian)).toEqual(['czt', 'caizt']);
    expect(proposeCodeBodies('省政府办公厅', 'office', fujian)[0]).toBe('bgt');
    expect(proposeCodeBodies('福州市', 'city', fujian)).toEqual(['fuzhou']);
    expect(proposeCodeBodies('平潭综合实验区', 'district', fujian)).toEqual(['pingtan']);
    expect(proposeCodeBodies('厦门银监局', 'provincial', fujian)[0]).toBe('yjj-xm');
    expect(proposeCodeBodies('福建省财政厅', 'office', fujian)[0]).toBe('czt-fj');
    expect(proposeCodeBodies('人行福州中心支行', 'provincial', fujian)[0]).toBe('rhfzzxzh');
    expect(proposeCodeBodies('省河长办', 'provincial', fujian)[0]).toBe('hzb');
    expect(proposeCodeBodies('省委宣传部（省政府新闻办）', 'provincial', fujian)[0]).toBe('wxcb');
  });

  it('derives the general office from the issuer', () => {
    expect(generalOfficeOf('福建省人民政府办公厅')).toEqual({
      name: '省政府办公厅',
      aliases: ['福建省人民政府办公厅', '省人民政府办公厅'],
    });
    expect(generalOfficeOf('福州市人民政府办公室').name).toBe('市政府办公室');
    expect(generalOfficeOf('福建省财政厅')).toEqual({ name: '福建省财政厅', aliases: [] });
  });

  it('writes task numbers as ranges', () => {
    expect(taskRanges([1, 2, 3, 5, 7, 8])).toBe('1-3, 5, 7-8');
    expect(taskRanges([])).toBe('');
  });
});

describe('draftDirectory', () => {
  const { plan: seed } = importTableFile(seedFile);
  const draft = draftDirectory(seed);
  const bundled = loadDirectory(BUNDLED_DIRECTORY_PATH);

  it('drafts the same units, kinds and vertical marks as the hand-made bundled directory', () => {
    const { directory } = draft;
    expect(directory.units.map((u) => u.name).sort()).toEqual(bundled.units.map((u) => u.name).sort());
    const byName = new Map(bundled.units.map((u) => [u.name, u]));
    for (const unit of directory.units) {
      expect([unit.name, unit.kind, !!unit.vertical]).toEqual([
        unit.name,
        byName.get(unit.name)?.kind,
        !!byName.get(unit.name)?.vertical,
      ]);
    }
  });

  it('puts the general office first, marked, with the issuer as an alias; codes unique, prefixed and ASCII', () => {
    const { directory, notes } = draft;
    expect(directory.generalOffice).toBe('fj-bgt');
    expect(directory.units[0]).toMatchObject({ code: 'fj-bgt', name: '省政府办公厅', kind: 'office' });
    expect(directory.units[0]?.aliases).toContain('福建省人民政府办公厅');
    const codes = directory.units.map((u) => u.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(UNIT_CODE_SHAPE);
    for (const code of codes) expect(code.startsWith('fj-')).toBe(true);
    expect(codes).toEqual(expect.arrayContaining(['fj-czt', 'fj-gsj', 'fj-guosj', 'fj-fuzhou', 'fj-pingtan']));
    expect(notes.get('fj-czt')).toBe('tasks 2, 5-7, 12, 23-25, 34, 40-41');
    expect(notes.get('fj-ningde')).toBe('各设区市 (tasks 1-60)');
  });

  it('lists the 9 cities of 各设区市 in division-code order, and notes the groups', () => {
    expect(draft.directory.units.filter((u) => u.kind === 'city').map((u) => u.name)).toEqual(fujian?.cities);
    expect(draft.groups.map((g) => [g.group, g.tasks.length])).toEqual([
      ['省直各部门', 17],
      ['各设区市', 60],
      ['省直有关部门', 4],
    ]);
    expect(draft.warnings).toEqual([]);
  });

  it('leaves the contacts empty, which check reports for every unit', () => {
    const problems = checkDirectory(draft.directory, 'draft.json');
    expect(problems).toHaveLength(52 * 4);
    expect(new Set(problems.map((p) => p.type))).toEqual(new Set(['missing-name', 'missing-address']));
    expect(checkPlanCoverage(draft.directory, seed, { planFile: 'tasks.txt', directoryFile: 'draft.json' })).toEqual(
      [],
    );
  });

  it('takes another prefix, and refuses one that is not a code', () => {
    expect(draftDirectory(seed, { prefix: 'fj-zwgk' }).directory.generalOffice).toBe('fj-zwgk-bgt');
    expect(() => draftDirectory(seed, { prefix: 'Fujian' })).toThrow(/code prefix 'Fujian'/);
  });

  it('drafts a department’s own 台账: its 处室 as divisions, outside 省直各部门', () => {
    const own = plan('福建省财政厅', [task(1, ['办公室'], ['预算处', '国库处']), task(2, ['预算处'], ['省直各部门'])]);
    const { directory } = draftDirectory(own, { prefix: 'czt' });
    expect(directory.generalOffice).toBe('czt-bgs');
    expect(directory.units.map((u) => [u.code, u.name, u.kind])).toEqual([
      ['czt-bgs', '办公室', 'office'],
      ['czt-ysc', '预算处', 'division'],
      ['czt-gkc', '国库处', 'division'],
    ]);
    const assigned = expandAssignments(own.tasks, directory).assignments.filter((a) => a.taskNo === 2);
    expect(assigned).toEqual([{ taskNo: 2, unitCode: 'czt-ysc', role: 'lead' }]);
  });

  it('warns when 各设区市 cannot be expanded or a group is not one duban expands', () => {
    const city = plan('福州市人民政府办公室', [task(1, ['市财政局'], ['各设区市', '各县（市、区）'])]);
    const { warnings, directory } = draftDirectory(city);
    expect(warnings).toEqual([
      "各设区市 (tasks 1): the issuer '福州市人民政府办公室' names no province; add its members as units of kind city by hand",
      '各县（市、区） (tasks 1): duban does not expand this group; list its members as units and name them in the table',
    ]);
    expect(directory.units.map((u) => u.name)).toEqual(['市政府办公室', '市财政局']);
  });

  it('drafts 市直各部门, 区直各单位 and 市直有关部门 as groups, as 省直各部门 and 省直有关部门 are, never as units', () => {
    const city = plan('青云市人民政府办公室', [
      task(1, ['市财政局'], ['市直各部门']),
      task(2, ['市发展改革委'], ['市直有关部门']),
      task(3, ['市审计局'], ['区直各单位']),
    ]);
    const { directory, groups, warnings } = draftDirectory(city, { prefix: 'qy' });
    expect(directory.units.map((u) => [u.name, u.kind])).toEqual([
      ['市政府办公室', 'office'],
      ['市财政局', 'provincial'],
      ['市发展改革委', 'provincial'],
      ['市审计局', 'provincial'],
    ]);
    expect(groups.map((g) => [g.group, g.tasks])).toEqual([
      ['市直各部门', [1]],
      ['市直有关部门', [2]],
      ['区直各单位', [3]],
    ]);
    expect(groups[0]?.note).toMatch(/^every unit of kind provincial that is not vertical/);
    expect(warnings).toEqual([]);
    const { assignments, needsDesignation, unknownUnits } = expandAssignments(city.tasks, directory);
    expect(assignments.filter((a) => a.taskNo === 1).map((a) => a.unitCode)).toEqual([
      'qy-sczj',
      'qy-sfzggw',
      'qy-ssjj',
    ]);
    expect(needsDesignation).toEqual([{ taskNo: 2, role: 'responsible', group: '市直有关部门' }]);
    expect(unknownUnits).toEqual([]);
  });

  it('writes the other names a table gives a unit as its aliases, so the directory resolves both', () => {
    const ledger = plan('青云市卫生健康委员会', [task(1, ['办公室'], ['规划信息处', '宣传处'])]);
    const aliases = new Map([['规划信息处', ['爱卫办']]]);
    const { directory } = draftDirectory(ledger, { prefix: 'wjw', aliases });
    expect(directory.units.find((u) => u.name === '规划信息处')?.aliases).toEqual(['爱卫办']);
    expect(findUnit(directory, '爱卫办')?.name).toBe('规划信息处');
    expect(directory.units.find((u) => u.name === '宣传处')?.aliases).toEqual([]);
  });
});
