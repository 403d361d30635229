/**
 * The covering notice of a task table: title, issuer, 发布日期, signing date, plan year, and the deadlines every unit
 * owes (实施方案, 按季度督查, 全年落实情况). Matching runs on the simplified text; sources keep the text as written.
 */
import { type IsoDate, type Milestone, type MilestoneKind } from '../domain/plan';
import { calendarDate } from './dates';
import { toSimplified } from './simplified';
import type { SourceParagraph } from './source';

type Warn = (line: number, message: string) => void;
type Fail = (line: number, reason: string) => never;

/** 发布日期:2017-05-05, 发布时间：2021年3月18日, and the dates a department's 台账 is stamped with. */
const PUBLISHED =
  /(?:发布|印发|填报|制表)(?:日期|时间)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?/;
/** 成文日期：2021年3月12日 (the metadata box of a government site): the signing date. */
const SIGNED_FIELD = /成文(?:日期|时间)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?/;
const DATE_LINE = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const ISSUER_IN_TITLE = /^(.{2,40}?(?:办公厅|办公室|人民政府|委员会))关于/;
/** 发文机关：… or 填报单位：… lines naming who issued the table. */
const ISSUER_FIELD = /(?:发文机关|发文单位|发布机构|填报单位|编制单位)\s*[:：]\s*([^\s:：，,。]{2,40})/;
/** `漳州市生态环境局2021年政务公开工作台账`: a department's own table names it before the year. */
const ISSUER_BEFORE_YEAR = /^(.{2,30}?(?:办公厅|办公室|人民政府|委员会|厅|局|委|办|院|中心))\d{4}年/;
/** Table caption such as `2017年政务公开工作主要任务分解表`. */
export const CAPTION = /^[^。，,：:]{2,60}(?:分解表|任务表|分工表)$/;
/** What a notice's or a table's title looks like, to skip a web page's navigation and `附件1` above it. */
const TITLE_SHAPE = /关于.{2,80}的(?:通知|意见|函)|(?:分解表|任务表|分工表|台账|清单|计划|方案|要点)$/;
const SPACE = /[\s\u3000]+/g;
const MILESTONE_ORDER: MilestoneKind[] = ['implementation-plan', 'quarterly-progress', 'year-end-report'];

/**
 * Facts of a plan given by the caller (`--issuer`, `--year`, `--published-on`): they replace what the notice says,
 * and stand in for a covering notice a published table lacks.
 */
export interface NoticeGiven {
  /** The issuing office, e.g. `青云市人民政府办公室`. (Default: the notice's) */
  issuer?: string;
  /** The plan year. (Default: the title's) */
  year?: number;
  /** The 发布日期, which is also the signing date when the notice has none. (Default: the notice's) */
  publishedOn?: IsoDate;
}

/** The place a bare table's title starts with (`青云市2024年…`, `2024年青云市政务公开…`): its government issued it. */
const PLACE_IN_TITLE =
  /^(?:\d{4}年度?)?((?![全本各])[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|区|县|旗))(?=\d{4}年|人民政府|政府|关于|政务公开|信息公开)/;
/** Municipalities whose government has a 办公厅, as provinces do. */
const MUNICIPALITIES = ['北京市', '天津市', '上海市', '重庆市'];

/** The general office of a place's government: 福建省 → 福建省人民政府办公厅, 青云市 → 青云市人民政府办公室. */
function governmentOfficeOf(place: string): string {
  const hall = /(?:省|自治区)$/.test(place) || MUNICIPALITIES.includes(place);
  return `${place}人民政府${hall ? '办公厅' : '办公室'}`;
}

/** What the notice says about the plan as a whole. */
export interface NoticeFacts {
  title: string;
  /** Normalised to simplified characters: the issuer is a unit name. */
  issuer: string;
  signedOn: IsoDate;
  publishedOn: IsoDate;
  year: number;
  milestones: Milestone[];
}

/** Options of {@link readNotice}. */
export interface NoticeOptions {
  /** The table's caption, whose year counts when the title has none. (Default: a caption among the paragraphs) */
  caption?: string;
  /** Take the first paragraph as the title, as the text layout does, instead of looking for one. (Default: false) */
  firstIsTitle?: boolean;
  /** Line of the table, for the error when there is nothing above it. (Default: 1) */
  tableLine?: number;
  /** What the caller knows that a table without a covering notice does not say (`--issuer`, …). (Default: none) */
  given?: NoticeGiven;
  /** The title when nothing stands above the table, e.g. the file's name. (Default: none: the table is refused) */
  untitled?: string;
  /** Receives warnings (line, message). */
  warn: Warn;
  /** Throws the import error for a line; never returns. */
  fail: Fail;
}

/** Index of the title among the paragraphs: the first one shaped like a title, else the first that is not `附件`. */
function titleIndexOf(texts: string[], firstIsTitle: boolean): number {
  if (firstIsTitle || texts.length === 0) return 0;
  const shaped = texts.slice(0, 40).findIndex((t) => TITLE_SHAPE.test(t));
  if (shaped >= 0) return shaped;
  const notAttachment = texts.findIndex((t) => !/^附件\s*\d*[:：]?$/.test(t));
  return Math.max(notAttachment, 0);
}

/**
 * The issuer as the text layout needs it before the notice is read (its province qualifies unit names): the
 * signature above the signing date, else the `…办公厅关于` of the title. Never throws.
 */
export function guessIssuer(paragraphs: SourceParagraph[]): string | undefined {
  const texts = paragraphs.map((p) => toSimplified(p.text));
  return signatureOf(texts.slice(1)).signature ?? ISSUER_IN_TITLE.exec(texts[0] ?? '')?.[1];
}

/** The last `YYYY年M月D日` line and the short unpunctuated line above it (the issuer's signature). */
function signatureOf(texts: string[]): { signature?: string; dateIndex?: number } {
  let signature: string | undefined;
  let dateIndex: number | undefined;
  texts.forEach((text, i) => {
    if (!DATE_LINE.test(text.replace(SPACE, ''))) return;
    dateIndex = i;
    const previous = texts[i - 1]?.replace(SPACE, '');
    if (previous && !/[。，,；;]/.test(previous) && previous.length <= 40) signature = previous;
  });
  return { signature, dateIndex };
}

/**
 * Reads the notice above a table. Throws through `fail` when there is no title, no issuer, no date at all, or an
 * impossible date; a missing 发布日期 or signing date, or a title naming another issuer than the signature, is a
 * warning.
 */
export function readNotice(paragraphs: SourceParagraph[], options: NoticeOptions): NoticeFacts {
  const { warn, fail } = options;
  const nonEmpty = paragraphs.filter((p) => p.text.trim() !== '');
  const simple = nonEmpty.map((p) => toSimplified(p.text));
  const given = options.given ?? {};
  if (nonEmpty.length === 0 && options.untitled === undefined) {
    fail(options.tableLine ?? 1, 'not a task table: no title or covering notice above the table');
  }
  const titleIndex = titleIndexOf(simple, options.firstIsTitle ?? false);
  const titleParagraph = nonEmpty[titleIndex] ?? { text: options.untitled ?? '', line: options.tableLine ?? 1, at: '' };
  const title = titleParagraph.text;
  const titleLine = titleParagraph.line;
  if (nonEmpty.length === 0) {
    simple.push(toSimplified(title));
    warn(titleLine, `no title or covering notice above the table: the title is '${title}', the file's name`);
  }
  const notice = nonEmpty.slice(titleIndex + 1);
  const noticeSimple = simple.slice(titleIndex + 1);

  // A site's metadata box (发布日期, 成文日期, 发文机关) may stand above the title; the notice's body is below it.
  const dateParagraphs = [...nonEmpty.slice(0, titleIndex), ...notice];
  const dateTexts = [...simple.slice(0, titleIndex), ...noticeSimple];
  let publishedOn: IsoDate | undefined;
  let signedOn: IsoDate | undefined;
  dateTexts.forEach((text, i) => {
    const line = (dateParagraphs[i] as SourceParagraph).line;
    const published = PUBLISHED.exec(text);
    if (published && !publishedOn) {
      publishedOn = validDate(Number(published[1]), Number(published[2]), Number(published[3]), line, fail);
    }
    const dated = i >= titleIndex ? DATE_LINE.exec(text.replace(SPACE, '')) : null;
    if (dated) signedOn = validDate(Number(dated[1]), Number(dated[2]), Number(dated[3]), line, fail);
  });
  if (!signedOn) {
    const index = dateTexts.findIndex((t) => SIGNED_FIELD.test(t));
    const field = SIGNED_FIELD.exec(dateTexts[index] ?? '');
    if (field) {
      const line = dateParagraphs[index]?.line ?? 0;
      signedOn = validDate(Number(field[1]), Number(field[2]), Number(field[3]), line, fail);
    }
  }

  const { signature } = signatureOf(noticeSimple);
  const titleSimple = simple[titleIndex] ?? '';
  const issuerFromTitle = ISSUER_IN_TITLE.exec(titleSimple)?.[1];
  // A department's own 台账 names it in the title; its 填报单位 line names the office that filled it in.
  let issuer =
    given.issuer ??
    signature ??
    issuerFromTitle ??
    ISSUER_BEFORE_YEAR.exec(titleSimple)?.[1] ??
    dateTexts.map((t) => ISSUER_FIELD.exec(t)?.[1]).find((x) => x !== undefined);
  if (!issuer) {
    // A bare table (a title row and the header, as many attachments are published): its place's government.
    const place = PLACE_IN_TITLE.exec(titleSimple)?.[1];
    if (place) {
      issuer = governmentOfficeOf(place);
      warn(
        titleLine,
        `no covering notice names the issuer: '${issuer}' is taken from the title's '${place}' (--issuer sets it)`,
      );
    } else {
      issuer = '';
      warn(
        titleLine,
        'no covering notice names the issuer and the title names no place: the issuer is unknown (--issuer sets it)',
      );
    }
  }
  if (!given.issuer && signature && issuerFromTitle && signature !== issuerFromTitle) {
    warn(titleLine, `the title names '${issuerFromTitle}' but the notice is signed by '${signature}'`);
  }

  const caption = options.caption ?? simple.find((t) => CAPTION.test(t));
  const yearText = /(\d{4})年/.exec(titleSimple)?.[1] ?? /(\d{4})年/.exec(toSimplified(caption ?? ''))?.[1];
  const dated = given.publishedOn ?? signedOn ?? publishedOn;
  const year =
    given.year ??
    (yearText ? Number(yearText) : dated ? Number(dated.slice(0, 4)) : undefined) ??
    fail(titleLine, 'no year in the title and no date above the table (--year sets it)');

  if (given.publishedOn) publishedOn = given.publishedOn;
  if (!publishedOn && !signedOn) {
    publishedOn = `${year}-01-01`;
    warn(
      titleLine,
      `no 发布日期 or signing date above the table: the plan counts from ${publishedOn} (--published-on sets it)`,
    );
  } else if (!publishedOn) warn(titleLine + 1, 'no 发布日期 line: the signing date is used as the publish date');
  else if (!signedOn && !given.publishedOn) {
    warn(titleLine + 1, "no signing date line ('YYYY年M月D日'): the publish date is used");
  }
  const published = (publishedOn ?? signedOn) as IsoDate;
  const signed = (signedOn ?? publishedOn) as IsoDate;

  const milestones = findMilestones(notice, noticeSimple, year, warn, fail);
  if (notice.length === 0) {
    warn(
      titleLine,
      'no covering notice below the title: no implementation-plan or year-end-report dates found; the units owe their tasks’ duties only',
    );
  }
  return { title, issuer, signedOn: signed, publishedOn: published, year, milestones };
}

function validDate(year: number, month: number, day: number, line: number, fail: Fail): IsoDate {
  return calendarDate(year, month, day) ?? fail(line, `impossible date ${year}年${month}月${day}日`);
}

/** Sentences of a line with their offsets: `。；;` end one, and ASCII '.' too, but not inside a number. */
function sentencesOf(line: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  let start = 0;
  for (const m of line.matchAll(/[。；;]|\.(?!\d)/g)) {
    out.push({ start, text: line.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  out.push({ start, text: line.slice(start) });
  return out;
}

/**
 * Deadlines of the covering notice, sentence by sentence: a `M月D日前` date in a sentence about 实施方案/工作安排 is the
 * implementation plan, in a sentence about 全年/年度 落实情况 the year-end report; 按季度督查 is the quarterly check.
 */
function findMilestones(
  notice: SourceParagraph[],
  simple: string[],
  year: number,
  warn: Warn,
  fail: Fail,
): Milestone[] {
  const found = new Map<MilestoneKind, Milestone>();
  const add = (line: number, milestone: Milestone) => {
    if (found.has(milestone.kind)) warn(line, `a second ${milestone.kind} deadline '${milestone.source}' is ignored`);
    else found.set(milestone.kind, milestone);
  };
  simple.forEach((text, i) => {
    const paragraph = notice[i] as SourceParagraph;
    const line = paragraph.line;
    const written = paragraph.text;
    for (const { start, text: sentence } of sentencesOf(text)) {
      const source = (index: number, length: number) => written.slice(start + index, start + index + length);
      for (const m of sentence.matchAll(/(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日前/g)) {
        const phrase = source(m.index, m[0].length);
        const due =
          calendarDate(m[1] ? Number(m[1]) : year, Number(m[2]), Number(m[3])) ??
          fail(line, `impossible date '${phrase}'`);
        // The clause around the date decides first (two deadlines may share a sentence), then the sentence.
        const clause = clauseAround(sentence, m.index);
        const isPlan = (t: string) => /实施方案|工作方案|工作安排|工作计划/.test(t);
        const isReport = (t: string) => /全年|年度|总结/.test(t);
        if (isPlan(clause) || (!isReport(clause) && isPlan(sentence))) {
          add(line, { kind: 'implementation-plan', due, source: phrase });
        } else if (isReport(clause) || isReport(sentence)) {
          add(line, { kind: 'year-end-report', due, source: phrase });
        } else {
          warn(line, `deadline '${phrase}' in the notice is not an implementation plan or a year-end report`);
        }
      }
      const quarterly = /按季度?(?:督查|检查|调度|通报)/.exec(sentence);
      if (quarterly) {
        add(line, {
          kind: 'quarterly-progress',
          every: 'quarter',
          source: source(quarterly.index, quarterly[0].length),
        });
      }
    }
  });
  return MILESTONE_ORDER.flatMap((kind) => found.get(kind) ?? []);
}

/** The comma-delimited clause of a sentence that contains the character at `index`. */
function clauseAround(sentence: string, index: number): string {
  const start = Math.max(sentence.lastIndexOf('，', index), sentence.lastIndexOf(',', index)) + 1;
  const ends = [sentence.indexOf('，', index), sentence.indexOf(',', index)].filter((e) => e >= 0);
  return sentence.slice(start, ends.length > 0 ? Math.min(...ends) : sentence.length);
}
