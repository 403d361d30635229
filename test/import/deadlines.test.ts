import { recurringItems } from '../../src/domain/obligations';
import { DutyDateError, findDeadlineDuties, findDuties } from '../../src/import/duties';
import { toSimplified } from '../../src/import/simplified';

/** The duties of a 完成时限 cell in a 2021 plan, as [kind, due or cadence, source]. */
function cell(text: string): (string | null)[][] {
  return findDeadlineDuties(text, 2021).duties.map((d) => [d.kind, d.due ?? d.every ?? null, d.source]);
}

describe('a 完成时限 cell', () => {
  const cases: [string, (string | null)[][]][] = [
    ['2021年6月底前', [['task-deadline', '2021-06-30', '2021年6月底前']]],
    ['6月底前', [['task-deadline', '2021-06-30', '6月底前']]],
    ['年底前', [['task-deadline', '2021-12-31', '年底前']]],
    ['8月前', [['task-deadline', '2021-07-31', '8月前']]],
    ['2022年1月前', [['task-deadline', '2021-12-31', '2022年1月前']]],
    ['上半年', [['task-deadline', '2021-06-30', '上半年']]],
    ['下半年', [['task-deadline', '2021-12-31', '下半年']]],
    ['2022年上半年', [['task-deadline', '2022-06-30', '2022年上半年']]],
    ['第三季度', [['task-deadline', '2021-09-30', '第三季度']]],
    ['一季度末', [['task-deadline', '2021-03-31', '一季度末']]],
    ['2021年6月30日', [['task-deadline', '2021-06-30', '2021年6月30日']]],
    ['2021-06-30', [['task-deadline', '2021-06-30', '2021-06-30']]],
    ['2021.9.15前', [['task-deadline', '2021-09-15', '2021.9.15前']]],
    ['6月中旬', [['task-deadline', '2021-06-20', '6月中旬']]],
    ['11月', [['task-deadline', '2021-11-30', '11月']]],
    ['2021年', [['task-deadline', '2021-12-31', '2021年']]],
    ['每季度', [['recurring-publication', 'quarter', '每季度']]],
    ['每月', [['recurring-publication', 'month', '每月']]],
    ['每周', [['recurring-publication', 'week', '每周']]],
    ['定期', [['periodic-unspecified', null, '定期']]],
    ['长期推进', [['ongoing', null, '长期推进']]],
    ['持续推进', [['ongoing', null, '持续推进']]],
    ['长期坚持', [['ongoing', null, '长期坚持']]],
    [
      '2021年2月公布预算信息，2021年8月公布上年度决算信息',
      [
        ['task-deadline', '2021-02-28', '2021年2月公布预算信息'],
        ['task-deadline', '2021-08-31', '2021年8月公布上年度决算信息'],
      ],
    ],
    [
      '长期坚持，2021年底前完成平台建设',
      [
        ['ongoing', null, '长期坚持'],
        ['task-deadline', '2021-12-31', '2021年底前'],
      ],
    ],
  ];
  it.each(cases)('reads %s', (text, expected) => {
    expect(cell(text)).toEqual(expected);
    expect(findDeadlineDuties(text, 2021).unread).toEqual([]);
  });

  it('names a phrase that names a time but is not understood, and ignores words that name none', () => {
    expect(findDeadlineDuties('汛期前', 2021)).toEqual({ duties: [], unread: ['汛期前'] });
    expect(findDeadlineDuties('适时；2021年6月底前', 2021).unread).toEqual(['适时']);
    expect(findDeadlineDuties('根据上级部署', 2021)).toEqual({ duties: [], unread: [] });
  });

  it('refuses an impossible date with its phrase', () => {
    expect(() => findDeadlineDuties('2021年2月30日', 2021)).toThrow(
      new DutyDateError("impossible date '2021年2月30日'"),
    );
  });

  it('matches the simplified form and cuts the phrase from the text as written (繁體)', () => {
    const written = '長期堅持，2021年6月底前完成專欄改版';
    const { duties } = findDeadlineDuties(toSimplified(written), 2021, written);
    expect(duties).toEqual([
      { kind: 'ongoing', source: '長期堅持' },
      { kind: 'task-deadline', due: '2021-06-30', source: '2021年6月底前' },
    ]);
  });
});

describe("a row's own text (title and requirements)", () => {
  const row = (text: string) => findDuties(text, 2021).map((d) => [d.kind, d.due ?? d.every ?? null, d.source]);

  it('reads 8月前, half-years and quarters with a marker of completion', () => {
    expect(row('8月前完成目录编制')).toEqual([['task-deadline', '2021-07-31', '8月前']]);
    expect(row('上半年完成平台建设')).toEqual([['task-deadline', '2021-06-30', '上半年']]);
    expect(row('2021年第三季度前上线专栏')).toEqual([['task-deadline', '2021-09-30', '2021年第三季度前']]);
    expect(row('上半年内建成专区')).toEqual([['task-deadline', '2021-06-30', '上半年内']]);
  });

  it('leaves prose that only mentions a period alone', () => {
    expect(row('总结上半年以来的经验')).toEqual([]);
    expect(row('公布前三季度经济运行数据')).toEqual([]);
    expect(row('持续推进集中式生活饮用水水源水质监测信息公开')).toEqual([]);
    expect(row('按月度、季度组织召开新闻发布会')).toEqual([
      ['recurring-publication', 'month', '按月度、季度'],
      ['recurring-publication', 'quarter', '按月度、季度'],
    ]);
  });
});

describe('lists of months, yearly dates and days within a period', () => {
  const read = (text: string) =>
    findDeadlineDuties(text, 2024).duties.map((d) => [d.kind, d.due ?? d.every ?? null, d.source, d.dueIn ?? null]);

  it('reads 3月、6月、9月、12月底前 as four deadlines, each with its own phrase and none twice', () => {
    expect(read('3月、6月、9月、12月底前')).toEqual([
      ['task-deadline', '2024-03-31', '3月', null],
      ['task-deadline', '2024-06-30', '6月', null],
      ['task-deadline', '2024-09-30', '9月', null],
      ['task-deadline', '2024-12-31', '12月底前', null],
    ]);
    expect(read('2024年6月、12月前')).toEqual([
      ['task-deadline', '2024-05-31', '2024年6月', null],
      ['task-deadline', '2024-11-30', '12月前', null],
    ]);
    expect(findDuties('于3月底、6月底前公开', 2024).map((d) => [d.due, d.source])).toEqual([
      ['2024-03-31', '3月底'],
      ['2024-06-30', '6月底前'],
    ]);
  });

  it('reads 每年6月底前 as one deadline of the plan year, not a yearly duty besides it', () => {
    expect(read('每年6月底前')).toEqual([['task-deadline', '2024-06-30', '每年6月底前', null]]);
    expect(findDuties('每年年底前公布名单', 2024).map((d) => [d.kind, d.due, d.source])).toEqual([
      ['task-deadline', '2024-12-31', '每年年底前'],
    ]);
  });

  it('reads the day within each period: 每月5日前, 每季度第一个月10日前', () => {
    expect(read('每月5日前')).toEqual([['recurring-publication', 'month', '每月5日前', { day: 5 }]]);
    expect(read('每季度第一个月10日前')).toEqual([
      ['recurring-publication', 'quarter', '每季度第一个月10日前', { month: 1, day: 10 }],
    ]);
    expect(findDeadlineDuties('每月5日前', 2024).unread).toEqual([]);
  });

  it('names a day within the period it does not understand, and keeps the cadence', () => {
    const cell = findDeadlineDuties('每季度结束后10日内', 2024);
    expect(cell.duties).toEqual([{ kind: 'recurring-publication', every: 'quarter', source: '每季度' }]);
    expect(cell.unreadDays).toEqual(['每季度结束后10日内']);
    expect(findDeadlineDuties('每周五前', 2024).unreadDays).toEqual(['每周五前']);
    expect(findDeadlineDuties('每月', 2024).unreadDays).toBeUndefined();
  });

  it('dues each period on that day, the month’s last day when shorter, from the periods not due at publication', () => {
    const plan = { year: 2024, publishedOn: '2024-03-08' };
    expect(recurringItems('month', plan, { day: 5 }).slice(0, 3)).toEqual([
      { period: '2024-04', due: '2024-04-05' },
      { period: '2024-05', due: '2024-05-05' },
      { period: '2024-06', due: '2024-06-05' },
    ]);
    expect(recurringItems('month', { year: 2024, publishedOn: '2024-01-01' }, { day: 31 })[1]).toEqual({
      period: '2024-02',
      due: '2024-02-29',
    });
    expect(recurringItems('quarter', plan, { month: 1, day: 10 })).toEqual([
      { period: '2024-Q2', due: '2024-04-10' },
      { period: '2024-Q3', due: '2024-07-10' },
      { period: '2024-Q4', due: '2024-10-10' },
    ]);
    expect(recurringItems('quarter', plan).map((i) => i.due)).toEqual([
      '2024-03-31',
      '2024-06-30',
      '2024-09-30',
      '2024-12-31',
    ]);
  });
});
