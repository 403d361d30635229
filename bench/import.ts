/**
 * Import speed. Generates a 500-row Excel task table (title and notice rows above the header, sections, 工作任务
 * merged over 细化分工 rows, lead-and-responsible cells, a mix of 完成时限 phrases), imports it RUNS times with
 * `importPlanFile` and prints min / median / max milliseconds and rows per second, with the time split into reading
 * the workbook (exceljs) and laying the grid out. Then the bundled seed (text layout) for comparison. Not a timed test.
 *
 *   npx tsx bench/import.ts [RUNS] [ROWS]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../src/import/directory';
import { layoutPlan } from '../src/import/layout';
import { importPlanFile } from '../src/import/plan-file';
import { readSource } from '../src/import/readers';
import { parseTaskTable } from '../src/import/table';

const runs = Number(process.argv[2] ?? 10);
const rowCount = Number(process.argv[3] ?? 500);

const DEADLINES = ['2021年6月底前', '长期坚持', '每季度', '上半年', '第三季度', '8月前', '年底前', '持续推进', '每月'];
const UNITS = [
  '市发展改革委牵头，市住建局等配合',
  '市财政局',
  '市教育局、市卫健委',
  '各县（市、区）人民政府负责落实',
  '市政府办公室\n市委网信办',
  '市直各部门',
];

/** A city table of `rows` task rows: a section every 25 rows, each 工作任务 merged over 1–4 细化分工 rows. */
async function generateWorkbook(rows: number): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('任务分解表');
  const lines = [
    '青云市人民政府办公室关于印发2021年青云市政务公开工作任务分解表的通知',
    '发布日期：2021-04-28',
    '各县（市、区）人民政府，市政府各部门：',
    '各地、各部门要于2021年5月31日前制定实施方案报市政府办公室。市政府办公室将按季度督查，全年落实情况于2021年12月10日前书面报市政府办公室。',
    '青云市人民政府办公室',
    '2021年4月26日',
    '2021年青云市政务公开工作任务分解表',
  ];
  let r = 0;
  for (const line of lines) {
    sheet.getCell(++r, 1).value = line;
    sheet.mergeCells(r, 1, r, 6);
  }
  sheet.getRow(++r).values = ['序号', '工作任务', '细化分工', '责任单位', '完成时限', '备注'];
  let written = 0;
  let group = 0;
  while (written < rows) {
    if (group % 8 === 0) {
      sheet.getCell(++r, 1).value = `${'一二三四五六七八九十'[(group / 8) % 10]}、第${group / 8 + 1}组重点工作`;
      sheet.mergeCells(r, 1, r, 6);
    }
    const size = Math.min(1 + (group % 4), rows - written);
    const first = r + 1;
    for (let k = 0; k < size; k++) {
      const n = written + k;
      const row = sheet.getRow(++r);
      row.getCell(1).value = n + 1;
      if (k === 0) row.getCell(2).value = `做好第${group + 1}项重点领域信息公开`;
      row.getCell(3).value = `细化分工${n + 1}：及时公开相关政策文件并做好解读，回应社会关切`;
      row.getCell(4).value = UNITS[n % UNITS.length] ?? '';
      row.getCell(5).value = DEADLINES[n % DEADLINES.length] ?? '';
      if (n % 7 === 0) row.getCell(6).value = '纳入年度考核';
    }
    if (size > 1) sheet.mergeCells(first, 2, r, 2);
    written += size;
    group++;
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function stats(values: number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? 0,
    median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
  };
}

const ms = (value: number) => value.toFixed(1);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'duban-bench-import-'));
  try {
    const file = path.join(dir, 'tasks.xlsx');
    writeFileSync(file, await generateWorkbook(rowCount));
    const first = await importPlanFile(file);
    if (first.plan.tasks.length !== rowCount) {
      throw new Error(`generated ${rowCount} rows but imported ${first.plan.tasks.length} tasks`);
    }
    const bytes = readFileSync(file);
    const total: number[] = [];
    const reading: number[] = [];
    const layout: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await importPlanFile(file);
      total.push(performance.now() - start);
      const t0 = performance.now();
      const document = await readSource(bytes, { file });
      const t1 = performance.now();
      layoutPlan(document, { file });
      layout.push(performance.now() - t1);
      reading.push(t1 - t0);
    }
    const all = stats(total);
    console.log(
      `xlsx, ${rowCount} task rows (${(bytes.length / 1024).toFixed(0)} KiB), ${runs} runs: ` +
        `min ${ms(all.min)} / median ${ms(all.median)} / max ${ms(all.max)} ms per import, ` +
        `${Math.round(rowCount / (all.median / 1000))} rows/s at the median`,
    );
    const read = stats(reading);
    const laid = stats(layout);
    console.log(
      `  of which reading the workbook (exceljs): median ${ms(read.median)} ms (${ms(read.min)}–${ms(read.max)}); ` +
        `layout to a plan: median ${ms(laid.median)} ms (${ms(laid.min)}–${ms(laid.max)})`,
    );

    const seed = readFileSync(path.resolve(__dirname, '../examples/fujian-2017/tasks.txt'), 'utf8');
    const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
    for (let i = 0; i < 20; i++) parseTaskTable(seed, { directory }); // warm-up
    const seedRuns: number[] = [];
    for (let i = 0; i < runs * 10; i++) {
      const start = performance.now();
      parseTaskTable(seed, { directory });
      seedRuns.push(performance.now() - start);
    }
    const s = stats(seedRuns);
    console.log(
      `seed text layout (60 tasks, with directory), ${runs * 10} runs: ` +
        `min ${ms(s.min)} / median ${ms(s.median)} / max ${ms(s.max)} ms per import`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
