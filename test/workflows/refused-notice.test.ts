import type { Client } from '@temporalio/client';
import { obligationWorkflowId } from '../../src/domain/ids';
import type { SimulationOutput } from '../../src/simulate/simulator';
import { timelineQuery, type TimelineEntry } from '../../workflows/messages';
import { smallSeedPlan } from '../fixtures/small-seed';
import { simulateInTempDir } from '../helpers/simulation';

jest.setTimeout(300_000);

describe('a notice refused for good (time-skipping server)', () => {
  let output: SimulationOutput;
  let timeline: TimelineEntry[] = [];
  let cleanup: () => void = () => undefined;

  beforeAll(async () => {
    const { plan, directory } = smallSeedPlan();
    // The general office has left the directory: escalations addressed to it cannot be sent.
    const withoutOffice = { ...directory, units: directory.units.filter((u) => u.code !== 'fj-bgt') };
    ({ output, cleanup } = await simulateInTempDir({
      plan: { ...plan, tasks: plan.tasks.filter((t) => t.no === 49) },
      directory: withoutOffice,
      afterRun: async (client: Client) => {
        timeline = await client.workflow
          .getHandle(obligationWorkflowId(plan.id, 'fj-fuzhou', 'implementation-plan'))
          .query(timelineQuery);
      },
    }));
  });
  afterAll(() => cleanup());

  it('sends the rest, puts the refusal on the timeline with its reason, and still records the outcome', () => {
    const stages = output.notifications
      .filter((n) => n.unit === '福州市' && n.obligation === 'implementation-plan')
      .map((n) => n.stage);
    expect(stages).toEqual(['reminder-5', 'reminder-2', 'reminder-1', 'reminder-0', 'escalation-1']);
    const failed = timeline.filter((e) => e.type === 'notice-failed');
    expect(failed.map((e) => e.stage)).toEqual(['escalation-2', 'escalation-3']);
    expect(failed[0]?.detail).toMatch(/fj-bgt/);
    expect(timeline.filter((e) => e.type === 'notice')).toHaveLength(5);
    expect(timeline.some((e) => e.type === 'missed')).toBe(true);
    expect(output.outcomes.find((o) => o.unit === '福州市' && o.obligation === 'implementation-plan')?.status).toBe(
      'missed',
    );
  });
});
