/**
 * The store's read model of obligation overviews against what the workflows answer by query: over a simulated 2017
 * seed year with the seed scenario (fulfilments, a late one, an extension, a waiver, a designation), at instants
 * inside the year and once it is over, row by row, with the lights each computes, by every filter and page.
 */
import type { MatrixPage, StatusReport, StatusRow } from '../../src/service';
import { obligationKey, type NoticeRecord } from '../../src/store/types';
import { createDubanClient } from '../../src/service';
import type { SimulationView } from '../../src/simulate/simulator';
import { SMALL_SEED_SCENARIO, smallSeedPlan } from '../fixtures/small-seed';
import { simulateInTempDir } from '../helpers/simulation';

jest.setTimeout(600_000);

interface Comparison {
  label: string;
  fromStore: StatusReport;
  fromWorkflows: StatusReport;
  byLight: Record<string, { store: StatusReport; workflows: StatusReport }>;
  paged: StatusReport[];
  task16: { store: StatusReport; workflows: StatusReport };
  unit: { store: StatusReport; workflows: StatusReport };
  kind: { store: StatusReport; workflows: StatusReport };
  matrix: { store: MatrixPage[]; workflows: MatrixPage[] };
}

describe('the read model over the simulated 2017 seed year', () => {
  const { plan, directory } = smallSeedPlan();
  const comparisons: Comparison[] = [];
  const deliveries: { label: string; rows: StatusRow[]; notices: NoticeRecord[] }[] = [];
  let cleanup: () => void = () => undefined;

  const compare =
    (label: string) =>
    async (view: SimulationView): Promise<void> => {
      // One instant for both, so a light cannot turn between the two reads.
      const at = await view.now();
      const base = {
        client: view.client,
        plan,
        directory,
        taskQueue: view.taskQueue,
        timeShiftMs: view.timeShiftMs,
        now: () => at,
        searchAttributes: false,
      };
      const readModel = createDubanClient({ ...base, readModel: view.store }).obligations;
      const workflows = createDubanClient(base).obligations;
      // The store's rows also say how their last notice fared (checked against the outbox below); the workflows
      // cannot, so the rows are compared without it.
      const store = {
        status: async (filter: Parameters<typeof readModel.status>[0]): Promise<StatusReport> => {
          const report = await readModel.status(filter);
          return { ...report, rows: report.rows.map(({ delivery: _delivery, ...row }) => row) };
        },
      };
      const both = async (filter: Omit<Parameters<typeof store.status>[0], 'planId'>) => ({
        store: await store.status({ planId: plan.id, ...filter }),
        workflows: await workflows.status({ planId: plan.id, ...filter }),
      });
      const all = await both({});
      const byLight: Comparison['byLight'] = {};
      for (const light of ['green', 'yellow', 'red'] as const) byLight[light] = await both({ light });
      const paged: StatusReport[] = [];
      for (let offset = 0; ; offset += 25) {
        const page = await store.status({ planId: plan.id, limit: 25, offset });
        paged.push(page);
        if (page.rows.length < 25) break;
      }
      const matrix: Comparison['matrix'] = { store: [], workflows: [] };
      for (const [side, client] of [
        ['store', readModel],
        ['workflows', workflows],
      ] as const)
        for (let offset = 0; ; offset += 3) {
          const page = await client.matrix({ planId: plan.id, offset, limit: 3 });
          matrix[side].push(page);
          if (offset + 3 >= page.page.total) break;
        }
      // The outbox, every notice with its deliveries, as it stood while the rows were read: the dispatcher runs on, so
      // a read counts only when the outbox did not change around it.
      const outbox = () => view.store.listNotices({ planId: plan.id, kind: 'notice' });
      for (let tries = 0; tries < 50; tries++) {
        const before = await outbox();
        const { rows } = await readModel.status({ planId: plan.id });
        const after = await outbox();
        if (JSON.stringify(before) === JSON.stringify(after)) {
          deliveries.push({ label, rows, notices: after });
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      comparisons.push({
        matrix,
        label,
        fromStore: all.store,
        fromWorkflows: all.workflows,
        byLight,
        paged,
        task16: await both({ taskNo: 16 }),
        unit: await both({ unitCode: '厦门市' }),
        kind: await both({ obligation: 'implementation-plan' }),
      });
    };

  beforeAll(async () => {
    ({ cleanup } = await simulateInTempDir({
      plan,
      directory,
      scenario: SMALL_SEED_SCENARIO,
      inspections: [
        // After the extension and the waiver, between reminders of the implementation plans.
        { at: '2017-05-23T12:00:00+08:00', run: compare('2017-05-23 noon') },
        // Past the implementation plans' due date: late, missed, escalating, extended.
        { at: '2017-06-02T09:30:00+08:00', run: compare('2017-06-02 morning') },
        // A weekly publication fulfilled the day before its reminder, the designated unit's obligations running.
        { at: '2017-09-29T17:00:00+08:00', run: compare('2017-09-29 evening') },
        { run: compare('the year over, before the close') },
      ],
    }));
  });
  afterAll(() => cleanup());

  it('looked at the plan at every instant asked', () => {
    expect(comparisons.map((c) => c.label)).toEqual([
      '2017-05-23 noon',
      '2017-06-02 morning',
      '2017-09-29 evening',
      'the year over, before the close',
    ]);
  });

  it('holds, row by row, what the workflows answer by query, lights included', () => {
    for (const c of comparisons) {
      expect(c.fromStore.rows.length).toBeGreaterThan(100);
      expect({ at: c.label, rows: c.fromStore.rows }).toEqual({ at: c.label, rows: c.fromWorkflows.rows });
      expect({ at: c.label, byTask: c.fromStore.byTask }).toEqual({ at: c.label, byTask: c.fromWorkflows.byTask });
      expect({ at: c.label, byUnit: c.fromStore.byUnit }).toEqual({ at: c.label, byUnit: c.fromWorkflows.byUnit });
    }
  });

  it('sees every light the year goes through, and the states the scenario made', () => {
    const lights = new Set(comparisons.flatMap((c) => c.fromStore.rows.map((r) => r.light)));
    expect([...lights].sort()).toEqual(['green', 'red', 'yellow']);
    const states = new Set(comparisons.flatMap((c) => c.fromStore.rows.map((r) => r.state)));
    for (const state of ['pending', 'on-time', 'late', 'waived', 'missed'] as const) expect(states).toContain(state);
    const end = comparisons.at(-1)!.fromStore.rows;
    expect(end.find((r) => r.unitCode === 'fj-nyt' && r.obligation === 'implementation-plan')).toMatchObject({
      due: '2017-06-09',
    });
    expect(end.some((r) => r.unitCode === 'fj-czt' && r.taskNo === 16)).toBe(true);
  });

  it('filters by light, task, unit and kind in the store as the rule of lightOf does', () => {
    for (const c of comparisons) {
      for (const [light, { store, workflows }] of Object.entries(c.byLight)) {
        expect({ at: c.label, light, rows: store.rows }).toEqual({ at: c.label, light, rows: workflows.rows });
        expect(store.rows.every((r) => r.light === light)).toBe(true);
      }
      for (const { store, workflows } of [c.task16, c.unit, c.kind]) {
        expect(store.rows.length).toBeGreaterThan(0);
        expect(store).toEqual(workflows);
      }
    }
  });

  it("gives each row its last notice's deliveries as the outbox holds them, from the same query", () => {
    expect(deliveries.map((d) => d.label)).toEqual(comparisons.map((c) => c.label));
    let withNotice = 0;
    let sent = 0;
    for (const { label, rows, notices } of deliveries) {
      for (const r of rows) {
        const key = obligationKey(r);
        const mine = notices.filter((n) => obligationKey(n) === key);
        const latest = Math.max(...mine.map((n) => Date.parse(n.at)));
        const what = { at: label, row: r.workflowId, period: r.period };
        expect({ ...what, has: r.delivery !== null }).toEqual({ ...what, has: mine.length > 0 });
        if (!r.delivery) continue;
        withNotice++;
        const notice = mine.find((n) => n.key === r.delivery!.key);
        // The item's latest notice: the one its workflow queued last.
        expect({ ...what, noticeAt: notice?.at && Date.parse(notice.at) }).toEqual({ ...what, noticeAt: latest });
        const count = (...states: string[]) => notice!.deliveries.filter((d) => states.includes(d.status)).length;
        expect(r.delivery).toEqual({
          key: notice!.key,
          stage: notice!.stage,
          at: notice!.at,
          status: notice!.status,
          queued: count('queued', 'sending'),
          sent: count('sent'),
          failed: count('failed'),
          undeliverable: count('undeliverable'),
        });
        if (r.delivery.status === 'sent') sent++;
      }
    }
    expect(withNotice).toBeGreaterThan(100);
    expect(sent).toBeGreaterThan(0);
  });

  it('pages through every row once, each page with the counts of the whole filter', () => {
    for (const c of comparisons) {
      const key = (r: { workflowId: string; period: string | null }) => `${r.workflowId}|${r.period}`;
      const pagedKeys = c.paged.flatMap((p) => p.rows.map(key));
      expect(new Set(pagedKeys).size).toBe(pagedKeys.length);
      expect([...pagedKeys].sort()).toEqual(c.fromWorkflows.rows.map(key).sort());
      for (const p of c.paged) {
        expect(p.page?.total).toBe(c.fromWorkflows.rows.length);
        expect(p.byUnit).toEqual(c.fromWorkflows.byUnit);
      }
    }
  });

  it('pages the matrix by units with the cells and totals the workflows give', () => {
    // Cells summed per unit, line and light: the store groups by provisional years too, the workflows count items.
    const cells = (pages: MatrixPage[]) => {
      const sums: Record<string, number> = {};
      for (const c of pages.flatMap((p) => p.cells)) {
        const k = `${c.unitCode}|${c.taskNo ?? c.obligation}|${c.light}`;
        sums[k] = (sums[k] ?? 0) + c.count;
      }
      return sums;
    };
    const totals = (page: MatrixPage) => {
      const sums: Record<string, number> = {};
      for (const t of page.totals) sums[t.light] = (sums[t.light] ?? 0) + t.count;
      return sums;
    };
    for (const c of comparisons) {
      const { store, workflows } = c.matrix;
      expect(store.length).toBeGreaterThan(1);
      expect(store.map((p) => p.units)).toEqual(workflows.map((p) => p.units));
      for (const p of store) {
        expect(p.units.length).toBeLessThanOrEqual(3);
        expect(new Set(p.cells.map((x) => x.unitCode))).toEqual(new Set(p.units));
        expect(totals(p)).toEqual(totals(workflows[0]!));
      }
      expect({ at: c.label, cells: cells(store) }).toEqual({ at: c.label, cells: cells(workflows) });
      const rows = c.fromWorkflows.rows;
      expect(Object.values(cells(store)).reduce((a, b) => a + b, 0)).toBe(rows.length);
    }
  });
});
