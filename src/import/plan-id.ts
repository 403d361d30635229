/** Stable ASCII plan ids such as `fj-2017-zwgk`, derived from the issuer's province, the year and the subject. */

/** Provincial-level divisions and their customary pinyin initials (public administrative names). */
const PROVINCES: [string, string][] = [
  ['北京', 'bj'],
  ['天津', 'tj'],
  ['河北', 'heb'],
  ['山西', 'sx'],
  ['内蒙古', 'nmg'],
  ['辽宁', 'ln'],
  ['吉林', 'jl'],
  ['黑龙江', 'hlj'],
  ['上海', 'sh'],
  ['江苏', 'js'],
  ['浙江', 'zj'],
  ['安徽', 'ah'],
  ['福建', 'fj'],
  ['江西', 'jx'],
  ['山东', 'sd'],
  ['河南', 'hen'],
  ['湖北', 'hub'],
  ['湖南', 'hun'],
  ['广东', 'gd'],
  ['广西', 'gx'],
  ['海南', 'hain'],
  ['重庆', 'cq'],
  ['四川', 'sc'],
  ['贵州', 'gz'],
  ['云南', 'yn'],
  ['西藏', 'xz'],
  ['陕西', 'sax'],
  ['甘肃', 'gs'],
  ['青海', 'qh'],
  ['宁夏', 'nx'],
  ['新疆', 'xj'],
];

/** Subjects of yearly task tables and their short codes. */
const SUBJECTS: [RegExp, string][] = [
  [/政务公开/, 'zwgk'],
  [/信息公开/, 'xxgk'],
  [/督查/, 'dc'],
  [/营商环境/, 'yshj'],
];

/** Ids are lower-case ASCII words joined by hyphens, safe in workflow ids and file names. */
export const PLAN_ID_SHAPE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The province named at the start of an issuer (福建省人民政府办公厅 → 福建), or '' when none is. */
export function provinceOf(issuer: string): string {
  return PROVINCES.find(([name]) => issuer.startsWith(name))?.[0] ?? '';
}

/** `fj-2017-zwgk`: province initials (or `plan`), the plan year, the subject code (or `tasks`). */
export function derivePlanId(issuer: string, year: number, title: string): string {
  const province = PROVINCES.find(([name]) => issuer.startsWith(name))?.[1] ?? 'plan';
  const subject = SUBJECTS.find(([pattern]) => pattern.test(title))?.[1] ?? 'tasks';
  return `${province}-${year}-${subject}`;
}
