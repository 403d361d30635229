/** The unit directory: who a unit is, who its officer and head are. Pure data types. */

/**
 * What a unit is: `provincial` a department of the issuing government (省直部门, in 省直各部门 unless `vertical`; in a
 * city's plan its 市直部门, in 市直各部门), `city` a
 * prefecture-level city (设区市, in 各设区市), `district` a county-level unit (县, 区, 县级市, 平潭综合实验区),
 * `office` a general office (办公厅/办公室 of a government, or a department's own 办公室 in its 台账),
 * `division` a division of a department (处室), what a department's own 台账 names; in no group.
 */
export const UNIT_KINDS = ['provincial', 'city', 'district', 'office', 'division'] as const;

/** One of {@link UNIT_KINDS}. */
export type UnitKind = (typeof UNIT_KINDS)[number];

/** A person who receives notices: a unit's 联络员 or 单位负责人. */
export interface Contact {
  name: string;
  email: string;
  /** Language of the messages this person receives. (Default: 'zh') */
  locale?: 'zh' | 'en';
  /** Mobile number for the `sms` channel, digits with an optional leading `+`. (Default: none, no SMS) */
  mobile?: string;
}

/**
 * Where a secret comes from: `env:NAME` (an environment variable) or `file:NAME` (a key of the JSON secrets file named
 * by DUBAN_SECRETS_FILE). The directory holds only the reference, never the secret.
 */
export type SecretRef = `env:${string}` | `file:${string}`;

/** A group robot or webhook a unit receives notices through; its URL is a credential, so both are references. */
export interface RobotEndpoint {
  /** The robot's webhook URL (it embeds the access token or key). */
  url: SecretRef;
  /** The signing secret (DingTalk 加签, Feishu 签名校验, the generic webhook's HMAC key). (Default: none, unsigned) */
  secret?: SecretRef;
}

/** The IM channels a unit's group is reached on (a unit's robot), besides its contacts' mail and mobiles. */
export interface UnitChannels {
  dingtalk?: RobotEndpoint;
  feishu?: RobotEndpoint;
  wecom?: RobotEndpoint;
  webhook?: RobotEndpoint;
}

/** One unit a table can name (a department, a city, a district, a 处室). */
export interface Unit {
  /** Stable ASCII code, used in workflow IDs, e.g. `fj-czt`. */
  code: string;
  /** Official name as the table writes it, e.g. `省财政厅`. */
  name: string;
  kind: UnitKind;
  /** Other names the table may use, e.g. `省审改办`. */
  aliases: string[];
  /** 联络员: receives reminders. */
  officer: Contact;
  /** 单位负责人: receives the first escalation. */
  head: Contact;
  /**
   * 中央驻闽垂直管理单位 (人行, 证监局, 银监局, 国税局 …): named individually by a table, never part of 省直各部门.
   * (Default: false)
   */
  vertical?: boolean;
  /** The unit's group robots and webhook (see docs/channels.md). (Default: none, mail only) */
  channels?: UnitChannels;
}

/** The unit directory: every unit, and which of them is the general office. */
export interface Directory {
  /** Code of the general office (省政府办公厅), top of every escalation. */
  generalOffice: string;
  units: Unit[];
}

/** Unit groups the tables name instead of units. */
export const UNIT_GROUPS = {
  allProvincial: '省直各部门',
  relevantProvincial: '省直有关部门',
  allCities: '各设区市',
} as const;

/**
 * What a group a table names stands for: `all-departments` every department of the issuing government (省直各部门,
 * and 市直各部门, 区直各单位 … in a city's or district's plan: the units of kind provincial that are not vertical),
 * `relevant-departments` those an operator designates per task (省直有关部门, 市直有关部门 …), `all-cities` the
 * 设区市 (各设区市), `other` a group duban does not expand (各县（市、区）, 各处室 …): its members are listed as units.
 */
export type UnitGroupKind = 'all-departments' | 'relevant-departments' | 'all-cities' | 'other';

/** Groups spelled out in full besides the 直 forms: 各设区市, 各县（市、区）, 各部门, 各处室 of a 台账 … */
const OTHER_GROUP =
  /^(?:[局厅委]?机关)?各(?:市|县|区|县（市、区）(?:人民)?(?:政府)?|地|部门|有关部门|单位|有关单位|处室|科室|直属单位|有关处室|街道(?:办事处)?|乡镇（街道）|乡镇|镇街)$/;

/** The kind of group a name is (see {@link UnitGroupKind}), or undefined for a unit's name. */
export function unitGroupOf(name: string): UnitGroupKind | undefined {
  if (name === UNIT_GROUPS.allCities) return 'all-cities';
  if (/^[省市区县]直各(?:部门|单位)$/.test(name)) return 'all-departments';
  if (/^[省市区县]直有关(?:部门|单位)$/.test(name)) return 'relevant-departments';
  return OTHER_GROUP.test(name) ? 'other' : undefined;
}

/** 牵头单位 (lead) or 责任单位 (responsible). */
export type AssignmentRole = 'lead' | 'responsible';

/** One concrete (task, unit, role) pair after groups are expanded. */
export interface Assignment {
  taskNo: number;
  unitCode: string;
  role: AssignmentRole;
}

/** A unit by code, official name or alias (full-width or ASCII brackets alike); undefined when none matches. */
export function findUnit(directory: Directory, nameOrCode: string): Unit | undefined {
  const wanted = nameOrCode.trim().replace(/\(/g, '（').replace(/\)/g, '）');
  return directory.units.find(
    (u) =>
      u.code === wanted ||
      u.name.replace(/\(/g, '（').replace(/\)/g, '）') === wanted ||
      u.aliases.some((a) => a.replace(/\(/g, '（').replace(/\)/g, '）') === wanted),
  );
}

/** Up to three unit names close to `nameOrCode` (one contains the other), for "did you mean" hints. */
export function nearUnitNames(directory: Directory, nameOrCode: string): string[] {
  const wanted = nameOrCode.trim();
  if (wanted === '') return [];
  return directory.units
    .filter((u) => u.name.includes(wanted) || wanted.includes(u.name))
    .map((u) => u.name)
    .slice(0, 3);
}
