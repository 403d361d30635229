/** Reports say when a plan's dates rest on a year without a State Council holiday notice, and stop once it is added. */
import { parseHolidayNotice } from '../../src/domain/holiday-notice';
import { withHolidayNotice } from '../../src/domain/holidays';
import type { Plan } from '../../src/domain/plan';
import { renderReport, yearEndReport } from '../../src/reports/report';
import { type OpenedStore, openTestStore } from '../store/stores';

const plan = (year: number): Plan => ({
  id: `fj-${year}-zwgk`,
  title: `${year}年政务公开工作主要任务分解表`,
  issuer: '福建省人民政府办公厅',
  signedOn: `${year}-04-28`,
  publishedOn: `${year}-05-05`,
  year,
  timezone: 'Asia/Shanghai',
  milestones: [],
  tasks: [],
  warnings: [],
});

describe('reports on a provisional year', () => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await openTestStore('sqlite');
  });
  afterAll(async () => opened?.dispose());

  it('note the years without a notice in Markdown and CSV, and none for 2017', async () => {
    const report = await yearEndReport({ store: opened.store, planId: 'fj-2027-zwgk', plan: plan(2027), nowMs: 0 });
    expect(report.provisionalYears).toEqual([2027, 2028]);
    expect(renderReport(report, 'md')).toContain('- 日期说明: 2027、2028年节假日安排尚未公布，相关日期暂按周末推算');
    expect(String(renderReport(report, 'csv')).split('\r\n')[0]).toContain('2027、2028年节假日安排尚未公布');
    const old = await yearEndReport({ store: opened.store, planId: 'fj-2017-zwgk', plan: plan(2017), nowMs: 0 });
    expect(old.provisionalYears).toEqual([]);
    expect(renderReport(old, 'md')).not.toContain('日期说明');
  });

  it('drop the year once its notice is added to the store', async () => {
    const notice = parseHolidayNotice(
      [
        '国务院办公厅关于2027年部分节假日安排的通知',
        '测试〔2026〕9号',
        '一、元旦：1月1日（周五）至3日（周日）放假，共3天。',
        '国务院办公厅',
        '2026年11月20日',
      ].join('\n'),
    );
    await opened.store.putHolidayYear(withHolidayNotice(undefined, notice), 0);
    const report = await yearEndReport({ store: opened.store, planId: 'fj-2027-zwgk', plan: plan(2027), nowMs: 0 });
    expect(report.provisionalYears).toEqual([2028]);
  });
});
