import { fulfilCommand, renderDigest } from '../../src/mail/message';
import type { Recipient } from '../../src/store';
import { directory, notice } from './fixtures';

const head: Recipient = {
  address: 'czt.head@duban.test',
  name: '李厅长',
  role: 'head',
  unitCode: 'fj-czt',
  locale: 'zh',
};
const ctx = {
  directory,
  publicUrl: 'https://duban.example.gov.cn',
  recipient: { name: '李厅长', locale: 'zh' as const },
};

describe('message rendering', () => {
  it('says plainly what an escalation missed, since when, and who was reminded before', () => {
    const n = notice({ stage: 'escalation-1', at: '2018-01-02T09:00:00+08:00', notify: ['head'] });
    const { subject, text, html } = renderDigest(
      [
        {
          payload: { kind: 'notice', notice: n },
          others: [],
          history: [
            {
              stage: 'reminder-5',
              at: '2017-12-22T09:00:00+08:00',
              recipients: [{ name: '王联络', role: 'officer', unitCode: 'fj-czt' }],
            },
            {
              stage: 'reminder-0',
              at: '2017-12-29T09:00:00+08:00',
              recipients: [{ name: '王联络', role: 'officer', unitCode: 'fj-czt' }],
            },
          ],
        },
      ],
      ctx,
    );
    expect(subject).toBe('【逾期督办】省财政厅：任务时限（截止 2017年12月31日）');
    expect(text).toContain('1. 【已逾期】任务12 加强预算公开 — 任务时限');
    expect(text).toContain(
      '省财政厅未在截止时间（2017年12月31日当日）前完成任务时限，自 2018年1月1日 00:00 起已逾期 1天9小时。',
    );
    expect(text).toContain(
      '此前已提醒：2017年12月22日 09:00 王联络（省财政厅 联络员）；2017年12月29日 09:00 王联络（省财政厅 联络员）',
    );
    expect(text).toContain('同时通知：无');
    expect(html).toContain('<a href="https://duban.example.gov.cn/plans/fj-2017-zwgk/units/fj-czt">');
  });

  it('counts a window breached since its due instant, not from the next midnight as for a date', () => {
    const n = notice({
      stage: 'breach',
      obligation: 'emergency-information',
      taskNo: 55,
      period: 'flood-0710',
      due: '2017-07-10T13:00:00.000+08:00',
      at: '2017-07-10T13:30:00.000+08:00',
      notify: ['head'],
    });
    const { subject, text } = renderDigest([{ payload: { kind: 'notice', notice: n }, others: [], history: [] }], ctx);
    expect(subject).toBe('【超时通报】省财政厅：突发事件权威信息发布（截止 2017年7月10日 13:00）');
    expect(text).toContain(
      '省财政厅未在截止时间（2017年7月10日 13:00）前完成突发事件权威信息发布，自 2017年7月10日 13:00 起已逾期 30分钟。',
    );
  });

  it('lists who else was told and counts hours when less than a day is left', () => {
    const n = notice({
      stage: 'reminder-0',
      at: '2017-12-29T09:00:00+08:00',
      due: '2017-12-29',
      notify: ['officer', 'head'],
    });
    const { text } = renderDigest([{ payload: { kind: 'notice', notice: n }, others: [head], history: [] }], {
      ...ctx,
      recipient: { name: '王联络', locale: 'zh' },
    });
    expect(text).toContain('截止时间：2017年12月29日（还剩 15小时）');
    expect(text).toContain('同时通知：李厅长（省财政厅 单位负责人）');
  });

  it('escapes HTML in titles and requirements', () => {
    const n = notice({ taskTitle: '<script>alert(1)</script>', requirement: 'a & b' });
    const { html } = renderDigest([{ payload: { kind: 'notice', notice: n }, others: [], history: [] }], ctx);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &amp; b');
  });
});

describe('how to record fulfilment, by obligation', () => {
  it('tells officers the command for their kind of obligation', () => {
    const base = { planId: 'fj-2017-zwgk', unitCode: 'fj-fuzhou', taskNo: 55 };
    expect(fulfilCommand({ ...base, obligation: 'emergency-press-conference', period: 'flood-0710' })).toBe(
      'duban emergency done --plan fj-2017-zwgk --id flood-0710 --step press-conference --at <INSTANT> --url <URL>',
    );
    expect(fulfilCommand({ ...base, taskNo: 60, obligation: 'information-request', period: 'req-1' })).toBe(
      'duban request reply --plan fj-2017-zwgk --id req-1 --at <INSTANT>',
    );
    expect(fulfilCommand({ ...base, taskNo: 20, obligation: 'recurring-publication', period: '2017-W40' })).toContain(
      'duban fulfil --plan fj-2017-zwgk --unit fj-fuzhou --obligation recurring-publication --task 20 --period 2017-W40',
    );
  });
});

describe('dates that rest on a year without a holiday notice', () => {
  it('says the dates are provisional and may move, naming the year', () => {
    const n = notice({ stage: 'reminder-5', at: '2026-12-22T09:00:00+08:00', due: '2026-12-29', provisional: [2027] });
    const { text } = renderDigest([{ payload: { kind: 'notice', notice: n }, others: [], history: [] }], ctx);
    expect(text).toContain('日期说明：2027年节假日安排尚未公布，相关日期暂按周末推算，公布后可能调整。');
    const plain = notice({ stage: 'reminder-5', at: '2017-12-22T09:00:00+08:00' });
    expect(
      renderDigest([{ payload: { kind: 'notice', notice: plain }, others: [], history: [] }], ctx).text,
    ).not.toContain('日期说明');
  });

  it('tells the general office, as urgently as an escalation, that an item’s dates cannot be computed', () => {
    const n = notice({ stage: 'calendar-error', at: '2027-01-04T10:00:00+08:00', notify: ['general-office'] });
    const { subject, text } = renderDigest([{ payload: { kind: 'notice', notice: n }, others: [], history: [] }], ctx);
    expect(subject.startsWith('【逾期督办】')).toBe(true);
    expect(text).toContain('的日期无法计算，系统暂停了该事项的提醒和督办');
  });

  it('marks a rehearsal’s messages 【演练】 in the subject and says so first, in either language', () => {
    const n = notice({ stage: 'reminder-0', at: '2017-12-29T09:00:00+08:00', due: '2017-12-29', notify: ['officer'] });
    const item = { payload: { kind: 'notice' as const, notice: n }, others: [], history: [] };
    const real = renderDigest([item], ctx);
    const zh = renderDigest([item], { ...ctx, rehearsal: true });
    expect(zh.subject).toBe(`【演练】${real.subject}`);
    expect(zh.text).toContain('【演练】这是示例计划的演练通知，日期已平移到今天前后，无需办理。');
    expect(zh.html).toContain('【演练】这是示例计划的演练通知');
    expect(real.subject).not.toContain('演练');
    expect(real.text).not.toContain('演练');
    const en = renderDigest([item], { ...ctx, rehearsal: true, recipient: { name: 'Li', locale: 'en' } });
    expect(en.subject.startsWith('[rehearsal] ')).toBe(true);
    expect(en.text).toContain('[rehearsal] This is a rehearsal of the example plan');
  });
});
