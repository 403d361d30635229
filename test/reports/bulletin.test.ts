/**
 * The 通报 and the scores of a simulated 2017 (the small seed plan with its scenario and the windows' incidents and
 * requests, on the time-skipping server): the Word document is read back with the importer's DOCX reader and its
 * tables must carry the year-end and quarterly reports' figures, unit by unit.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { readDocxDocument } from '../../src/import/readers/docx';
import type { SourceDocument } from '../../src/import/source';
import { renderBulletin } from '../../src/reports/bulletin';
import { quarterlyReport, yearEndReport, type Report } from '../../src/reports/report';
import { RANKING_COLUMNS, scoreReport, storeSources, type ScoreReport } from '../../src/reports/score';
import { openStore, type Store } from '../../src/store';
import { SMALL_SEED_SCENARIO, smallSeedPlan, WINDOWS_SCENARIO } from '../fixtures/small-seed';
import { runCli } from '../import/run-cli';
import { simulateInTempDir } from '../helpers/simulation';

jest.setTimeout(600_000);

const { plan, directory } = smallSeedPlan();

async function readBack(docx: Buffer): Promise<{ doc: SourceDocument; zip: JSZip }> {
  const zip = await JSZip.loadAsync(docx);
  return { doc: await readDocxDocument(zip, 'bulletin.docx'), zip };
}

const tablesOf = (doc: SourceDocument) =>
  doc.blocks.flatMap((b) => (b.kind === 'table' ? [b.table.rows.map((r) => r.cells.map((c) => c.text))] : []));
const paragraphsOf = (doc: SourceDocument) =>
  doc.blocks.flatMap((b) => (b.kind === 'paragraph' && b.paragraph.text ? [b.paragraph.text] : []));

/** The report's 按单位 rows by unit name: 事项, the five statuses and 按时率. */
function reportFigures(report: Report): Map<string, string[]> {
  const table = report.tables.find((t) => t.title === '按单位')!;
  const at = (name: string) => table.columns.indexOf(name);
  const cols = ['事项', '按时完成', '逾期完成', '未完成', '免除', '未到期', '按时率'].map(at);
  return new Map(
    table.rows.filter((r) => r[0] !== '合计').map((r) => [String(r[0]), cols.map((c) => String(r[c]))] as const),
  );
}

/** The bulletin's ranking rows by unit name, the same columns. */
function bulletinFigures(ranking: string[][]): Map<string, string[]> {
  const [header, ...rows] = ranking;
  const at = (name: string) => header!.indexOf(name);
  const cols = ['事项', '按时完成', '逾期完成', '未完成', '免除', '未到期', '按时率'].map(at);
  return new Map(rows.map((r) => [r[at('单位')]!, cols.map((c) => r[c]!)] as const));
}

describe('the bulletin of a simulated 2017', () => {
  let dir: string;
  let store: Store;
  let cleanup: () => void = () => undefined;

  beforeAll(async () => {
    ({ dir, cleanup } = await simulateInTempDir({
      plan,
      directory,
      scenario: { events: [...SMALL_SEED_SCENARIO.events, ...WINDOWS_SCENARIO.events] },
    }));
    store = await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
  });
  afterAll(async () => {
    await store?.close();
    cleanup();
  });

  const scores = (period: { year: true } | { quarter: string }): Promise<ScoreReport> =>
    scoreReport({ sources: storeSources(store), planId: plan.id, plan, directory, period, nowMs: 0 });

  it("the year-end bulletin's ranking table has the year-end report's figures for every unit", async () => {
    const yearEnd = reportFigures(await yearEndReport({ store, planId: plan.id, plan, directory, nowMs: 0 }));
    const report = await scores({ year: true });
    const { doc, zip } = await readBack(await renderBulletin(report, { plan, directory }));
    const [ranking] = tablesOf(doc);
    expect(ranking![0]).toEqual([...RANKING_COLUMNS]);
    expect(bulletinFigures(ranking!)).toEqual(yearEnd);
    expect(yearEnd.size).toBeGreaterThanOrEqual(5);

    const text = paragraphsOf(doc);
    expect(text[0]).toBe('关于2017年政务公开工作主要任务全年落实情况的通报');
    expect(text[1]).toBe('各设区市人民政府，省直各有关单位：');
    expect(text.slice(-2)).toEqual([plan.issuer, '1970年1月1日']);
    // The chart is in the document as a PNG.
    const media = Object.keys(zip.files).filter((f) => f.startsWith('word/media/') && !zip.files[f]!.dir);
    expect(media).toHaveLength(1);
    expect((await zip.file(media[0]!)!.async('nodebuffer')).subarray(1, 4).toString()).toBe('PNG');
  });

  it("the summary paragraph's figures are the year-end report's totals", async () => {
    const yearEnd = await yearEndReport({ store, planId: plan.id, plan, directory, nowMs: 0 });
    const total = yearEnd.tables[0]!.rows.find((r) => r[0] === '合计')!;
    const col = (name: string) => total[yearEnd.tables[0]!.columns.indexOf(name)];
    const { doc } = await readBack(await renderBulletin(await scores({ year: true }), { plan, directory }));
    const summary = paragraphsOf(doc).find((p) => p.includes('纳入督查'))!;
    expect(summary).toContain(`共有${col('事项')}项事项纳入督查`);
    expect(summary).toContain(`免除${col('免除')}项、未到期${col('未到期')}项不计`);
    expect(summary).toContain(`按时完成${col('按时完成')}项，逾期完成${col('逾期完成')}项，未完成${col('未完成')}项`);
    expect(summary).toContain(`按时完成率${col('按时率')}`);
    expect(summary).toContain(`批准延期${col('延期')}次`);
  });

  it("lists every late and missed item of the year-end report's per unit among the overdue items", async () => {
    const yearEnd = reportFigures(await yearEndReport({ store, planId: plan.id, plan, directory, nowMs: 0 }));
    const { doc } = await readBack(await renderBulletin(await scores({ year: true }), { plan, directory }));
    const overdue = tablesOf(doc)[1]!;
    expect(overdue[0]).toEqual(['单位', '事项', '截止时间', '完成情况']);
    const perUnit = new Map<string, number>();
    for (const [unit] of overdue.slice(1)) perUnit.set(unit!, (perUnit.get(unit!) ?? 0) + 1);
    for (const [unit, figures] of yearEnd) {
      const [, , late, missed] = figures;
      expect([unit, perUnit.get(unit) ?? 0]).toEqual([unit, Number(late) + Number(missed)]);
    }
    // 厦门市 handed in its implementation plan on 06-05: 05-31, 06-01, 06-02, 06-05 (05-29/30: Dragon Boat Festival).
    expect(overdue).toContainEqual(['厦门市', '实施方案', '2017-05-27', '逾期4个工作日完成']);
    // Its information on the typhoon came at 12:30, 90 minutes past the 5 hours from 06:00.
    expect(overdue).toContainEqual([
      '厦门市',
      '任务55 突发事件权威信息发布 typhoon-0912',
      '2017-09-12 11:00',
      '超时90分钟完成',
    ]);
  });

  it("the third-quarter bulletin has the quarterly report's figures, and criticises the breached windows", async () => {
    const q3 = reportFigures(await quarterlyReport({ store, planId: plan.id, plan, directory, quarter: '2017-Q3' }));
    const report = await scores({ quarter: '2017-Q3' });
    const { doc } = await readBack(await renderBulletin(report, { plan, directory }));
    expect(paragraphsOf(doc)[0]).toBe('关于2017年第三季度政务公开工作主要任务落实情况的通报');
    expect(bulletinFigures(tablesOf(doc)[0]!)).toEqual(q3);
    // 福州市 never held its press conference; 厦门市 published its information after the 5 hours.
    const criticised = paragraphsOf(doc).filter((p) => p.includes('突发事件处置超出时限'));
    expect(criticised).toEqual(
      expect.arrayContaining([expect.stringMatching(/^福州市：/), expect.stringMatching(/^厦门市：/)]),
    );
    for (const u of report.units)
      expect(u.criticisms.length > 0).toBe(
        (u.score !== null && u.score < 60) || u.overdue.some((i) => i.outcome.obligation.startsWith('emergency-')),
      );
  });

  it('`duban report score --json` and `report bulletin --year-end` read the same store', async () => {
    const env = { DUBAN_DATA_DIR: dir, DATABASE_URL: '' };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const out = path.join(dir, '通报.docx');
      const written = await runCli('report', 'bulletin', '--year-end', '--out', out);
      expect(written).toMatchObject({ code: 0 });
      const fromCli = await readBack(readFileSync(out));
      const direct = await readBack(await renderBulletin(await scores({ year: true }), { plan, directory }));
      expect(tablesOf(fromCli.doc)).toEqual(tablesOf(direct.doc));

      const stdout: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        stdout.push(String(chunk));
        return true;
      });
      const printed = async (...argv: string[]) => {
        stdout.length = 0;
        expect(await runCli(...argv)).toMatchObject({ code: 0 });
        return stdout.join('');
      };
      let md: string;
      let jsonText: string;
      try {
        jsonText = await printed('report', 'score', '--quarter', '2017-Q3', '--json');
        md = await printed('report', 'score', '--quarter', '2017-Q3');
      } finally {
        write.mockRestore();
      }
      expect(md).toContain('- 说明: 暂无签收记录，签收超时按0计');
      expect(md).toMatch(/^## 排名$/m);
      expect(md).toMatch(/^\| 1 \| 厦门市 \| 60 \| 16 \| 1 \| 1 \| 14 \| 0 \| 0 \| 6\.3% \| 0 \| 0 \| fj-xiamen \|$/m);
      const json = JSON.parse(jsonText) as {
        units: { unitCode: string; rank: number; score: number }[];
      };
      const q3 = await scores({ quarter: '2017-Q3' });
      expect(json.units.map((u) => [u.unitCode, u.rank, u.score])).toEqual(
        q3.units.map((u) => [u.unitCode, u.rank, u.score]),
      );
    } finally {
      process.env = saved;
    }
  });
});
