import type { SimulationOutput } from '../../src/simulate/simulator';
import { smallSeedPlan } from '../fixtures/small-seed';
import { simulateInTempDir } from '../helpers/simulation';

jest.setTimeout(300_000);

const at = (date: string) => `${date}T09:00:00.000+08:00`;

describe('a simulation whose scenario schedules notices past the plan year (time-skipping server)', () => {
  let output: SimulationOutput;
  let cleanup: () => void = () => undefined;

  beforeAll(async () => {
    const { plan, directory } = smallSeedPlan([49, 60]);
    ({ output, cleanup } = await simulateInTempDir({
      plan,
      directory,
      scenario: {
        events: [
          // Task 49's 2017年底前 deadline, extended into January, after the plan's last scheduled escalation.
          {
            at: '2017-12-28T10:00:00+08:00',
            type: 'extend',
            unit: '福州市',
            obligation: 'task-deadline',
            taskNo: 49,
            newDue: '2018-01-19',
            reason: '跨年',
            approver: '督查室',
          },
          // An information request received on the last working day of 2017: its reply limit runs into 2018.
          {
            at: '2017-12-29T10:00:00+08:00',
            type: 'information-request',
            unit: '省财政厅',
            request: 'req-late-1',
            receivedOn: '2017-12-29',
          },
        ],
      },
    }));
  });
  afterAll(() => cleanup());

  const stages = (unit: string, obligation: string) =>
    output.notifications.filter((n) => n.unit === unit && n.obligation === obligation).map((n) => [n.at, n.stage]);

  it('runs on until the extended deadline has escalated, and records it missed rather than open', () => {
    expect(stages('福州市', 'task-deadline').filter(([a]) => a! > at('2018-01-09'))).toEqual([
      [at('2018-01-12'), 'reminder-5'],
      [at('2018-01-17'), 'reminder-2'],
      [at('2018-01-18'), 'reminder-1'],
      [at('2018-01-19'), 'reminder-0'],
      [at('2018-01-22'), 'escalation-1'],
      [at('2018-01-24'), 'escalation-2'],
      [at('2018-01-26'), 'escalation-3'],
    ]);
    expect(output.outcomes.find((o) => o.unit === '福州市' && o.taskNo === 49)?.status).toBe('missed');
  });

  it('runs on until the late request has escalated too', () => {
    const request = stages('省财政厅', 'information-request');
    expect(request.map(([, s]) => s)).toContain('escalation-3');
    expect(request[request.length - 1]?.[0]).toBe(at('2018-01-29'));
    expect(output.outcomes.find((o) => o.obligation === 'information-request')?.status).toBe('missed');
  });
});
