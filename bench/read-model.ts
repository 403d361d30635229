/**
 * The read model's queries alone, at several plan sizes: the overviews of about N obligation workflows (the synthetic
 * directory of bench/scale.ts) written into a fresh PostgreSQL database as their workflows would at the start, then
 * the queries the dashboard and status make, 50 times each after 2 unmeasured: the matrix's grouped count, a page of
 * 100 rows, a unit's rows, and every row. Shows whether a page's cost stays flat as the plan grows, without the hour a
 * 10,000-workflow plan takes to open on a loaded machine. A script, not a timed test.
 *
 *   npx tsx bench/read-model.ts [N…]   (Default: 1000 10000)
 */
import pg from 'pg';
import { deadlineEndMs } from '../src/domain/deadlines';
import type { ObligationOverview } from '../src/domain/overview';
import { planSchedule } from '../src/domain/obligations';
import { importTableFile } from '../src/import/plan-file';
import { openStore } from '../src/store';
import { directoryFor, percentile, SEED } from './scale';

const REQUESTS = 50;

async function timed(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS + 2; i++) {
    const t0 = performance.now();
    await fn();
    if (i >= 2) times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  for (const wanted of sizes.length ? sizes : [1000, 10000]) {
    const { directory } = directoryFor(wanted);
    const { plan } = importTableFile(SEED, { directory });
    const schedule = planSchedule(plan, directory);
    const name = `duban_readmodel_${Date.now()}`;
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const store = await openStore({ kind: 'postgres', url: `postgres://postgres@127.0.0.1:5432/${name}` });
    try {
      const t0 = performance.now();
      let obligations = 0;
      let items = 0;
      const nowMs = Date.parse('2017-09-29T09:00:00+08:00');
      for (const unit of schedule.units) {
        for (const spec of unit.obligations) {
          const overview: ObligationOverview = {
            planId: plan.id,
            unitCode: unit.unitCode,
            taskNo: spec.taskNo,
            obligation: spec.obligation,
            obligationId: spec.id,
            closed: false,
            asOfMs: nowMs,
            seq: 1,
            // States spread over the year as the clock passes the due dates: some done, some missed, some pending.
            items: spec.items.map((i, index) => ({
              period: i.period,
              due: i.due,
              state: deadlineEndMs(i.due) < nowMs ? (index % 3 === 0 ? 'missed' : 'on-time') : 'pending',
              fulfilledAt: null,
              extended: false,
              next: null,
              firstReminderAhead: true,
              windowOpensMs: deadlineEndMs(i.due) - 5 * 86_400_000,
            })),
          };
          await store.putOverview(overview, nowMs);
          obligations++;
          items += spec.items.length;
        }
      }
      const writeS = (performance.now() - t0) / 1000;
      const filter = { planId: plan.id, nowMs };
      const unitCode = schedule.units.at(-1)!.unitCode;
      const count = await timed(() => store.countOverviews(filter));
      // What a page of the dashboard's matrix asks: the first 60 units' cells, and the whole plan's lights.
      const units = schedule.units.map((u) => u.unitCode);
      const matrixPage = await timed(() => store.countOverviews({ ...filter, units: units.slice(0, 60) }));
      const totals = await timed(() => store.countOverviewLights({ ...filter, units }));
      const page = await timed(() => store.listOverviews({ ...filter, limit: 100, offset: 0 }));
      const red = await timed(() => store.listOverviews({ ...filter, light: 'red', limit: 100, offset: 0 }));
      const unit = await timed(() => store.listOverviews({ ...filter, unitCode }));
      const all = await timed(() => store.listOverviews(filter));
      const f = (t: { p50: number; p95: number }) => `${t.p50.toFixed(1)}/${t.p95.toFixed(1)} ms`;
      console.log(
        `read-model: obligations=${obligations} items=${items} write_s=${writeS.toFixed(1)} ` +
          `(${(obligations / writeS).toFixed(0)}/s) p50/p95: matrix count ${f(count)}, matrix page of 60 units ${f(matrixPage)}, plan totals ${f(totals)}, page of 100 ${f(page)}, ` +
          `red page ${f(red)}, one unit ${f(unit)}, every row ${f(all)}`,
      );
    } finally {
      await store.close();
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
