import type { SimulationOutput } from '../../src/simulate/simulator';
import { SMALL_SEED_SCENARIO, smallSeedPlan } from '../fixtures/small-seed';
import { simulateInTempDir } from '../helpers/simulation';

jest.setTimeout(300_000);

const at = (date: string) => `${date}T09:00:00.000+08:00`;

describe('obligation workflows over the 2017 seed year (time-skipping server)', () => {
  let output: SimulationOutput;
  let cleanup: () => void = () => undefined;

  const notices = (unit: string, obligation: string, taskNo: number | null = null, period: string | null = null) =>
    output.notifications
      .filter((n) => n.unit === unit && n.obligation === obligation && n.taskNo === taskNo && n.period === period)
      .map((n) => [n.at, n.stage, n.due]);
  const outcome = (unit: string, obligation: string, taskNo: number | null = null, period: string | null = null) =>
    output.outcomes.find(
      (o) => o.unit === unit && o.obligation === obligation && o.taskNo === taskNo && o.period === period,
    );

  beforeAll(async () => {
    const { plan, directory } = smallSeedPlan();
    ({ output, cleanup } = await simulateInTempDir({
      plan,
      directory,
      scenario: SMALL_SEED_SCENARIO,
    }));
  });
  afterAll(() => cleanup());

  it('reminds and escalates the implementation plan due on the make-up Saturday 2017-05-27, across Dragon Boat', () => {
    expect(notices('省财政厅', 'implementation-plan')).toEqual([
      [at('2017-05-22'), 'reminder-5', '2017-05-27'],
      [at('2017-05-25'), 'reminder-2', '2017-05-27'],
      [at('2017-05-26'), 'reminder-1', '2017-05-27'],
      [at('2017-05-27'), 'reminder-0', '2017-05-27'],
      [at('2017-05-31'), 'escalation-1', '2017-05-27'],
      [at('2017-06-02'), 'escalation-2', '2017-05-27'],
      [at('2017-06-06'), 'escalation-3', '2017-05-27'],
    ]);
    expect(outcome('省财政厅', 'implementation-plan')?.status).toBe('missed');
  });

  it('sends reminders to the officer, escalation-1 to the head and later ones to the general office', () => {
    const byStage = new Map(
      output.notifications
        .filter((n) => n.unit === '省财政厅' && n.obligation === 'implementation-plan')
        .map((n) => [n.stage, n.recipients]),
    );
    expect(byStage.get('reminder-5')).toEqual(['czt.officer@duban.example']);
    expect(byStage.get('escalation-1')).toEqual(['czt.head@duban.example']);
    expect(byStage.get('escalation-2')).toEqual(expect.arrayContaining(['bgt.head@duban.example']));
    expect(byStage.get('escalation-3')).toEqual(expect.arrayContaining(['bgt.head@duban.example']));
  });

  it('runs the Q3 progress report due Saturday 2017-09-30 into the National Day week', () => {
    expect(notices('省财政厅', 'quarterly-progress', null, '2017-Q3')).toEqual([
      [at('2017-09-25'), 'reminder-5', '2017-09-30'],
      [at('2017-09-28'), 'reminder-2', '2017-09-30'],
      [at('2017-09-29'), 'reminder-1', '2017-09-30'],
      [at('2017-09-30'), 'reminder-0', '2017-09-30'],
      [at('2017-10-09'), 'escalation-1', '2017-09-30'],
      [at('2017-10-11'), 'escalation-2', '2017-09-30'],
      [at('2017-10-13'), 'escalation-3', '2017-09-30'],
    ]);
    expect(notices('省财政厅', 'quarterly-progress', null, '2017-Q2').map((n) => n[0])).toContain(at('2017-06-30'));
  });

  it('runs the year-end report due 2017-12-08', () => {
    expect(notices('福州市', 'year-end-report').map(([a, s]) => [a, s])).toEqual([
      [at('2017-12-01'), 'reminder-5'],
      [at('2017-12-06'), 'reminder-2'],
      [at('2017-12-07'), 'reminder-1'],
      [at('2017-12-08'), 'reminder-0'],
      [at('2017-12-11'), 'escalation-1'],
      [at('2017-12-13'), 'escalation-2'],
      [at('2017-12-15'), 'escalation-3'],
    ]);
  });

  it('escalates a 2017年底前 task deadline into January 2018', () => {
    expect(notices('福州市', 'task-deadline', 49).map(([a, s]) => [a, s])).toEqual([
      [at('2017-12-22'), 'reminder-5'],
      [at('2017-12-27'), 'reminder-2'],
      [at('2017-12-28'), 'reminder-1'],
      [at('2017-12-29'), 'reminder-0'],
      [at('2018-01-02'), 'escalation-1'],
      [at('2018-01-04'), 'escalation-2'],
      [at('2018-01-08'), 'escalation-3'],
    ]);
    expect(outcome('福州市', 'task-deadline', 49)?.status).toBe('missed');
  });

  it('keeps a weekly duty across the National Day week: both weeks reminded on 09-30 and escalated on 10-09', () => {
    expect(notices('福州市', 'recurring-publication', 20, '2017-W39').map(([a, s]) => [a, s])).toEqual([
      [at('2017-09-30'), 'reminder-0'],
      [at('2017-10-09'), 'escalation-1'],
    ]);
    expect(notices('福州市', 'recurring-publication', 20, '2017-W40').map(([a, s]) => [a, s])).toEqual([
      [at('2017-09-30'), 'reminder-0'],
      [at('2017-10-09'), 'escalation-1'],
    ]);
    // 厦门市 published week 39 the day before its reminder: nothing went out for it; week 40 still escalated.
    expect(notices('厦门市', 'recurring-publication', 20, '2017-W39')).toEqual([]);
    expect(outcome('厦门市', 'recurring-publication', 20, '2017-W39')?.status).toBe('on-time');
    expect(notices('厦门市', 'recurring-publication', 20, '2017-W40').map((n) => n[1])).toEqual([
      'reminder-0',
      'escalation-1',
    ]);
  });

  it('cancels the remaining notices when fulfilled before a reminder', () => {
    expect(notices('福州市', 'implementation-plan').map((n) => n[1])).toEqual(['reminder-5']);
    expect(outcome('福州市', 'implementation-plan')).toMatchObject({
      status: 'on-time',
      fulfilledAt: '2017-05-24T15:30:00.000+08:00',
    });
  });

  it('records a fulfilment after escalation as late and stops escalating', () => {
    expect(notices('厦门市', 'implementation-plan').map((n) => n[1])).toEqual([
      'reminder-5',
      'reminder-2',
      'reminder-1',
      'reminder-0',
      'escalation-1',
      'escalation-2',
    ]);
    expect(outcome('厦门市', 'implementation-plan')?.status).toBe('late');
  });

  it('reschedules every remaining notice after an extension', () => {
    expect(notices('省农业厅', 'implementation-plan')).toEqual([
      [at('2017-05-22'), 'reminder-5', '2017-05-27'],
      [at('2017-06-02'), 'reminder-5', '2017-06-09'],
      [at('2017-06-07'), 'reminder-2', '2017-06-09'],
      [at('2017-06-08'), 'reminder-1', '2017-06-09'],
      [at('2017-06-09'), 'reminder-0', '2017-06-09'],
      [at('2017-06-12'), 'escalation-1', '2017-06-09'],
      [at('2017-06-14'), 'escalation-2', '2017-06-09'],
      [at('2017-06-16'), 'escalation-3', '2017-06-09'],
    ]);
  });

  it('stops notices after a waiver and records it', () => {
    expect(notices('省审改办', 'implementation-plan').map((n) => n[1])).toEqual(['reminder-5']);
    expect(outcome('省审改办', 'implementation-plan')?.status).toBe('waived');
  });

  it('starts the obligations of a unit designated mid-year, from the designation on', () => {
    expect(notices('省财政厅', 'task-deadline', 16).map(([a, s]) => [a, s])).toEqual([
      [at('2017-12-22'), 'reminder-5'],
      [at('2017-12-27'), 'reminder-2'],
      [at('2017-12-28'), 'reminder-1'],
      [at('2017-12-29'), 'reminder-0'],
      [at('2018-01-02'), 'escalation-1'],
      [at('2018-01-04'), 'escalation-2'],
      [at('2018-01-08'), 'escalation-3'],
    ]);
    // Escalation-2 of a task goes to its lead unit (省审改办), not the general office.
    const esc2 = output.notifications.find(
      (n) => n.unit === '省财政厅' && n.taskNo === 16 && n.stage === 'escalation-2',
    );
    expect(esc2?.recipients).toEqual(['sgb.head@duban.example']);
    // 省财政厅 was not a unit of task 16 before the designation.
    expect(output.notifications.some((n) => n.unit === '省财政厅' && n.taskNo === 16 && n.at < '2017-07-03')).toBe(
      false,
    );
  });
});
