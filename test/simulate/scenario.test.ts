/**
 * Scenario files as `duban simulate` checks them before the year starts, and the windows' scenario run through a
 * simulation: incident steps and request replies name their window, not a unit.
 */
import { checkScenario, type Scenario } from '../../src/simulate/scenario';
import type { SimulationOutput } from '../../src/simulate/simulator';
import { SMALL_SEED_SCENARIO, smallSeedPlan, WINDOWS_SCENARIO } from '../fixtures/small-seed';
import { simulateInTempDir } from '../helpers/simulation';

jest.setTimeout(300_000);

describe('checkScenario', () => {
  const { plan, directory } = smallSeedPlan();

  it('accepts the seed and windows scenarios: a step done or a reply needs no unit', () => {
    expect(checkScenario(SMALL_SEED_SCENARIO, plan, directory)).toEqual([]);
    expect(checkScenario(WINDOWS_SCENARIO, plan, directory)).toEqual([]);
  });

  it('still asks a deadline fulfilment for its unit, and a step or a reply for its window', () => {
    const scenario: Scenario = {
      events: [
        { at: '2017-05-26T10:00:00+08:00', type: 'fulfil', obligation: 'implementation-plan' },
        { at: '2017-07-10T11:30:00+08:00', type: 'fulfil', obligation: 'emergency-information', unit: '福州市' },
        { at: '2017-10-20T15:00:00+08:00', type: 'fulfil', obligation: 'information-request' },
        { at: '2017-10-21T15:00:00+08:00', type: 'fulfil' },
      ],
    };
    expect(checkScenario(scenario, plan, directory)).toEqual([
      'events.0 (fulfil at 2017-05-26T10:00:00+08:00): unit: required, a non-empty string',
      'events.1 (fulfil at 2017-07-10T11:30:00+08:00): incident: required, a non-empty string',
      'events.2 (fulfil at 2017-10-20T15:00:00+08:00): request: required, a non-empty string',
      'events.3 (fulfil at 2017-10-21T15:00:00+08:00): obligation: required, a non-empty string',
      'events.3 (fulfil at 2017-10-21T15:00:00+08:00): unit: required, a non-empty string',
    ]);
  });
});

describe('the windows scenario over the 2017 seed year (time-skipping server)', () => {
  let output: SimulationOutput;
  let cleanup: () => void = () => undefined;

  beforeAll(async () => {
    // No tasks: the milestones of six units keep the year short; the windows need no task rows.
    const { plan, directory } = smallSeedPlan([]);
    expect(checkScenario(WINDOWS_SCENARIO, plan, directory)).toEqual([]);
    ({ output, cleanup } = await simulateInTempDir({ plan, directory, scenario: WINDOWS_SCENARIO }));
  });
  afterAll(() => cleanup());

  const outcome = (obligation: string, period: string) =>
    output.outcomes.find((o) => o.obligation === obligation && o.period === period);

  it('records each incident step as the scenario did it: in time, late or never', () => {
    expect(outcome('emergency-information', 'flood-0710')).toMatchObject({
      unit: '福州市',
      status: 'on-time',
      fulfilledAt: '2017-07-10T11:30:00.000+08:00',
    });
    expect(outcome('emergency-press-conference', 'flood-0710')).toMatchObject({ status: 'missed', fulfilledAt: null });
    expect(outcome('emergency-information', 'typhoon-0912')).toMatchObject({ unit: '厦门市', status: 'late' });
    expect(outcome('emergency-press-conference', 'typhoon-0912')).toMatchObject({ status: 'on-time' });
  });

  it('answers, pauses, extends and corrects the requests by their ids', () => {
    expect(outcome('information-request', 'req-0929')).toMatchObject({
      unit: '厦门市',
      status: 'on-time',
      fulfilledAt: '2017-10-20T15:00:00.000+08:00',
    });
    expect(outcome('information-request', 'req-0801')).toMatchObject({ unit: '福州市', status: 'late' });
    // The count restarted on 2017-06-05 and nobody answered.
    expect(outcome('information-request', 'req-0601')).toMatchObject({ unit: '省财政厅', status: 'missed' });
  });
});
