/** Reports say what the general office was told about dates that could not be computed, and label a rehearsal. */
import type { Notice } from '../../src/domain/notice';
import { noticeKey } from '../../src/domain/notice';
import type { Plan } from '../../src/domain/plan';
import { quarterlyReport, renderReport, yearEndReport } from '../../src/reports/report';
import { type OpenedStore, openTestStore } from '../store/stores';

const plan: Plan = {
  id: 'fj-2017-zwgk',
  title: '2017年政务公开工作主要任务分解表',
  issuer: '福建省人民政府办公厅',
  signedOn: '2017-04-28',
  publishedOn: '2017-05-05',
  year: 2017,
  timezone: 'Asia/Shanghai',
  milestones: [],
  tasks: [],
  warnings: [],
};

describe('report labels', () => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await openTestStore('sqlite');
    const about: Omit<Notice, 'key'> = {
      planId: plan.id,
      taskNo: 60,
      unitCode: 'fj-fuzhou',
      obligation: 'information-request',
      period: 'r-bad-data',
      due: '2017-08-01',
      stage: 'calendar-error',
      at: '2017-07-10T10:00:00.000+08:00',
      notify: ['general-office'],
      leadUnitCodes: [],
      requirement: 'holiday data could not be used, the built-in calendar stays: 2027-02-30 is not a date',
    };
    const notice: Notice = { key: noticeKey(about), ...about };
    await opened.store.enqueue(
      {
        key: notice.key,
        payload: { kind: 'notice', notice },
        recipients: [
          { address: 'bgt@fj.example.cn', name: '办公厅', role: 'general-office', unitCode: 'fj-bgt', locale: 'zh' },
        ],
        atMs: Date.parse(notice.at),
        notBeforeMs: Date.parse(notice.at),
      },
      Date.parse(notice.at),
    );
  });
  afterAll(async () => opened?.dispose());

  it('list the calendar errors the general office was told about, in the quarter they were sent', async () => {
    const report = await yearEndReport({ store: opened.store, planId: plan.id, plan, nowMs: 0 });
    const table = report.tables.find((t) => t.title === '日期无法计算');
    expect(table?.rows).toEqual([
      [
        'fj-fuzhou',
        'fj-fuzhou',
        '任务60',
        'r-bad-data',
        '2017-07-10T10:00:00.000+08:00',
        'holiday data could not be used, the built-in calendar stays: 2027-02-30 is not a date',
      ],
    ]);
    expect(renderReport(report, 'md')).toContain('## 日期无法计算');
    const q2 = await quarterlyReport({ store: opened.store, planId: plan.id, plan, quarter: '2017-Q2', nowMs: 0 });
    expect(q2.tables.map((t) => t.title)).not.toContain('日期无法计算');
  });

  it('label a rehearsal in the title and show its plan time beside the real time', async () => {
    const nowMs = Date.parse('2026-12-03T10:00:00+08:00');
    const rehearsalShiftMs = Date.parse('2017-07-11T10:00:00+08:00') - nowMs;
    const report = await quarterlyReport({ store: opened.store, planId: plan.id, plan, nowMs, rehearsalShiftMs });
    expect(report.title).toBe('【演练】2017年政务公开工作主要任务分解表 — 2017-Q3 督查情况');
    const md = String(renderReport(report, 'md')).split('\n');
    expect(md[0]).toBe('# 【演练】2017年政务公开工作主要任务分解表 — 2017-Q3 督查情况');
    expect(md).toContain('- 生成时间: 演练计划时间 2017-07-11T10:00:00+08:00（实际时间 2026-12-03T10:00:00+08:00）');
    expect(String(renderReport(report, 'csv')).split('\r\n')[0]).toBe(
      '\ufeff【演练】2017年政务公开工作主要任务分解表 — 2017-Q3 督查情况（演练计划时间 2017-07-11T10:00:00+08:00，实际时间 2026-12-03T10:00:00+08:00）',
    );
    const real = await quarterlyReport({ store: opened.store, planId: plan.id, plan, nowMs });
    expect(real.title).not.toContain('演练');
    expect(String(renderReport(real, 'md'))).toContain('- 生成时间: 2026-12-03T10:00:00+08:00');
  });
});
