import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Contact, Directory, Unit } from '../../src/domain/directory';
import { BUNDLED_DIRECTORY_PATH, loadDirectory, loadDirectoryFile } from '../../src/import/directory';
import { parseCsvRows } from '../../src/import/directory-files';
import { spawnDuban } from '../helpers/process';

jest.setTimeout(120_000);

const plan = path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt');
let dir: string;
let dataDir: string;

/** Runs `duban …` as a child process with a temporary data directory. */
async function duban(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; output: string }> {
  const run = spawnDuban(args, { DUBAN_DATA_DIR: dataDir, ...env });
  const code = await run.exit;
  return { code, stdout: run.stdout(), output: run.output() };
}

/** The contacts an office fills in for a unit. */
function contacts(unit: Pick<Unit, 'code' | 'name'>): { officer: Contact; head: Contact } {
  const mailbox = unit.code.replace(/^fj-/, '');
  return {
    officer: { name: `${unit.name}联络员`, email: `${mailbox}.officer@fj.example.cn` },
    head: { name: `${unit.name}负责人`, email: `${mailbox}.head@fj.example.cn` },
  };
}

const ORDERED_TITLES = {
  officerName: '联络员姓名 / officer name',
  officerEmail: '联络员邮箱 / officer email',
  headName: '负责人姓名 / head name',
  headEmail: '负责人邮箱 / head email',
};

function csvLine(cells: string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

/** Every file under a folder with its bytes, to show a failed command changed nothing. */
function snapshot(folder: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((f) => {
      const file = path.join(folder, f);
      return [f, statSync(file).isDirectory() ? 'folder' : readFileSync(file).toString('base64')];
    }),
  );
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'duban-directory-cli-'));
  dataDir = path.join(dir, 'data');
  mkdirSync(dataDir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('duban directory (the CLI, end to end)', () => {
  let draft: Directory;
  let expected: Directory;

  it('init drafts XLSX (header, explanation sheet, general office marked), CSV with BOM, and JSON on stdout', async () => {
    const json = await duban(['directory', 'init', '--plan', plan]);
    expect(json.code).toBe(0);
    draft = JSON.parse(json.stdout) as Directory;
    expect(draft.units).toHaveLength(52);
    expect(draft.generalOffice).toBe('fj-bgt');
    expect(json.output).toContain('各设区市 (tasks 1-60): one row per 设区市 of 福建省 (9)');

    const xlsx = await duban(['directory', 'init', '--plan', plan, '--out', path.join(dir, 'directory.xlsx')]);
    expect(xlsx.code).toBe(0);
    expect(xlsx.stdout).toBe('');
    expect(xlsx.output).toMatch(/wrote 52 units to .*directory\.xlsx \(general office fj-bgt 省政府办公厅\)/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 'directory.xlsx'));
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['单位名录 directory', '说明 README']);
    const sheet = workbook.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1, 8)).toEqual([
      '代码 / code',
      '单位名称 / name',
      '类型 / kind',
      '别名 / aliases',
      '垂直管理 / vertical',
      '办公厅 / general office',
      '联络员姓名 / officer name',
    ]);
    expect((sheet.getRow(2).values as unknown[]).slice(1, 7)).toEqual([
      'fj-bgt',
      '省政府办公厅',
      'office',
      '福建省人民政府办公厅、省人民政府办公厅',
      undefined,
      '是',
    ]);
    expect(sheet.getCell('C2').dataValidation).toMatchObject({ type: 'list' });
    const readme = workbook.worksheets[1]!.getColumn(1).values.join('\n');
    expect(readme).toContain('联络员邮箱 / officer email');
    expect(readme).toContain('民政部《2023年中华人民共和国县以上行政区划代码》');

    const csv = await duban(['directory', 'init', '--plan', plan, '--out', path.join(dir, 'directory.csv')]);
    expect(csv.code).toBe(0);
    const bytes = readFileSync(path.join(dir, 'directory.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').split('\r\n')[2]).toBe(
      'fj-czt,省财政厅,provincial,,,,,,,,,,"tasks 2, 5-7, 12, 23-25, 34, 40-41"',
    );
    writeFileSync(path.join(dir, 'directory.json'), json.stdout);
  });

  it('refuses to replace a file, an unknown --out format and a missing --plan (exit 2)', async () => {
    const before = snapshot(dir);
    const again = await duban(['directory', 'init', '--plan', plan, '--out', path.join(dir, 'directory.xlsx')]);
    expect([again.code, again.output]).toEqual([
      2,
      expect.stringMatching(/directory\.xlsx exists; --force replaces it/),
    ]);
    const txt = await duban(['directory', 'init', '--plan', plan, '--out', path.join(dir, 'directory.txt')]);
    expect([txt.code, txt.output]).toEqual([2, expect.stringMatching(/write \.xlsx, \.csv or \.json/)]);
    expect((await duban(['directory', 'init'])).code).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  });

  it('filled in by an office, all three pass check and load to the same directory', async () => {
    const filled = (unit: Unit): Unit => ({ ...unit, ...contacts(unit) });
    expected = {
      generalOffice: draft.generalOffice,
      units: draft.units.map((u) => {
        const { vertical, ...rest } = filled(u);
        return vertical ? { ...rest, vertical } : rest;
      }),
    };

    // XLSX: with exceljs, by column title, as a spreadsheet program would.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 'directory.xlsx'));
    const sheet = workbook.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    const col = (title: string) => header.indexOf(title);
    for (let r = 2; r <= 53; r++) {
      const row = sheet.getRow(r);
      const c = contacts({ code: String(row.getCell(1).value), name: String(row.getCell(2).value) });
      row.getCell(col(ORDERED_TITLES.officerName)).value = c.officer.name;
      row.getCell(col(ORDERED_TITLES.officerEmail)).value = {
        text: c.officer.email,
        hyperlink: `mailto:${c.officer.email}`,
      };
      row.getCell(col(ORDERED_TITLES.headName)).value = c.head.name;
      row.getCell(col(ORDERED_TITLES.headEmail)).value = c.head.email;
    }
    await workbook.xlsx.writeFile(path.join(dir, 'filled.xlsx'));

    // CSV: edited as text, rows rewritten.
    const rows = await parseCsvRows(readFileSync(path.join(dir, 'directory.csv'), 'utf8').replace(/^\uFEFF/, ''));
    const titles = rows[0]!;
    const edited = rows.map((row, i) => {
      if (i === 0 || row.every((cell) => cell === '')) return row;
      const c = contacts({ code: row[0]!, name: row[1]! });
      const out = [...row];
      out[titles.indexOf(ORDERED_TITLES.officerName)] = c.officer.name;
      out[titles.indexOf(ORDERED_TITLES.officerEmail)] = c.officer.email;
      out[titles.indexOf(ORDERED_TITLES.headName)] = c.head.name;
      out[titles.indexOf(ORDERED_TITLES.headEmail)] = c.head.email;
      return out;
    });
    writeFileSync(path.join(dir, 'filled.csv'), `\uFEFF${edited.map(csvLine).join('\r\n')}\r\n`);

    // JSON: edited as data.
    const json = JSON.parse(readFileSync(path.join(dir, 'directory.json'), 'utf8')) as Directory;
    json.units = json.units.map(filled);
    writeFileSync(path.join(dir, 'filled.json'), JSON.stringify(json, null, 2));

    for (const ext of ['xlsx', 'csv', 'json']) {
      const file = path.join(dir, `filled.${ext}`);
      const check = await duban(['directory', 'check', file, '--plan', plan]);
      expect([check.code, check.stdout.trim()]).toEqual([
        0,
        `${file}: 52 units, general office fj-bgt (省政府办公厅), no problems; every unit and group of ${plan} is in it`,
      ]);
      expect(await loadDirectoryFile(file)).toEqual(expected);
    }
  });

  it('check lists every problem of an XLSX with its row and column, exits 2 and changes nothing', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 'filled.xlsx'));
    const sheet = workbook.worksheets[0]!;
    sheet.getCell('H3').value = 'czt.officer＠fj.example.cn'; // 省财政厅: full-width @
    sheet.getCell('J4').value = '张三\n'; // 省统计局's head: a line break
    sheet.getCell('A6').value = 'fj-xwb'; // 省审计厅 takes 省政府新闻办's code
    sheet.getCell('D7').value = '省财政厅'; // an alias that is another unit's name
    sheet.getCell('K8').value = null; // 省物价局's head: no address
    sheet.getCell('G9').value = ' 经信委联络员'; // a leading space
    sheet.getCell('F10').value = '是'; // a second general office
    sheet.spliceRows(52, 1); // 宁德市 gone
    const file = path.join(dir, 'broken.xlsx');
    await workbook.xlsx.writeFile(file);
    const before = snapshot(dir);
    const check = await duban(['directory', 'check', file, '--plan', plan]);
    expect(check.code).toBe(2);
    expect(check.stdout.trim().split('\n')).toEqual([
      `${file}: row 3, column H (联络员邮箱 / officer email): Invalid email address of the officer (联络员), ` +
        `"czt.officer＠fj.example.cn": contains the non-ASCII character '＠' U+FF20 (typed with a Chinese input method?)`,
      `${file}: row 4, column J (负责人姓名 / head name): name of the head (单位负责人) contains a line break (LF): "张三\\n"`,
      `${file}: row 6, column A (代码 / code): 'fj-xwb' is also the code of row 5`,
      `${file}: row 7, column D (别名 / aliases): '省财政厅' is also the name of row 3 (省财政厅)`,
      `${file}: row 8, column K (负责人邮箱 / head email): missing e-mail address of the head (单位负责人)`,
      `${file}: row 9, column G (联络员姓名 / officer name): name of the officer (联络员) has a leading or trailing space: " 经信委联络员"`,
      `${file}: row 10, column F (办公厅 / general office): a second general office: row 2 is marked too; mark one`,
      `${plan}:15: tasks 1-60: 各设区市: 宁德市 (a 设区市 of 福建省) is not in the directory`,
      `8 problems in ${file}`,
    ]);
    expect(snapshot(dir)).toEqual(before);
  });

  it('check --json gives each problem’s type and JSON field, and the plan’s tasks naming a missing unit', async () => {
    const json = JSON.parse(readFileSync(path.join(dir, 'filled.json'), 'utf8')) as Directory;
    json.units = json.units.filter((u) => u.name !== '省统计局');
    json.units[4]!.officer.email = 'dsj.officer@fj';
    json.generalOffice = 'fj-nowhere';
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(json));
    const check = await duban(['directory', 'check', file, '--plan', plan, '--json']);
    expect(check.code).toBe(2);
    const result = JSON.parse(check.stdout);
    expect(result).toMatchObject({ file, format: 'json', ok: false, units: 51, generalOffice: 'fj-nowhere' });
    expect(
      result.problems.map((p: { type: string; where: string; tasks?: number[] }) => [p.type, p.where, p.tasks]),
    ).toEqual([
      ['invalid-address', 'units[4].officer.email', undefined],
      ['general-office', 'generalOffice', undefined],
      ['missing-unit', 'task 3', [3]],
    ]);
    expect(result.problems[2].message).toBe(`'省统计局' is not the name or alias of a unit in ${file}`);
  });

  it('a bad contact stops duban start and plan assignments at load, naming the field, before anything runs', async () => {
    const bad = loadDirectory(BUNDLED_DIRECTORY_PATH);
    bad.units[7]!.head.name = '张三\n';
    const file = path.join(dir, 'bad-head.json');
    writeFileSync(file, JSON.stringify(bad));
    const start = await duban(['start'], { DUBAN_DIRECTORY: file, DUBAN_DASHBOARD: '0', DUBAN_EXAMPLE_PLAN: '0' });
    expect(start.code).toBe(2);
    expect(start.output).toContain(
      `${file}: units[7].head.name: name of the head (单位负责人) contains a line break (LF)`,
    );
    expect(existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(false);
    const assignments = await duban(['plan', 'assignments', plan, '--directory', file]);
    expect(assignments.code).toBe(2);
    expect(assignments.output).toContain('units[7].head.name');
  });

  it('convert turns the bundled JSON into XLSX and back, unchanged', async () => {
    const xlsx = path.join(dir, 'bundled.xlsx');
    const back = path.join(dir, 'bundled.json');
    expect((await duban(['directory', 'convert', BUNDLED_DIRECTORY_PATH, '--out', xlsx])).code).toBe(0);
    expect((await duban(['directory', 'convert', xlsx, '--out', back])).code).toBe(0);
    expect(loadDirectory(back)).toEqual(loadDirectory(BUNDLED_DIRECTORY_PATH));
    copyFileSync(path.join(dir, 'broken.xlsx'), path.join(dir, 'broken-copy.xlsx'));
    const refused = await duban([
      'directory',
      'convert',
      path.join(dir, 'broken-copy.xlsx'),
      '--out',
      path.join(dir, 'x.json'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('row 3, column H (联络员邮箱 / officer email)');
    expect(existsSync(path.join(dir, 'x.json'))).toBe(false);
  });
});
