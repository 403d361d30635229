import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { expandAssignments } from '../../src/domain/assignments';
import { BUNDLED_DIRECTORY_PATH, loadDirectory, validateDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';

const root = path.resolve(__dirname, '../..');
const seedFile = path.join(root, 'examples/fujian-2017/tasks.txt');
const seed = readFileSync(seedFile, 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'duban-import-'));

/** Runs the CLI, capturing what it prints. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('duban plan import', () => {
  it('prints the plan as JSON', async () => {
    const { code, out } = await run('plan', 'import', seedFile, '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(out);
    expect(plan.id).toBe('fj-2017-zwgk');
    expect(plan.tasks).toHaveLength(60);
  });

  it('prints a readable table with lead, responsible and duties', async () => {
    const { code, out } = await run('plan', 'import', seedFile, '--directory', BUNDLED_DIRECTORY_PATH);
    expect(code).toBe(0);
    expect(out).toContain('55. 及时回应社会关切');
    expect(out).toContain('lead:        省财政厅、省国税局、省地税局、省物价局');
    expect(out).toContain('recurring-publication week (每周)');
    expect(out).toContain('60 tasks, 0 warnings');
  });

  const rejects: [string, () => string, RegExp][] = [
    [
      'a file that is not a task table',
      () => write('readme.txt', '# duban\n\nA README, not a table.\n'),
      /readme\.txt:1: not a task table/,
    ],
    ['an empty file', () => write('empty.txt', ''), /empty\.txt:1: not a task table: the file is empty/],
    [
      'bytes that are text in none of UTF-8, UTF-16 and GB18030',
      () =>
        write(
          'binary.txt',
          Buffer.concat([Buffer.from('标题\n发布日期:2017-05-05\n', 'utf8'), Buffer.from([0xb8, 0xff, 0xfe, 0x0a])]),
        ),
      /binary\.txt:3: not a table file: the bytes are not UTF-8, UTF-16 or GB18030 text/,
    ],
    [
      'an impossible notice date',
      () => write('may32.txt', seed.replace('于5月27日前', '于5月32日前')),
      /may32\.txt:6: impossible date '5月32日前'/,
    ],
    [
      'an impossible signing date',
      () => write('feb30.txt', seed.replace('2017年4月28日', '2017年2月30日')),
      /feb30\.txt:9: impossible date 2017年2月30日/,
    ],
    [
      'an impossible date in a row',
      () => write('row-date.txt', seed.replace('2017年底前完成', '2017年13月5日前完成')),
      /row-date\.txt:94: task 49: impossible date '2017年13月5日前'/,
    ],
    [
      'a row whose units cannot be read',
      () =>
        write(
          'units.txt',
          seed.replace('2.按月公开全省财政收支情况 省财政厅', '2.按月公开全省财政收支情况 省财政厅，x9#'),
        ),
      /units\.txt:17: task 2: cannot read the units '省财政厅，x9#'/,
    ],
    [
      'a first row without units',
      () =>
        write(
          'first.txt',
          seed.replace(
            /1\.深入解读政策背景、依据、目标任务、涉及范围 省直各部门，各设区市，平潭综合实验区 /,
            '1.深入解读政策背景 ',
          ),
        ),
      /first\.txt:15: task 1: no unit columns and no row above/,
    ],
    [
      'a duplicate task number',
      () => write('dup.txt', seed.replace('3.主动公开月度', '2.主动公开月度')),
      /dup\.txt:18: task 2 appears twice/,
    ],
    ['a missing file', () => path.join(dir, 'missing.txt'), /missing\.txt: cannot read: ENOENT/],
  ];
  it.each(rejects)('rejects %s with file:line and exit code 2, writing nothing', async (_what, make, message) => {
    const file = make();
    const before = readdirSync(dir).sort();
    const { code, out, err } = await run('plan', 'import', file, '--json');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('rejects a bad --id and a bad directory file with the field named', async () => {
    expect((await run('plan', 'import', seedFile, '--id', 'Fujian 2017')).err).toMatch(/plan id 'Fujian 2017'/);
    const bad = JSON.parse(readFileSync(BUNDLED_DIRECTORY_PATH, 'utf8'));
    bad.units[3].officer.email = 'not-an-address';
    const file = write('bad-directory.json', JSON.stringify(bad));
    const { code, err } = await run('plan', 'import', seedFile, '--directory', file);
    expect(code).toBe(2);
    expect(err).toMatch(/bad-directory\.json: units\[3\]\.officer\.email: Invalid email/);
  });
});

describe('unit directory and assignments', () => {
  const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);

  it('bundles a directory naming every unit of the seed, with unique ASCII codes and reserved-domain addresses', () => {
    const { plan } = importTableFile(seedFile, { directory });
    expect(plan.warnings).toEqual([]);
    expect(directory.units.filter((u) => u.kind === 'city').map((u) => u.name)).toEqual([
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
    expect(directory.units.find((u) => u.name === '平潭综合实验区')?.kind).toBe('district');
    expect(directory.units.find((u) => u.code === directory.generalOffice)?.name).toBe('省政府办公厅');
    for (const u of directory.units) {
      expect(u.officer.email).toMatch(/@duban\.example$/);
      expect(u.head.email).toMatch(/@duban\.example$/);
    }
  });

  it('rejects duplicate codes and an unknown general office', () => {
    const data = JSON.parse(readFileSync(BUNDLED_DIRECTORY_PATH, 'utf8'));
    data.units[1].code = data.units[0].code;
    expect(() => validateDirectory(data, 'd.json')).toThrow(
      /d\.json: units\[1\]\.code: 'fj-bgt' is also units\[0\]\.code/,
    );
    const other = JSON.parse(readFileSync(BUNDLED_DIRECTORY_PATH, 'utf8'));
    other.generalOffice = 'fj-nowhere';
    expect(() => validateDirectory(other, 'd.json')).toThrow(/generalOffice: 'fj-nowhere' is not the code of a unit/);
  });

  it('expands 省直各部门 to provincial non-vertical units and 各设区市 to the 9 cities; 省直有关部门 needs designation', () => {
    const { plan } = importTableFile(seedFile, { directory });
    const result = expandAssignments(plan.tasks, directory);
    expect(result.unknownUnits).toEqual([]);
    expect(result.needsDesignation.map((n) => n.taskNo)).toEqual([8, 10, 16, 26]);
    const of = (no: number) => result.assignments.filter((a) => a.taskNo === no);
    const provincial = directory.units.filter((u) => u.kind === 'provincial' && !u.vertical);
    expect(of(1).filter((a) => a.role === 'lead')).toEqual([]);
    expect(of(1)).toHaveLength(provincial.length + 9 + 1);
    expect(of(1).map((a) => a.unitCode)).not.toContain('fj-rhfz');
    expect(of(1).map((a) => a.unitCode)).not.toContain('fj-bgt');
    expect(of(8).map((a) => a.unitCode)).toHaveLength(10);
    // A lead is not listed again as responsible through 省直各部门.
    expect(of(13).filter((a) => a.unitCode === 'fj-sgb')).toEqual([{ taskNo: 13, unitCode: 'fj-sgb', role: 'lead' }]);
    expect(
      of(40)
        .filter((a) => a.role === 'lead')
        .map((a) => a.unitCode),
    ).toContain('fj-rhfz');
  });

  it('lists assignments from the CLI, JSON with unit names', async () => {
    const { code, out } = await run('plan', 'assignments', seedFile, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.assignments[0]).toEqual({
      taskNo: 1,
      unitCode: 'fj-xwb',
      role: 'responsible',
      unitName: '省政府新闻办',
    });
    expect(result.needsDesignation).toContainEqual({ taskNo: 8, role: 'responsible', group: '省直有关部门' });
    const text = await run('plan', 'assignments', seedFile);
    expect(text.out).toContain('Needing designation');
  });

  it('makes an unknown unit an error naming the task and line', async () => {
    const file = write(
      'unknown.txt',
      seed.replace(
        '7.公开清理规范涉企收费各项政策措施及执行落实情况 省经信委',
        '7.公开清理规范涉企收费各项政策措施及执行落实情况 省太空局',
      ),
    );
    const { code, err } = await run('plan', 'assignments', file);
    expect(code).toBe(2);
    expect(err).toMatch(
      /unknown\.txt:23: task 7: unknown unit '省太空局' \(lead; not a name or alias in .*directory\.json\)/,
    );
  });
});
