import { obligationWorkflowId } from '../../src/domain/ids';
import { recurringAgenda } from '../../src/domain/policy';
import type { SimulationOutput } from '../../src/simulate/simulator';
import { SMALL_SEED_SCENARIO, smallSeedPlan } from '../fixtures/small-seed';
import { simulateInTempDir } from '../helpers/simulation';

jest.setTimeout(300_000);

describe('continue-as-new of long-running obligations', () => {
  let output: SimulationOutput;
  let cleanup: () => void = () => undefined;
  let runs: { first?: string | null; last: string } | undefined;
  const { plan, directory } = smallSeedPlan();

  beforeAll(async () => {
    // A limit of 150 events makes the weekly duty continue as new several times over the year.
    ({ output, cleanup } = await simulateInTempDir({
      plan: { ...plan, tasks: plan.tasks.filter((t) => t.no === 20) },
      directory,
      scenario: { events: SMALL_SEED_SCENARIO.events.filter((e) => e.taskNo === 20) },
      historyLimit: 150,
      afterRun: async (client) => {
        const d = await client.workflow
          .getHandle(obligationWorkflowId(plan.id, 'fj-fuzhou', 'task-20-week'))
          .describe();
        runs = { first: d.raw.workflowExecutionInfo?.firstRunId, last: d.runId };
      },
    }));
  });
  afterAll(() => cleanup());

  it('continued as new: the last run is not the first', () => {
    expect(runs?.first).toBeTruthy();
    expect(runs?.last).not.toBe(runs?.first);
  });

  it('sends every weekly notice of the year exactly once across runs', () => {
    const expected = recurringAgenda({ cadence: 'week', year: 2017, publishedOn: plan.publishedOn })
      .flatMap((p) => p.items.map((i) => `${i.at} ${i.stage} ${p.period.label}`))
      .sort();
    const sent = output.notifications
      .filter((n) => n.unit === '福州市' && n.taskNo === 20)
      .map((n) => `${n.at} ${n.stage} ${n.period}`)
      .sort();
    expect(expected.length).toBeGreaterThan(60);
    expect(sent).toEqual(expected);
  });

  it('keeps state across runs: a period fulfilled before the limit stays fulfilled', () => {
    expect(output.outcomes.find((o) => o.unit === '厦门市' && o.taskNo === 20 && o.period === '2017-W39')?.status).toBe(
      'on-time',
    );
    const missed = output.outcomes.filter((o) => o.unit === '福州市' && o.taskNo === 20 && o.status === 'missed');
    expect(missed.length).toBe(recurringAgenda({ cadence: 'week', year: 2017, publishedOn: plan.publishedOn }).length);
  });
});
