import type { BackfillReport } from '../../service';
import { type Command, EXIT_CODES } from '../command';
import { FLAGS, PLAN_FLAGS, loadPlan, openStoreOrFail, printResult, progressBar, withDuban } from '../kit';
import { startConcurrency } from './start';

/** `backfilled 3 of 5 obligation workflows without an overview (40 in all, 35 had one); …` */
export function backfillSummary(r: BackfillReport): string {
  const had = r.workflows - r.missing;
  const parts = [
    r.workflows === 0
      ? `no obligation workflow to look at (${r.units} units answered)`
      : r.missing === 0
        ? `every one of ${r.workflows} obligation workflows (${r.units} units) has its overview: nothing to backfill`
        : `backfilled ${r.backfilled} of ${r.missing} obligation workflows without an overview ` +
          `(${r.workflows} in all, ${had} had one; ${r.units} units)`,
  ];
  if (r.gone > 0) parts.push(`${r.gone} no longer known to the server`);
  if (r.notDone > 0) parts.push(`${r.notDone} left for the next run (stopped)`);
  if (r.failed.length > 0)
    parts.push(
      `${r.failed.length} did not answer (the next run tries again): ` +
        r.failed
          .slice(0, 3)
          .map((f) => `${f.workflowId}: ${f.error}`)
          .join('; ') +
        (r.failed.length > 3 ? ` and ${r.failed.length - 3} more` : ''),
    );
  return `plan ${r.planId}: ${parts.join('; ')}`;
}

/** `duban read-model rebuild`: writes the overviews the store's read model lacks, from the workflows' queries. */
export const readModelRebuildCommand: Command = {
  path: ['read-model', 'rebuild'],
  summary: "fill the store's read model (what status and the dashboard read) for workflows that have no overview in it",
  description: [
    'Obligation workflows started by a duban from before the read model write their overview only at their',
    'next activation; until then status and the dashboard miss them. This lists every unit workflow of the plan',
    'and its obligations, finds those with no overview in the store, queries each one (a worker must run:',
    'duban start) and writes what it answers, with progress on stderr. A workflow writing its own overview at the',
    'same time always wins. When every overview exists nothing is queried or written. duban start does the same',
    'for its plan once the worker is up. DUBAN_START_CONCURRENCY sets the concurrent queries (default 16).',
    '',
    'Exit 0 when every missing overview was written (or none was missing), 1 when some workflow did not answer',
    '(run it again) or the store cannot be opened, 2 for bad flags, 4 when the Temporal server cannot be reached.',
  ],
  flags: [...PLAN_FLAGS, FLAGS.json],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const { plan } = loaded;
    // The read model is the store's: without one there is nothing to fill, and that is a failure, not a fallback.
    const store = await openStoreOrFail();
    try {
      const concurrency = startConcurrency();
      const report = await withDuban(
        loaded,
        (d) =>
          d.obligations.backfillReadModel(store, {
            concurrency,
            onProgress: progressBar(`duban: querying the overviews of plan ${plan.id}`, 'workflows'),
          }),
        store,
      );
      printResult(values, report, () => `duban: ${backfillSummary(report)}`);
      return report.failed.length > 0 || report.notDone > 0 ? EXIT_CODES.failure : EXIT_CODES.ok;
    } finally {
      await store.close().catch(() => undefined);
    }
  },
};
