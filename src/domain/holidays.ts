/**
 * Holiday data: the State Council General Office's yearly notices (国务院办公厅关于20XX年部分节假日安排的通知)
 * and the adjustments issued later in a year. Data only; `calendar.ts` turns it into working days.
 *
 * Kept as TypeScript constants (not JSON read at runtime) because workflow code imports it and must not do I/O.
 *
 * Each arrangement lists the off-day span as announced (inclusive; "与周末连休" spans include the adjoining weekend
 * the notice joins the holiday to) and the make-up working days (调休上班). A notice may name dates in the previous
 * year (the 2019 notice: 2018-12-29 worked, 2018-12-30..2019-01-01 off). Later entries override earlier ones for the
 * same date, which is how adjustment notices (2019 Labour Day, 2020 Spring Festival extension) apply.
 *
 * Sources: the notices' texts as published on www.gov.cn (also in 国务院公报 and Wikisource); checked against several
 * republications. Uncertain facts are marked "unverified" where they occur.
 */
import type { IsoDate } from './plan';

/** One holiday of a notice: the off-day span and the weekend days worked in exchange. */
export interface HolidayArrangement {
  /** The holiday's name as the notice writes it, e.g. `中秋节、国庆节`. */
  readonly name: string;
  /** First and last day off, inclusive. */
  readonly off: readonly [IsoDate, IsoDate];
  /** The total the notice states (`共N天`), when it states one; a data check, not used for computing. */
  readonly days?: number;
  /** Weekend days that are working days (调休上班). */
  readonly workdays: readonly IsoDate[];
}

/** A State Council General Office notice (or an adjustment of one) arranging one year's holidays. */
export interface HolidayNotice {
  /** The year whose holidays the notice arranges. */
  readonly year: number;
  readonly title: string;
  /** Document number (文号). */
  readonly number: string;
  /** Date of the document (成文日期). */
  readonly signedOn: IsoDate;
  /** The number of the notice this one adjusts; its arrangements override the earlier ones date by date. */
  readonly amends?: string;
  readonly arrangements: readonly HolidayArrangement[];
}

/** Every notice the calendar knows, in the order they apply (adjustments after the notice they adjust). */
export const HOLIDAY_NOTICES: readonly HolidayNotice[] = [
  {
    year: 2017,
    title: '国务院办公厅关于2017年部分节假日安排的通知',
    // Wikisource and republications give 〔2016〕17号 (a number 〔2016〕14号 sometimes quoted does not match them).
    number: '国办发明电〔2016〕17号',
    signedOn: '2016-12-01',
    arrangements: [
      // 1月1日放假，1月2日（星期一）补休。
      { name: '元旦', off: ['2017-01-01', '2017-01-02'], workdays: [] },
      { name: '春节', off: ['2017-01-27', '2017-02-02'], days: 7, workdays: ['2017-01-22', '2017-02-04'] },
      { name: '清明节', off: ['2017-04-02', '2017-04-04'], days: 3, workdays: ['2017-04-01'] },
      // 5月1日放假，与周末连休。
      { name: '劳动节', off: ['2017-04-29', '2017-05-01'], workdays: [] },
      { name: '端午节', off: ['2017-05-28', '2017-05-30'], days: 3, workdays: ['2017-05-27'] },
      { name: '中秋节、国庆节', off: ['2017-10-01', '2017-10-08'], days: 8, workdays: ['2017-09-30'] },
    ],
  },
  {
    year: 2018,
    title: '国务院办公厅关于2018年部分节假日安排的通知',
    number: '国办发明电〔2017〕12号',
    signedOn: '2017-11-30',
    arrangements: [
      // 1月1日放假，与周末连休。
      { name: '元旦', off: ['2017-12-30', '2018-01-01'], workdays: [] },
      { name: '春节', off: ['2018-02-15', '2018-02-21'], days: 7, workdays: ['2018-02-11', '2018-02-24'] },
      { name: '清明节', off: ['2018-04-05', '2018-04-07'], days: 3, workdays: ['2018-04-08'] },
      { name: '劳动节', off: ['2018-04-29', '2018-05-01'], days: 3, workdays: ['2018-04-28'] },
      // 6月18日放假，与周末连休。
      { name: '端午节', off: ['2018-06-16', '2018-06-18'], workdays: [] },
      // 9月24日放假，与周末连休。
      { name: '中秋节', off: ['2018-09-22', '2018-09-24'], workdays: [] },
      { name: '国庆节', off: ['2018-10-01', '2018-10-07'], days: 7, workdays: ['2018-09-29', '2018-09-30'] },
    ],
  },
  {
    year: 2019,
    title: '国务院办公厅关于2019年部分节假日安排的通知',
    number: '国办发明电〔2018〕15号',
    // Signed 2018-12-04 per republications; published on www.gov.cn on 2018-12-06.
    signedOn: '2018-12-04',
    arrangements: [
      // 2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。
      { name: '元旦', off: ['2018-12-30', '2019-01-01'], days: 3, workdays: ['2018-12-29'] },
      { name: '春节', off: ['2019-02-04', '2019-02-10'], days: 7, workdays: ['2019-02-02', '2019-02-03'] },
      // 4月5日放假，与周末连休。
      { name: '清明节', off: ['2019-04-05', '2019-04-07'], workdays: [] },
      // 5月1日放假。(Adjusted by 国办发明电〔2019〕3号 below.)
      { name: '劳动节', off: ['2019-05-01', '2019-05-01'], workdays: [] },
      // 6月7日放假，与周末连休。
      { name: '端午节', off: ['2019-06-07', '2019-06-09'], workdays: [] },
      // 9月13日放假，与周末连休。
      { name: '中秋节', off: ['2019-09-13', '2019-09-15'], workdays: [] },
      { name: '国庆节', off: ['2019-10-01', '2019-10-07'], days: 7, workdays: ['2019-09-29', '2019-10-12'] },
    ],
  },
  {
    year: 2019,
    title: '国务院办公厅关于调整2019年劳动节假期安排的通知',
    number: '国办发明电〔2019〕3号',
    signedOn: '2019-03-22',
    amends: '国办发明电〔2018〕15号',
    arrangements: [
      { name: '劳动节', off: ['2019-05-01', '2019-05-04'], days: 4, workdays: ['2019-04-28', '2019-05-05'] },
    ],
  },
  {
    year: 2020,
    title: '国务院办公厅关于2020年部分节假日安排的通知',
    number: '国办发明电〔2019〕16号',
    signedOn: '2019-11-21',
    arrangements: [
      { name: '元旦', off: ['2020-01-01', '2020-01-01'], days: 1, workdays: [] },
      // 2月1日 was to be worked; the extension below made it a day off.
      { name: '春节', off: ['2020-01-24', '2020-01-30'], days: 7, workdays: ['2020-01-19', '2020-02-01'] },
      { name: '清明节', off: ['2020-04-04', '2020-04-06'], days: 3, workdays: [] },
      { name: '劳动节', off: ['2020-05-01', '2020-05-05'], days: 5, workdays: ['2020-04-26', '2020-05-09'] },
      { name: '端午节', off: ['2020-06-25', '2020-06-27'], days: 3, workdays: ['2020-06-28'] },
      { name: '国庆节、中秋节', off: ['2020-10-01', '2020-10-08'], days: 8, workdays: ['2020-09-27', '2020-10-10'] },
    ],
  },
  {
    year: 2020,
    title: '国务院办公厅关于延长2020年春节假期的通知',
    number: '国办发明电〔2020〕1号',
    signedOn: '2020-01-26',
    amends: '国办发明电〔2019〕16号',
    arrangements: [
      // 延长2020年春节假期至2月2日（农历正月初九，星期日），2月3日（星期一）起正常上班。
      { name: '春节', off: ['2020-01-31', '2020-02-02'], workdays: [] },
    ],
  },
  {
    year: 2021,
    title: '国务院办公厅关于2021年部分节假日安排的通知',
    number: '国办发明电〔2020〕27号',
    signedOn: '2020-11-25',
    arrangements: [
      { name: '元旦', off: ['2021-01-01', '2021-01-03'], days: 3, workdays: [] },
      { name: '春节', off: ['2021-02-11', '2021-02-17'], days: 7, workdays: ['2021-02-07', '2021-02-20'] },
      { name: '清明节', off: ['2021-04-03', '2021-04-05'], days: 3, workdays: [] },
      { name: '劳动节', off: ['2021-05-01', '2021-05-05'], days: 5, workdays: ['2021-04-25', '2021-05-08'] },
      { name: '端午节', off: ['2021-06-12', '2021-06-14'], days: 3, workdays: [] },
      { name: '中秋节', off: ['2021-09-19', '2021-09-21'], days: 3, workdays: ['2021-09-18'] },
      { name: '国庆节', off: ['2021-10-01', '2021-10-07'], days: 7, workdays: ['2021-09-26', '2021-10-09'] },
    ],
  },
  {
    year: 2022,
    title: '国务院办公厅关于2022年部分节假日安排的通知',
    number: '国办发明电〔2021〕11号',
    signedOn: '2021-10-25',
    arrangements: [
      { name: '元旦', off: ['2022-01-01', '2022-01-03'], days: 3, workdays: [] },
      { name: '春节', off: ['2022-01-31', '2022-02-06'], days: 7, workdays: ['2022-01-29', '2022-01-30'] },
      { name: '清明节', off: ['2022-04-03', '2022-04-05'], days: 3, workdays: ['2022-04-02'] },
      { name: '劳动节', off: ['2022-04-30', '2022-05-04'], days: 5, workdays: ['2022-04-24', '2022-05-07'] },
      { name: '端午节', off: ['2022-06-03', '2022-06-05'], days: 3, workdays: [] },
      { name: '中秋节', off: ['2022-09-10', '2022-09-12'], days: 3, workdays: [] },
      { name: '国庆节', off: ['2022-10-01', '2022-10-07'], days: 7, workdays: ['2022-10-08', '2022-10-09'] },
    ],
  },
  {
    year: 2023,
    title: '国务院办公厅关于2023年部分节假日安排的通知',
    number: '国办发明电〔2022〕16号',
    signedOn: '2022-12-08',
    arrangements: [
      // 2022年12月31日至2023年1月2日放假调休，共3天。
      { name: '元旦', off: ['2022-12-31', '2023-01-02'], days: 3, workdays: [] },
      { name: '春节', off: ['2023-01-21', '2023-01-27'], days: 7, workdays: ['2023-01-28', '2023-01-29'] },
      { name: '清明节', off: ['2023-04-05', '2023-04-05'], days: 1, workdays: [] },
      { name: '劳动节', off: ['2023-04-29', '2023-05-03'], days: 5, workdays: ['2023-04-23', '2023-05-06'] },
      { name: '端午节', off: ['2023-06-22', '2023-06-24'], days: 3, workdays: ['2023-06-25'] },
      { name: '中秋节、国庆节', off: ['2023-09-29', '2023-10-06'], days: 8, workdays: ['2023-10-07', '2023-10-08'] },
    ],
  },
  {
    year: 2024,
    title: '国务院办公厅关于2024年部分节假日安排的通知',
    number: '国办发明电〔2023〕7号',
    signedOn: '2023-10-25',
    arrangements: [
      // 1月1日放假，与周末连休。
      { name: '元旦', off: ['2023-12-30', '2024-01-01'], workdays: [] },
      { name: '春节', off: ['2024-02-10', '2024-02-17'], days: 8, workdays: ['2024-02-04', '2024-02-18'] },
      { name: '清明节', off: ['2024-04-04', '2024-04-06'], days: 3, workdays: ['2024-04-07'] },
      { name: '劳动节', off: ['2024-05-01', '2024-05-05'], days: 5, workdays: ['2024-04-28', '2024-05-11'] },
      // 6月10日放假，与周末连休。
      { name: '端午节', off: ['2024-06-08', '2024-06-10'], workdays: [] },
      { name: '中秋节', off: ['2024-09-15', '2024-09-17'], days: 3, workdays: ['2024-09-14'] },
      { name: '国庆节', off: ['2024-10-01', '2024-10-07'], days: 7, workdays: ['2024-09-29', '2024-10-12'] },
    ],
  },
  {
    year: 2025,
    title: '国务院办公厅关于2025年部分节假日安排的通知',
    number: '国办发明电〔2024〕12号',
    signedOn: '2024-11-12',
    arrangements: [
      // 1月1日（周三）放假1天，不调休。
      { name: '元旦', off: ['2025-01-01', '2025-01-01'], days: 1, workdays: [] },
      { name: '春节', off: ['2025-01-28', '2025-02-04'], days: 8, workdays: ['2025-01-26', '2025-02-08'] },
      { name: '清明节', off: ['2025-04-04', '2025-04-06'], days: 3, workdays: [] },
      { name: '劳动节', off: ['2025-05-01', '2025-05-05'], days: 5, workdays: ['2025-04-27'] },
      { name: '端午节', off: ['2025-05-31', '2025-06-02'], days: 3, workdays: [] },
      { name: '国庆节、中秋节', off: ['2025-10-01', '2025-10-08'], days: 8, workdays: ['2025-09-28', '2025-10-11'] },
    ],
  },
  {
    year: 2026,
    title: '国务院办公厅关于2026年部分节假日安排的通知',
    // Unverified against www.gov.cn: the number is as several secondary sources quote it; the dates are verified.
    number: '国办发明电〔2025〕7号',
    signedOn: '2025-11-04',
    arrangements: [
      { name: '元旦', off: ['2026-01-01', '2026-01-03'], days: 3, workdays: ['2026-01-04'] },
      { name: '春节', off: ['2026-02-15', '2026-02-23'], days: 9, workdays: ['2026-02-14', '2026-02-28'] },
      { name: '清明节', off: ['2026-04-04', '2026-04-06'], days: 3, workdays: [] },
      { name: '劳动节', off: ['2026-05-01', '2026-05-05'], days: 5, workdays: ['2026-05-09'] },
      { name: '端午节', off: ['2026-06-19', '2026-06-21'], days: 3, workdays: [] },
      { name: '中秋节', off: ['2026-09-25', '2026-09-27'], days: 3, workdays: [] },
      { name: '国庆节', off: ['2026-10-01', '2026-10-07'], days: 7, workdays: ['2026-09-20', '2026-10-10'] },
    ],
  },
];
