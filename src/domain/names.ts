/**
 * The official names of duban's things, in Chinese and English: obligation kinds, stages of notices, states of
 * items, incident steps, traffic lights, recipient roles and timeline entries. Mail, reports, calendar feeds, pages
 * and the CLI all name them from here.
 */
import type { Light } from './lights';
import type { ItemState, RecipientRole, Stage, TimelineEntryType } from './notice';
import type { ObligationKind } from './plan';

/** The languages messages and pages are written in. */
export type Locale = 'zh' | 'en';

/** Obligation kinds, as the notices and tables write them. */
export const OBLIGATION_NAMES: Record<ObligationKind, Record<Locale, string>> = {
  'implementation-plan': { zh: '实施方案', en: 'implementation plan' },
  'quarterly-progress': { zh: '季度落实情况', en: 'quarterly progress report' },
  'year-end-report': { zh: '全年落实情况', en: 'year-end report' },
  'task-deadline': { zh: '任务时限', en: 'task deadline' },
  'recurring-publication': { zh: '定期公开', en: 'periodic publication' },
  'emergency-information': { zh: '突发事件权威信息发布', en: 'authoritative information on an incident' },
  'emergency-press-conference': { zh: '突发事件新闻发布会', en: 'press conference on an incident' },
  'information-request': { zh: '依申请公开答复', en: 'reply to an information request' },
};

/** Every obligation kind, in the order of {@link OBLIGATION_NAMES}. */
export const OBLIGATION_KINDS = Object.keys(OBLIGATION_NAMES) as ObligationKind[];

/** Who a notice goes to. */
export const ROLE_NAMES: Record<RecipientRole, Record<Locale, string>> = {
  officer: { zh: '联络员', en: 'liaison officer' },
  head: { zh: '单位负责人', en: 'head of unit' },
  'lead-units': { zh: '牵头单位负责人', en: 'head of a lead unit' },
  'general-office': { zh: '省政府办公厅', en: 'general office' },
};

/** States of an obligation item, an incident step or an information request. */
export const STATE_NAMES: Record<ItemState, Record<Locale, string>> = {
  pending: { zh: '进行中', en: 'pending' },
  overdue: { zh: '已逾期（催办中）', en: 'overdue' },
  missed: { zh: '未完成', en: 'missed' },
  'on-time': { zh: '按时完成', en: 'on time' },
  late: { zh: '逾期完成', en: 'late' },
  waived: { zh: '已豁免', en: 'waived' },
  open: { zh: '未结', en: 'open' },
  paused: { zh: '暂停计时', en: 'paused' },
};

/** An incident's two steps (task 55), as the emergency workflow names them. */
type IncidentStep = 'information' | 'press-conference';

/** An incident's steps with their windows under the default policy, as page headings and forms name them. */
export const STEP_NAMES: Record<string, string> = {
  information: '权威信息发布（5小时内）',
  'press-conference': '新闻发布会（24小时内）',
} satisfies Record<IncidentStep, string>;

/** An incident's steps, short, as timelines label them. */
export const SHORT_STEP_NAMES: Record<string, string> = {
  information: '权威信息发布',
  'press-conference': '新闻发布会',
} satisfies Record<IncidentStep, string>;

/** 绿/黄/红 as words, for people who cannot tell the colours apart. */
export const LIGHT_NAMES: Record<Light, Record<Locale, string>> = {
  green: { zh: '正常', en: 'on track' },
  yellow: { zh: '临近截止', en: 'due soon' },
  red: { zh: '逾期', en: 'overdue' },
};

/** What a timeline entry records. */
export const TIMELINE_NAMES: Record<TimelineEntryType, Record<Locale, string>> = {
  // Queued in the outbox: whether it was sent is the outbox's to say (pages join it in).
  notice: { zh: '通知已排队', en: 'notice queued' },
  'notice-failed': { zh: '通知失败', en: 'notice failed' },
  fulfilment: { zh: '登记完成', en: 'fulfilled' },
  extension: { zh: '批准延期', en: 'extended' },
  waiver: { zh: '豁免', en: 'waived' },
  missed: { zh: '未完成', en: 'missed' },
  closed: { zh: '结束', en: 'closed' },
  done: { zh: '登记完成', en: 'done' },
  breached: { zh: '超时', en: 'breached' },
  pause: { zh: '暂停计时', en: 'clock paused' },
  resume: { zh: '恢复计时', en: 'clock resumed' },
  correction: { zh: '申请补正', en: 'request corrected' },
  reply: { zh: '已答复', en: 'replied' },
  calendar: { zh: '节假日安排更新', en: 'calendar updated' },
  'calendar-error': { zh: '日期无法计算', en: 'dates not computable' },
  'sign-for': { zh: '已签收', en: 'signed for' },
};

/**
 * A stage's name: `reminder-5` 截止前5个工作日提醒, `reminder-0` 截止当日提醒, `reminder-2h` 截止前2小时提醒,
 * `escalation-2` 第2次督办, `opened` 时限告知, `breach` 超时通报.
 */
export function stageName(stage: Stage | string, locale: Locale = 'zh'): string {
  const zh = locale === 'zh';
  if (stage === 'opened') return zh ? '时限告知' : 'deadlines opened';
  if (stage === 'breach') return zh ? '超时通报' : 'deadline breached';
  if (stage === 'calendar-error') return zh ? '日期无法计算' : 'dates not computable';
  if (stage.startsWith('unsigned-')) {
    const of = stageName(stage.slice('unsigned-'.length), locale);
    return zh ? `${of}未签收督办` : `${of} not signed for`;
  }
  let m = /^reminder-(\d+)h$/.exec(stage);
  if (m) return zh ? `截止前${m[1]}小时提醒` : `reminder ${m[1]} h before`;
  m = /^reminder-(\d+)$/.exec(stage);
  if (m)
    return m[1] === '0'
      ? zh
        ? '截止当日提醒'
        : 'reminder on the due date'
      : zh
        ? `截止前${m[1]}个工作日提醒`
        : `reminder ${m[1]} working days before`;
  m = /^escalation-(\d+)$/.exec(stage);
  if (m) return zh ? `第${m[1]}次督办` : `escalation ${m[1]}`;
  return stage;
}
