/**
 * The quarterly bulletin (通报) as a Word document, in the form a general office issues it: title, 主送 line, the
 * figures, the ranking table with a chart of the on-time rate by unit, the overdue items per unit, the units to be
 * criticised (通报批评) and the 落款. The year-end version reports 全年落实情况. Written with the `docx` package
 * (plain WordprocessingML tables, paragraphs and one PNG: Word and WPS read it alike).
 */
import {
  AlignmentType,
  Document,
  ImageRun,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { Directory } from '../domain/directory';
import type { Plan } from '../domain/plan';
import { percent } from '../domain/scoring';
import { chineseRenders, onTimeRateChart, renderSvg, svgToPng, type PngFonts } from './charts';
import {
  averageScore,
  bulletinSubject,
  overdueCells,
  RANKING_COLUMNS,
  rankingRow,
  signForNote,
  type ScoreReport,
} from './score';

/** Options of {@link renderBulletin}. */
export interface BulletinOptions {
  plan: Pick<Plan, 'title' | 'issuer'>;
  /** For the 主送 line. (Default: none: a generic 主送 line) */
  directory?: Directory;
  /** The 主送 line, without the final colon. (Default: from the kinds of units scored, e.g. 各设区市人民政府，省直各有关单位) */
  addressee?: string;
  /** Who issues it, in the 落款. (Default: the plan's issuer) */
  issuer?: string;
  /** Fonts for the chart image. (Default: the system's) */
  fonts?: PngFonts;
}

const FONTS = { title: '方正小标宋简体', heading: '黑体', body: '仿宋_GB2312', table: '宋体' };
/** Half-points: 二号 22 pt, 三号 16 pt, 五号 10.5 pt. */
const SIZES = { title: 44, body: 32, table: 21 };

const run = (text: string, font: string, size: number, bold = false) =>
  new TextRun({ text, bold, size, font: { ascii: font, eastAsia: font, hAnsi: font } });

const body = (text: string, options: { indent?: boolean; align?: 'left' | 'right' | 'center' } = {}) =>
  new Paragraph({
    children: [run(text, FONTS.body, SIZES.body)],
    alignment:
      options.align === 'right' ? AlignmentType.RIGHT : options.align === 'center' ? AlignmentType.CENTER : undefined,
    // Two characters of 三号 (16 pt = 320 twips each).
    indent: options.indent === false ? undefined : { firstLine: 640 },
    spacing: { line: 560, lineRule: 'exact' },
  });

const heading = (text: string) =>
  new Paragraph({
    children: [run(text, FONTS.heading, SIZES.body)],
    indent: { firstLine: 640 },
    spacing: { line: 560, lineRule: 'exact' },
  });

/** The text width of an A4 page with the default margins, in twips. */
const TEXT_WIDTH = 9026;

/** A table across the text width; `weights` share it out among the columns (Default: equally). */
function table(columns: readonly string[], rows: readonly (string | number)[][], weights?: number[]): Table {
  const w = weights ?? columns.map(() => 1);
  const total = w.reduce((a, b) => a + b, 0);
  const widths = w.map((x) => Math.floor((TEXT_WIDTH * x) / total));
  const cell = (value: string | number, i: number, bold = false) =>
    new TableCell({
      width: { size: widths[i]!, type: WidthType.DXA },
      children: [
        new Paragraph({
          alignment: AlignmentType.CENTER,
          children: [run(String(value), FONTS.table, SIZES.table, bold)],
        }),
      ],
    });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    rows: [
      new TableRow({ tableHeader: true, children: columns.map((c, i) => cell(c, i, true)) }),
      ...rows.map((r) => new TableRow({ children: r.map((v, i) => cell(v, i)) })),
    ],
  });
}

/** 关于2017年第三季度政务公开工作主要任务落实情况的通报; the year: …全年落实情况的通报. */
export function bulletinTitle(report: Pick<ScoreReport, 'period' | 'rehearsalPlanTime'>, plan: Pick<Plan, 'title'>) {
  const subject = bulletinSubject(plan);
  const what = report.period.kind === 'year' ? `${subject}全年落实情况` : `${subject}落实情况`;
  return `${report.rehearsalPlanTime ? '【演练】' : ''}关于${report.period.zh}${what}的通报`;
}

/** 主送: the kinds of units scored, as a general office addresses them. */
function defaultAddressee(report: ScoreReport, directory?: Directory): string {
  const kinds = new Set(report.units.map((u) => directory?.units.find((d) => d.code === u.unitCode)?.kind));
  const parts: string[] = [];
  if (kinds.has('city')) parts.push('各设区市人民政府');
  for (const u of report.units) {
    const unit = directory?.units.find((d) => d.code === u.unitCode);
    if (unit?.kind === 'district') parts.push(unit.name);
  }
  if (kinds.has('provincial') || kinds.has('office') || kinds.has('division') || kinds.has(undefined))
    parts.push('省直各有关单位');
  return parts.join('，');
}

/** `2017年10月9日` from an ISO instant's date. */
function chineseDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** The summary paragraph's figures, as the bulletin writes them. */
export function summaryText(report: ScoreReport): string {
  const t = report.totals;
  const c = t.counts;
  const due = c['on-time'] + c.late + c.missed;
  const avg = averageScore(report.units);
  return (
    `${report.period.zh}，${report.units.length}个单位共有${t.items}项事项纳入督查，其中到期应办${due}项` +
    `（免除${c.waived}项、未到期${c.open}项不计），按时完成${c['on-time']}项，逾期完成${c.late}项，` +
    `未完成${c.missed}项，按时完成率${percent(t.onTimeRate)}；批准延期${t.extensions}次。` +
    (avg === null ? '' : `参加考核的${report.units.filter((u) => u.score !== null).length}个单位平均得分${avg}分。`)
  );
}

/** The bulletin of a scoring report as `.docx` bytes. */
export async function renderBulletin(report: ScoreReport, options: BulletinOptions): Promise<Buffer> {
  const fonts = options.fonts ?? {};
  const text = chineseRenders(fonts) ? 'zh' : 'ascii';
  const chart = onTimeRateChart(report.units, text);
  const png = svgToPng(renderSvg(chart), chart.width, fonts);
  // Shown 15 cm wide (567 px at 96 dpi), the height in proportion.
  const shownWidth = 567;
  const shownHeight = Math.round((chart.height / chart.width) * shownWidth);
  const criticised = report.units.filter((u) => u.criticisms.length > 0);
  const overdueRows = report.units.flatMap((u) => u.overdue.map((i) => [u.unitName, ...overdueCells(i)]));
  const issuedOn = chineseDate(report.rehearsalPlanTime ?? report.generatedAt);
  const note = signForNote(report);
  const doc = new Document({
    creator: options.issuer ?? options.plan.issuer,
    title: bulletinTitle(report, options.plan),
    sections: [
      {
        children: [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            spacing: { after: 400 },
            children: [run(bulletinTitle(report, options.plan), FONTS.title, SIZES.title)],
          }),
          body(`${options.addressee ?? defaultAddressee(report, options.directory)}：`, { indent: false }),
          body(
            `根据《${options.plan.title}》，现将${report.period.zh}${bulletinSubject(options.plan)}` +
              `${report.period.kind === 'year' ? '全年' : ''}落实情况通报如下。`,
          ),
          heading('一、总体情况'),
          body(summaryText(report)),
          heading('二、考核排名'),
          body(
            `按照考核办法，按时完成、逾期完成（按逾期工作日递减）、未完成分别计分，批准延期和签收超时相应扣分，` +
              `各单位得分及排名如下${note ? `（${note}）` : ''}。`,
          ),
          // The unit's name gets room for 平潭综合实验区 on one line.
          table(RANKING_COLUMNS, report.units.map(rankingRow), [1, 2.4, 1.3, 1, 1, 1, 1, 1, 1, 1.3, 1, 1]),
          new Paragraph({
            alignment: AlignmentType.CENTER,
            spacing: { before: 200 },
            children: [
              new ImageRun({
                type: 'png',
                data: png,
                transformation: { width: shownWidth, height: shownHeight },
                altText: { name: 'on-time-rate', title: '各单位按时完成率', description: '各单位按时完成率' },
              }),
            ],
          }),
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [run('图1  各单位按时完成率', FONTS.table, SIZES.table)],
          }),
          heading('三、逾期事项'),
          ...(overdueRows.length
            ? [
                body('各单位逾期完成和未完成的事项如下：'),
                table(['单位', '事项', '截止时间', '完成情况'], overdueRows, [2, 4, 2.2, 2.4]),
              ]
            : [body('无逾期事项。')]),
          heading('四、通报批评'),
          ...(criticised.length
            ? [
                body(`对以下${criticised.length}个单位予以通报批评：`),
                ...criticised.map((u) => body(`${u.unitName}：${u.criticisms.join('；')}。`)),
                body('请被通报批评的单位认真查找原因，抓紧整改落实。'),
              ]
            : [body('本期无通报批评单位。')]),
          new Paragraph({ children: [] }),
          body(options.issuer ?? options.plan.issuer, { indent: false, align: 'right' }),
          body(issuedOn, { indent: false, align: 'right' }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
