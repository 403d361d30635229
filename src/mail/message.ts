/**
 * Renders the messages officers and leads read: one digest per recipient and instant, Chinese by default,
 * English for contacts with `locale: 'en'`. Pure: all inputs are passed in, including the history.
 */
import { DateTime } from 'luxon';
import { deadlineEndMs } from '../domain/deadlines';
import type { Directory } from '../domain/directory';
import { OBLIGATION_NAMES, ROLE_NAMES, stageName, type Locale } from '../domain/names';
import { unsignedOf } from '../domain/sign-for';
import type { Notice } from '../domain/notice';
import { PLAN_TIMEZONE } from '../domain/plan';
import type { OutboxPayload, Recipient } from '../store/types';

/** An earlier notice of the same obligation, for "who was reminded before". */
export interface PriorNotice {
  stage: string;
  at: string;
  /** Recipients that actually received it. */
  recipients: Pick<Recipient, 'name' | 'role' | 'unitCode'>[];
}

/** One entry of a digest. */
export interface DigestItem {
  payload: OutboxPayload;
  /** The notice's other recipients ("who else was told"). */
  others: Recipient[];
  /** Earlier notices of the same obligation; shown for escalations and breaches. */
  history: PriorNotice[];
}

export interface RenderContext {
  directory: Directory;
  /**
   * The message belongs to a rehearsal (the bundled example replayed in the present): said in the subject and the
   * first line, so nobody takes it for a real notice. (Default: false)
   */
  rehearsal?: boolean;
  /** Base of dashboard links, without trailing slash. */
  publicUrl: string;
  recipient: Pick<Recipient, 'name' | 'locale'>;
  /** The recipient's one-click sign-for (签收) link of a notice, when it asks for one. (Default: no links) */
  signForLink?: (n: Notice) => string | undefined;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** How urgent a stage reads; a digest takes its most severe item's tone. */
type Severity = 'reminder' | 'opened' | 'escalation' | 'breach';
const SEVERITY_ORDER: Severity[] = ['reminder', 'opened', 'escalation', 'breach'];

function severityOf(stage: string): Severity {
  if (stage === 'breach') return 'breach';
  // Dates that cannot be computed need an operator as urgently as a missed deadline.
  if (stage === 'calendar-error') return 'escalation';
  if (stage === 'opened') return 'opened';
  if (stage.startsWith('escalation')) return 'escalation';
  return 'reminder';
}

const SUBJECT_TAGS: Record<Severity | 'undeliverable', Record<Locale, string>> = {
  reminder: { zh: '【督办提醒】', en: '[duban reminder] ' },
  opened: { zh: '【突发事件时限】', en: '[duban incident deadlines] ' },
  escalation: { zh: '【逾期督办】', en: '[duban overdue] ' },
  breach: { zh: '【超时通报】', en: '[duban deadline breached] ' },
  undeliverable: { zh: '【邮件无法投递】', en: '[duban undeliverable] ' },
};

/**
 * Remembers a pure function of a string key: a digest run renders the same due dates and instants for many
 * notices, and luxon parsing dominated the dispatcher's time. Bounded; emptied when full.
 */
function memoized<T>(fn: (key: string) => T, limit = 4096): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= limit) cache.clear();
      value = fn(key);
      cache.set(key, value);
    }
    return value;
  };
}

function formatDate(d: DateTime, locale: Locale): string {
  return locale === 'zh' ? `${d.year}年${d.month}月${d.day}日` : d.setLocale('en-GB').toFormat('d LLL yyyy');
}

/** Formatted instants and due dates per locale, remembered: a digest run formats the same few many times. */
const instantTexts: Record<Locale, (iso: string) => string> = {
  zh: memoized((iso) => instantText(iso, 'zh')),
  en: memoized((iso) => instantText(iso, 'en')),
};
const dueTexts: Record<Locale, (due: string) => string> = {
  zh: memoized((due) => dueText(due, 'zh')),
  en: memoized((due) => dueText(due, 'en')),
};

function instantText(iso: string, locale: Locale): string {
  const d = DateTime.fromISO(iso).setZone(PLAN_TIMEZONE);
  return `${formatDate(d, locale)} ${d.toFormat('HH:mm')}`;
}

function dueText(due: string, locale: Locale): string {
  if (due.includes('T')) return formatInstant(due, locale);
  return formatDate(DateTime.fromISO(due, { zone: PLAN_TIMEZONE }), locale);
}

function formatInstant(iso: string, locale: Locale): string {
  return instantTexts[locale](iso);
}

function formatDue(due: string, locale: Locale): string {
  return dueTexts[locale](due);
}

function formatSpan(ms: number, locale: Locale): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts: string[] =
    days > 0
      ? [
          locale === 'zh' ? `${days}天` : `${days} day${days === 1 ? '' : 's'}`,
          ...(hours ? [locale === 'zh' ? `${hours}小时` : `${hours} h`] : []),
        ]
      : [
          ...(hours ? [locale === 'zh' ? `${hours}小时` : `${hours} h`] : []),
          ...(mins || !hours ? [locale === 'zh' ? `${mins}分钟` : `${mins} min`] : []),
        ];
  return parts.join(locale === 'zh' ? '' : ' ');
}

/** "还剩 9天15小时" / "已逾期 1天9小时", relative to the notice's scheduled instant. */
function timeLeft(notice: Notice, locale: Locale): string {
  const ms = deadlineEndMs(notice.due) - Date.parse(notice.at);
  if (ms >= 0) return locale === 'zh' ? `还剩 ${formatSpan(ms, locale)}` : `${formatSpan(ms, locale)} left`;
  return locale === 'zh' ? `已逾期 ${formatSpan(ms, locale)}` : `overdue by ${formatSpan(ms, locale)}`;
}

function unitName(directory: Directory, code: string): string {
  return directory.units.find((u) => u.code === code)?.name ?? code;
}

function person(r: Pick<Recipient, 'name' | 'role' | 'unitCode'>, ctx: RenderContext, locale: Locale): string {
  const unit = unitName(ctx.directory, r.unitCode);
  return locale === 'zh'
    ? `${r.name}（${unit} ${ROLE_NAMES[r.role].zh}）`
    : `${r.name} (${ROLE_NAMES[r.role].en}, ${unit})`;
}

function taskLabel(n: Notice, locale: Locale): string {
  const name = OBLIGATION_NAMES[n.obligation][locale];
  const period = n.period ? (locale === 'zh' ? `（${n.period}）` : ` (${n.period})`) : '';
  if (n.taskNo === null) return `${name}${period}`;
  const title = n.taskTitle ? ` ${n.taskTitle}` : '';
  return locale === 'zh' ? `任务${n.taskNo}${title} — ${name}${period}` : `Task ${n.taskNo}${title} — ${name}${period}`;
}

/** The CLI line that records fulfilment of this obligation. */
export function fulfilCommand(n: Pick<Notice, 'planId' | 'unitCode' | 'obligation' | 'taskNo' | 'period'>): string {
  // Event-driven windows are addressed by their incident or request id (the notice's period).
  if (n.obligation === 'emergency-information' || n.obligation === 'emergency-press-conference') {
    const step = n.obligation === 'emergency-information' ? 'information' : 'press-conference';
    return `duban emergency done --plan ${n.planId} --id ${n.period ?? '<ID>'} --step ${step} --at <INSTANT> --url <URL>`;
  }
  if (n.obligation === 'information-request') {
    return `duban request reply --plan ${n.planId} --id ${n.period ?? '<ID>'} --at <INSTANT>`;
  }
  return [
    'duban fulfil',
    `--plan ${n.planId}`,
    `--unit ${n.unitCode}`,
    `--obligation ${n.obligation}`,
    ...(n.taskNo !== null ? [`--task ${n.taskNo}`] : []),
    ...(n.period !== null ? [`--period ${n.period}`] : []),
    '--url <URL> | --document <文号>',
  ].join(' ');
}

/** The dashboard page of the notice's unit within its plan. */
export function dashboardLink(publicUrl: string, n: Pick<Notice, 'planId' | 'unitCode'>): string {
  return `${publicUrl}/plans/${encodeURIComponent(n.planId)}/units/${encodeURIComponent(n.unitCode)}`;
}

/** A line of body text, or a labelled field. */
type Line = { label?: string; text: string; href?: string };

interface Section {
  heading: string;
  lines: Line[];
}

function historyLines(history: PriorNotice[], ctx: RenderContext, locale: Locale): string {
  if (history.length === 0) return locale === 'zh' ? '此前没有发送提醒的记录' : 'no earlier notice on record';
  // The most recent few are what the reader needs; the dashboard has the rest.
  return history
    .slice(-6)
    .map(
      (h) =>
        `${formatInstant(h.at, locale)} ${h.recipients.map((r) => person(r, ctx, locale)).join(locale === 'zh' ? '、' : ', ')}`,
    )
    .join(locale === 'zh' ? '；' : '; ');
}

function noticeSection(item: DigestItem, n: Notice, ctx: RenderContext, locale: Locale): Section {
  const zh = locale === 'zh';
  const severity = severityOf(n.stage);
  const unit = unitName(ctx.directory, n.unitCode);
  const due = formatDue(n.due, locale);
  const lines: Line[] = [];
  if (severity === 'escalation' || severity === 'breach') {
    const since = formatInstant(new Date(deadlineEndMs(n.due)).toISOString(), locale);
    lines.push({
      text: zh
        ? `${unit}未在截止时间（${due}${n.due.includes('T') ? '' : '当日'}）前完成${OBLIGATION_NAMES[n.obligation].zh}，自 ${since} 起${timeLeft(n, locale)}。`
        : `${unit} did not complete the ${OBLIGATION_NAMES[n.obligation].en} by ${due}; since ${since} it is ${timeLeft(n, locale)}.`,
    });
  }
  if (n.stage === 'calendar-error') {
    lines.push({
      text: zh
        ? `${unit}的${OBLIGATION_NAMES[n.obligation].zh}的日期无法计算，系统暂停了该事项的提醒和督办，请操作员核实日期或节假日数据。`
        : `The dates of the ${OBLIGATION_NAMES[n.obligation].en} of ${unit} cannot be computed; its reminders and escalations are held until an operator checks the dates or the holiday data.`,
    });
  }
  const unsignedFor = unsignedOf(n.stage);
  if (unsignedFor)
    lines.push({
      text: zh
        ? `${unit}未在规定的工作时间内签收${stageName(unsignedFor)}，请督促签收并按时完成。`
        : `${unit} has not signed for the ${stageName(unsignedFor, 'en')} in the working hours allowed; please see to it.`,
    });
  lines.push({ label: zh ? '责任单位' : 'Unit', text: unit });
  if (n.requirement) lines.push({ label: zh ? '工作要求' : 'What is due', text: n.requirement });
  lines.push({
    label: zh ? '截止时间' : 'Due',
    text: zh ? `${due}（${timeLeft(n, locale)}）` : `${due} (${timeLeft(n, locale)})`,
  });
  if (severity === 'escalation' || severity === 'breach') {
    lines.push({ label: zh ? '此前已提醒' : 'Reminded before', text: historyLines(item.history, ctx, locale) });
  }
  lines.push({
    label: zh ? '同时通知' : 'Also sent to',
    text: item.others.length
      ? item.others.map((r) => person(r, ctx, locale)).join(zh ? '、' : ', ')
      : zh
        ? '无'
        : 'nobody else',
  });
  if (n.provisional?.length) {
    const years = n.provisional.join(zh ? '、' : ', ');
    lines.push({
      label: zh ? '日期说明' : 'Note on dates',
      text: zh
        ? `${years}年节假日安排尚未公布，相关日期暂按周末推算，公布后可能调整。`
        : `The State Council has not yet published the ${years} holidays: these dates count weekends only and may move.`,
    });
  }
  lines.push({ label: zh ? '登记完成' : 'Record fulfilment', text: fulfilCommand(n) });
  const link = dashboardLink(ctx.publicUrl, n);
  lines.push({ label: zh ? '查看详情' : 'Dashboard', text: link, href: link });
  const signFor = ctx.signForLink?.(n);
  if (signFor) lines.push({ label: zh ? '一键签收' : 'Sign for it', text: signFor, href: signFor });
  const tag =
    severity === 'escalation'
      ? zh
        ? '【已逾期】'
        : '[overdue] '
      : severity === 'breach'
        ? zh
          ? '【已超时】'
          : '[breached] '
        : '';
  return { heading: `${tag}${taskLabel(n, locale)}`, lines };
}

function reportSection(item: DigestItem, ctx: RenderContext, locale: Locale): Section {
  if (item.payload.kind !== 'undeliverable-report') throw new Error('not a report');
  const { notice: n, failed, response, skipped, messageRefused } = item.payload.report;
  const zh = locale === 'zh';
  const unit = unitName(ctx.directory, failed.unitCode);
  const who = skipped
    ? zh
      ? `${unit} ${ROLE_NAMES[failed.role].zh}（通讯录中的姓名或邮箱无法用于邮件，未发送）`
      : `${ROLE_NAMES[failed.role].en}, ${unit} (the directory's name or address cannot be used in mail; not sent)`
    : `${person(failed, ctx, locale)} <${failed.address}>`;
  return {
    heading: `${taskLabel(n, locale)}`,
    lines: [
      { label: zh ? '未能送达' : 'Not delivered to', text: who },
      {
        label: skipped || messageRefused ? (zh ? '原因' : 'Reason') : zh ? '服务器答复' : 'Server answer',
        text: response,
      },
      { label: zh ? '通知阶段' : 'Stage', text: `${n.stage}, ${formatInstant(n.at, locale)}` },
      { label: zh ? '截止时间' : 'Due', text: formatDue(n.due, locale) },
      {
        label: zh ? '处理建议' : 'What to do',
        text: messageRefused
          ? zh
            ? '邮件服务器接受了该地址但拒收了邮件（或邮件无法生成），不再重试。请将通知内容另行告知该联系人，并请邮件管理员查明原因。'
            : 'The mail server accepted the address but refused the message (or it could not be composed); it is ' +
              'not retried. Tell the contact another way and ask the mail administrator why.'
          : zh
            ? '请核实该联系人的邮箱并更新单位通讯录，之后的通知将发往新地址。'
            : 'Check the contact and correct the unit directory; later notices go to the new address.',
      },
    ],
  };
}

function summarise(names: string[], locale: Locale): string {
  const distinct = [...new Set(names)];
  const shown = distinct.slice(0, 3).join(locale === 'zh' ? '、' : ', ');
  return distinct.length > 3 ? (locale === 'zh' ? `${shown}等` : `${shown} and more`) : shown;
}

function subjectOf(items: DigestItem[], ctx: RenderContext, locale: Locale): string {
  const zh = locale === 'zh';
  const notices = items.map((i) => (i.payload.kind === 'notice' ? i.payload.notice : i.payload.report.notice));
  const units = summarise(
    notices.map((n) => unitName(ctx.directory, n.unitCode)),
    locale,
  );
  const obligations = summarise(
    notices.map((n) => OBLIGATION_NAMES[n.obligation][locale]),
    locale,
  );
  if (items.every((i) => i.payload.kind === 'undeliverable-report')) {
    return zh
      ? `${SUBJECT_TAGS.undeliverable.zh}${units}的${obligations}通知未能送达`
      : `${SUBJECT_TAGS.undeliverable.en}${obligations} notice for ${units}`;
  }
  const severity = notices
    .map((n) => severityOf(n.stage))
    .reduce((a, b) => (SEVERITY_ORDER.indexOf(b) > SEVERITY_ORDER.indexOf(a) ? b : a));
  const earliest = notices.map((n) => n.due).sort((a, b) => deadlineEndMs(a) - deadlineEndMs(b))[0] ?? '';
  const count = items.length > 1 ? (zh ? `共${items.length}项` : ` (${items.length} items)`) : '';
  const due = formatDue(earliest, locale);
  return zh
    ? `${SUBJECT_TAGS[severity].zh}${units}：${obligations}${count}（${items.length > 1 ? '最早' : ''}截止 ${due}）`
    : `${SUBJECT_TAGS[severity].en}${units}: ${obligations}${count}, ${items.length > 1 ? 'earliest due' : 'due'} ${due}`;
}

function intro(items: DigestItem[], ctx: RenderContext, locale: Locale): string {
  const zh = locale === 'zh';
  const first = items[0]?.payload;
  const at = first ? formatInstant(first.kind === 'notice' ? first.notice.at : first.report.notice.at, locale) : '';
  const reports = items.map((i) => (i.payload.kind === 'undeliverable-report' ? i.payload.report : null));
  if (reports.every((r) => r !== null)) {
    if (reports.every((r) => !r.skipped && !r.messageRefused))
      return zh
        ? '以下通知的收件地址被邮件服务器拒收，通知未能送达：'
        : 'The mail server refused the address of the following notices; they were not delivered:';
    return zh ? '以下通知未能送达收件人：' : 'The following notices did not reach their recipient:';
  }
  const severities = items.map((i) => (i.payload.kind === 'notice' ? severityOf(i.payload.notice.stage) : 'reminder'));
  if (severities.some((s) => s === 'escalation' || s === 'breach')) {
    return zh
      ? `以下 ${items.length} 项工作已超过截止时间仍未登记完成（${at}）：`
      : `${items.length} item(s) below are past their deadline and not recorded as done (${at}):`;
  }
  if (severities.some((s) => s === 'opened')) {
    return zh
      ? `突发事件已报告，以下时限自事件发生时起算（${at}）：`
      : `An incident was reported; the deadlines below run from its occurrence (${at}):`;
  }
  return zh
    ? `以下 ${items.length} 项工作即将到期，请按时完成（${at}）：`
    : `${items.length} item(s) below are coming due (${at}):`;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Renders one digest for one recipient: subject, plain text and HTML. */
export function renderDigest(items: DigestItem[], ctx: RenderContext): RenderedMessage {
  if (items.length === 0) throw new Error('a digest needs at least one item');
  const locale: Locale = ctx.recipient.locale === 'en' ? 'en' : 'zh';
  const zh = locale === 'zh';
  const sections = items.map((item) =>
    item.payload.kind === 'notice'
      ? noticeSection(item, item.payload.notice, ctx, locale)
      : reportSection(item, ctx, locale),
  );
  const greeting = zh ? `${ctx.recipient.name}，您好：` : `Dear ${ctx.recipient.name},`;
  const rehearsal = ctx.rehearsal
    ? zh
      ? '【演练】这是示例计划的演练通知，日期已平移到今天前后，无需办理。'
      : '[rehearsal] This is a rehearsal of the example plan, its dates moved to the present; nothing to do.'
    : '';
  const lead = [rehearsal, intro(items, ctx, locale)].filter(Boolean).join('\n');
  const footer = zh
    ? '此邮件由 duban 督办系统自动发送，请勿直接回复。'
    : 'Sent automatically by duban (督办); please do not reply to this message.';

  const text = [
    greeting,
    '',
    lead,
    '',
    ...sections.flatMap((s, i) => [
      `${i + 1}. ${s.heading}`,
      ...s.lines.map((l) => `   ${l.label ? `${l.label}${zh ? '：' : ': '}` : ''}${l.text}`),
      '',
    ]),
    `-- `,
    footer,
    '',
  ].join('\n');

  const html = [
    '<!doctype html>',
    `<html lang="${zh ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${escapeHtml(subjectOf(items, ctx, locale))}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(lead)}</p>`,
    '<ol>',
    ...sections.map(
      (s) =>
        `<li><strong>${escapeHtml(s.heading)}</strong><table>` +
        s.lines
          .map((l) => {
            const value = l.href
              ? `<a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>`
              : l.label?.match(/登记完成|Record/)
                ? `<code>${escapeHtml(l.text)}</code>`
                : escapeHtml(l.text);
            return l.label
              ? `<tr><th align="left" valign="top">${escapeHtml(l.label)}</th><td>${value}</td></tr>`
              : `<tr><td colspan="2">${value}</td></tr>`;
          })
          .join('') +
        '</table></li>',
    ),
    '</ol>',
    `<p style="color: #666">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');

  const subject = subjectOf(items, ctx, locale);
  return { subject: ctx.rehearsal ? `${zh ? '【演练】' : '[rehearsal] '}${subject}` : subject, text, html };
}
