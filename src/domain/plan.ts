/**
 * The plan model: what the importer produces from a task breakdown table (任务分解表) and what the
 * workflows run. `duban plan import --json` prints a plan as these types declare it, field by field.
 */

/** A calendar date in the plan's time zone, `YYYY-MM-DD`. */
export type IsoDate = string;

/** Recurring publication cadences: 每周, 按月/每月, 按季度, 每年. */
export type Cadence = 'week' | 'month' | 'quarter' | 'year';

/** Obligations that every unit named in the table owes (from the covering notice). */
export type MilestoneKind =
  | 'implementation-plan' // 实施方案
  | 'quarterly-progress' // 按季度督查
  | 'year-end-report'; // 全年落实情况

/** Duties found in a task row. */
export type DutyKind =
  | 'task-deadline' // 年内 / 2017年底前 / 2018年前
  | 'recurring-publication' // 每周 / 按月 / 按季度 / 每年
  | 'periodic-unspecified' // 定期, cadence left to an operator
  | 'emergency-response' // 突发事件: 5小时 / 24小时 (task 55)
  | 'information-request' // 依申请公开, 法定时限 (task 60)
  | 'ongoing'; // 长期推进 / 持续推进 / 长期坚持 in a 完成时限 column: no date, covered by quarterly progress

/** Every kind of obligation a workflow can carry. */
export type ObligationKind =
  | MilestoneKind
  | 'task-deadline'
  | 'recurring-publication'
  | 'emergency-information'
  | 'emergency-press-conference'
  | 'information-request';

export interface Milestone {
  kind: MilestoneKind;
  /** Due date for one-off milestones. */
  due?: IsoDate;
  /** Cadence for recurring milestones (quarterly inspection). */
  every?: Cadence;
  /** The exact phrase of the notice this was derived from. */
  source: string;
}

export interface EmergencyStep {
  kind: 'emergency-information' | 'emergency-press-conference';
  /** ISO 8601 duration from the incident's occurrence, e.g. `PT5H`. */
  within: string;
  source: string;
}

/**
 * When within each period a recurring duty is due, instead of the period's last day: `{day: 5}` each month's 5th
 * (每月5日前), `{month: 1, day: 10}` the 10th of each quarter's first month (每季度第一个月10日前). A day past the
 * month's end is its last day.
 */
export interface DueIn {
  /** Month of the period, 1 its first; for quarters. (Default: absent, the period's only month) */
  month?: number;
  day: number;
}

export interface Duty {
  kind: DutyKind;
  every?: Cadence;
  /** See {@link DueIn}; only for recurring duties. (Default: absent, due on the period's last day) */
  dueIn?: DueIn;
  due?: IsoDate;
  steps?: EmergencyStep[];
  /** The exact phrase of the row this was derived from. */
  source: string;
}

export interface Task {
  no: number;
  /** Section heading, e.g. `一、以政务公开助力稳增长`. */
  section: string;
  /** Subsection heading, e.g. `（一）加强预期引导`; empty when the section has none. */
  subsection: string;
  /**
   * The 工作任务 a row belongs to when the table breaks tasks down into rows (细化分工): each row is a task and the
   * spanning 工作任务 cell is its group. Absent (and left out of the JSON) for tables without one. (Default: absent)
   */
  group?: string;
  title: string;
  /** Normalised unit or group names (牵头单位). */
  leadUnits: string[];
  /** Normalised unit or group names (责任单位). */
  responsibleUnits: string[];
  /** Task number whose units this row inherits (merged cell), or null. */
  unitsInheritedFrom: number | null;
  requirements: string;
  duties: Duty[];
}

export interface ImportWarning {
  line: number;
  message: string;
}

export interface Plan {
  /** Stable ASCII id, e.g. `fj-2017-zwgk`. */
  id: string;
  title: string;
  issuer: string;
  signedOn: IsoDate;
  publishedOn: IsoDate;
  year: number;
  /** Always `Asia/Shanghai` for now. */
  timezone: string;
  milestones: Milestone[];
  tasks: Task[];
  warnings: ImportWarning[];
}

/** The time zone every instant is computed in. */
export const PLAN_TIMEZONE = 'Asia/Shanghai';
