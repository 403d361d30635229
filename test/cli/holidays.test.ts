import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { parseHolidayNotice } from '../../src/domain/holiday-notice';
import { holidayCalendarFromStore } from '../../src/holidays/registry';
import { openStore } from '../../src/store';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/holidays');
const dir = mkdtempSync(path.join(tmpdir(), 'duban-holidays-cli-'));
const dataDir = path.join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `bin/duban.js` as a child process with its own data directory (SQLite store). */
function duban(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/duban.js'), ...args],
      { env: { ...process.env, DUBAN_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, out: stdout, err: stderr }),
    );
  });
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const text2025 = readFileSync(path.join(FIXTURES, '2025.txt'), 'utf8');

/** A made-up 2027 notice (not the real one): New Year 01-01..03, Spring Festival 02-06..12, Sunday 01-31 worked. */
const MADE_UP_2027 = [
  '国务院办公厅关于2027年',
  '部分节假日安排的通知',
  '测试〔2026〕1号',
  '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
  '二、春节：2月6日（周六）至12日（周五）放假调休，共7天。1月31日（周日）上班。',
  '国务院办公厅',
  '2026年11月1日',
].join('\n');

describe('duban holidays parse', () => {
  it('prints exactly {year, notice, daysOff, workdays} with --json, the notice by its number', async () => {
    const { code, out, err } = await duban('holidays', 'parse', path.join(FIXTURES, '2025.txt'), '--json');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const parsed = parseHolidayNotice(text2025);
    const expected = {
      year: 2025,
      notice: '国办发明电〔2024〕12号',
      daysOff: parsed.daysOff,
      workdays: parsed.workdays,
    };
    expect(out).toBe(`${JSON.stringify(expected, null, 2)}\n`);
    expect(Object.keys(JSON.parse(out))).toEqual(['year', 'notice', 'daysOff', 'workdays']);
    expect(JSON.parse(out).daysOff).toHaveLength(28);
    expect(JSON.parse(out).workdays).toEqual(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);
  });

  it('prints a readable summary without --json', async () => {
    const { code, out } = await duban('holidays', 'parse', path.join(FIXTURES, '2025.txt'));
    expect(code).toBe(0);
    expect(out.split('\n').slice(0, 3)).toEqual([
      '国务院办公厅关于2025年部分节假日安排的通知',
      '  国办发明电〔2024〕12号, 2024-11-12',
      '  2025: 28 days off, 5 make-up working days (调休上班)',
    ]);
    expect(out).toContain('2025-01-28..2025-02-04 (8 days)');
    expect(out).toContain('working days:  2025-01-26 (周日), 2025-02-08 (周六), 2025-04-27 (周日)');
  });

  it.each<[string, Buffer]>([
    ['GB18030', iconv.encode(text2025, 'gb18030')],
    ['UTF-16LE with a byte-order mark', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text2025, 'utf16le')])],
    ['UTF-16BE without one', iconv.encode(text2025, 'utf16be')],
    ['UTF-8 with a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text2025)])],
  ])('reads a notice saved as %s', async (encoding, bytes) => {
    const file = write(`2025-${encoding.replace(/\W+/g, '-')}.txt`, bytes);
    const { code, out } = await duban('holidays', 'parse', file, '--json');
    expect(code).toBe(0);
    const parsed = parseHolidayNotice(text2025);
    expect(JSON.parse(out)).toEqual({ ...parsed, notice: parsed.notice.number });
  });

  it('refuses a wrong weekday with one line naming file and line, exit 2', async () => {
    const file = write('typo.txt', text2025.replace('1月26日（周日）', '1月26日（周六）'));
    const { code, out, err } = await duban('holidays', 'parse', file, '--json');
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err).toBe(`duban holidays parse: ${file}:8: 1月26日 (2025-01-26) is a 周日, the text says 周六\n`);
  });

  it('refuses bytes that are no text in any encoding it reads, naming the line', async () => {
    const file = write(
      'binary.txt',
      Buffer.concat([Buffer.from('国务院办公厅关于2027年部分节假日安排的通知\n'), Buffer.from([0xff, 0xff])]),
    );
    const { code, err } = await duban('holidays', 'parse', file);
    expect(code).toBe(2);
    expect(err).toBe(
      `duban holidays parse: ${file}:2: not UTF-8, UTF-16 or GB18030 text (a byte sequence that is no character); ` +
        'save the notice as UTF-8 or GB18030 text\n',
    );
  });

  it('refuses a missing file and a missing argument, exit 2', async () => {
    const missing = path.join(dir, 'nope.txt');
    expect(await duban('holidays', 'parse', missing)).toMatchObject({
      code: 2,
      err: `duban holidays parse: ${missing}:1: cannot read the file (ENOENT)\n`,
    });
    expect((await duban('holidays', 'parse')).code).toBe(2);
  });
});

describe('duban holidays add and list', () => {
  it('lists the built-in years and marks 2027 provisional before anything is added', async () => {
    const { code, out } = await duban('holidays', 'list', '--json');
    expect(code).toBe(0);
    const listing = JSON.parse(out);
    expect(listing.years.map((y: { year: number; source: string }) => `${y.year} ${y.source}`)).toEqual(
      [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026].map((y) => `${y} built-in`),
    );
    expect(listing.years[2].adjustments).toEqual([
      { title: '国务院办公厅关于调整2019年劳动节假期安排的通知', number: '国办发明电〔2019〕3号', date: '2019-03-22' },
    ]);
    expect(listing.provisional).toContain(2027);
  });

  it('adds a year, saying which dates changed, and every store reader sees it', async () => {
    const { code, out, err } = await duban('holidays', 'add', write('2027.txt', MADE_UP_2027));
    expect(code).toBe(0);
    // No Temporal server here: stored all the same, and the running workflows get it with `holidays sync`.
    expect(err).toMatch(
      /^duban holidays: cannot reach the Temporal server at 127\.0\.0\.1:\d+ .*`duban holidays sync`\n$/,
    );
    expect(out).toBe(
      [
        '2027: added 国务院办公厅关于2027年部分节假日安排的通知 (测试〔2026〕1号, 2026-11-01); 2027 is no longer provisional',
        '  7 dates changed:',
        '    2027-01-01 (周五): working day → day off',
        '    2027-01-31 (周日): day off → working day',
        '    2027-02-08 (周一): working day → day off',
        '    2027-02-09 (周二): working day → day off',
        '    2027-02-10 (周三): working day → day off',
        '    2027-02-11 (周四): working day → day off',
        '    2027-02-12 (周五): working day → day off',
        '',
      ].join('\n'),
    );
    const store = await openStore({ kind: 'sqlite', file: path.join(dataDir, 'duban.sqlite') });
    try {
      const calendar = await holidayCalendarFromStore(store);
      expect(calendar.isProvisional(2027)).toBe(false);
      expect(calendar.addWorkingDays('2026-12-31', 1)).toBe('2027-01-04');
    } finally {
      await store.close();
    }
  });

  it('lists the added year with its source and moves the provisional mark on', async () => {
    const json = JSON.parse((await duban('holidays', 'list', '--json')).out);
    expect(json.years.at(-1)).toMatchObject({
      year: 2027,
      source: 'added',
      notice: { title: '国务院办公厅关于2027年部分节假日安排的通知', number: '测试〔2026〕1号', date: '2026-11-01' },
      replacesBuiltIn: false,
      daysOff: 10,
      workdays: 1,
    });
    expect(json.provisional).not.toContain(2027);
    expect(json.provisional).toContain(2028);
    const { out } = await duban('holidays', 'list');
    expect(out).toMatch(
      /^ {2}2027 {2}国务院办公厅关于2027年部分节假日安排的通知 \(测试〔2026〕1号, 2026-11-01\) \[added \d{4}-\d{2}-\d{2}\]$/m,
    );
    expect(out).toMatch(/^ {2}2028 {2}provisional: no notice yet, weekends off and no holidays/m);
    expect(out).toContain(
      '  2026  国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 2025-11-04) [built-in]',
    );
  });

  it('replaces a year added earlier with later data for it, listing only what moved', async () => {
    const corrected = MADE_UP_2027.replace('至12日（周五）放假调休，共7天', '至13日（周六）放假调休，共8天').replace(
      '1月31日（周日）上班',
      '2月20日（周六）上班',
    );
    const { code, out } = await duban('holidays', 'add', write('2027-corrected.txt', corrected));
    expect(code).toBe(0);
    expect(out).toBe(
      [
        '2027: added 国务院办公厅关于2027年部分节假日安排的通知 (测试〔2026〕1号, 2026-11-01); replacing the 2027 data added earlier',
        '  2 dates changed:',
        '    2027-01-31 (周日): working day → day off',
        '    2027-02-20 (周六): day off → working day',
        '',
      ].join('\n'),
    );
  });

  it('adds an adjustment to the year’s notice: the 2019 Labour Day adjustment again changes nothing', async () => {
    const { code, out } = await duban('holidays', 'add', path.join(FIXTURES, '2019-labour-day-adjustment.txt'));
    expect(code).toBe(0);
    expect(out).toBe(
      '2019: added the adjustment 国务院办公厅关于调整2019年劳动节假期安排的通知 (国办发明电〔2019〕3号, 2019-03-22) ' +
        'to 国务院办公厅关于2019年部分节假日安排的通知\n  no working day changed\n',
    );
    const json = JSON.parse((await duban('holidays', 'list', '--json')).out);
    expect(json.years.find((y: { year: number }) => y.year === 2019)).toMatchObject({
      source: 'added',
      replacesBuiltIn: true,
    });
  });

  it('refuses an adjustment of a year without a notice, naming the file, and stores nothing', async () => {
    const file = write(
      '2028-adjustment.txt',
      '国务院办公厅关于调整2028年劳动节假期安排的通知\n一、2028年5月1日至3日放假调休，共3天。\n国务院办公厅\n2028年3月1日',
    );
    const { code, err } = await duban('holidays', 'add', file);
    expect(code).toBe(2);
    expect(err).toBe(
      `duban holidays add: ${file}: 国务院办公厅关于调整2028年劳动节假期安排的通知 adjusts 2028, which has no notice yet; ` +
        "add the year's notice first\n",
    );
    const json = JSON.parse((await duban('holidays', 'list', '--json')).out);
    expect(json.years.map((y: { year: number }) => y.year)).not.toContain(2028);
  });

  it('refuses an unreadable notice before touching the store', async () => {
    const file = write('bad-2027.txt', MADE_UP_2027.replace('共3天', '共4天'));
    const { code, err } = await duban('holidays', 'add', file);
    expect(code).toBe(2);
    expect(err).toBe(`duban holidays add: ${file}:4: 1月1日至3日 is 3 days, the text says 共4天\n`);
  });
});
