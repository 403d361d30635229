/**
 * Report-to-`opened`-notice latency on the dev server: reports N incidents one after another (each occurred a
 * minute ago) and times each from the start call until the officer's message is accepted by a loopback SMTP
 * server, through the real activities, SQLite outbox and dispatcher. Prints p50, p99 and max. Not a timed test.
 *
 *   npx tsx bench/emergency-latency.ts [N]   (Default: 100)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createDubanClient } from '../src/service';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../src/import/directory';
import { importTableFile } from '../src/import/plan-file';
import { Dispatcher } from '../src/mail/dispatcher';
import { smtpMailer } from '../src/mail/transport';
import { openStore } from '../src/store';
import { ensureExecutables } from '../src/temporal/executables';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../src/temporal/worker';
import { searchAttributes } from '../workflows/search-attributes';
import { TestSmtpServer } from '../test/mail/smtp';

const runs = Number(process.argv[2] ?? 100);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-'));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureExecutables().cli },
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--log-level', 'error'],
    },
  });
  const smtp = new TestSmtpServer();
  await smtp.start();
  const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
  const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const { plan } = importTableFile(path.resolve(__dirname, '../examples/fujian-2017/tasks.txt'), { directory });
  const duban = createDubanClient({ client: env.client, plan, directory, taskQueue: 'bench' });
  const mailer = smtpMailer(smtp.url, 'duban <duban@duban.test>', true);
  const dispatcher = new Dispatcher({ store, mailer, directory, logger: silent });
  dispatcher.start();
  const activities = createActivities({ store, directory, mailer, dispatcher, logger: silent });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'bench',
    workflowsPath: WORKFLOWS_PATH,
    bundlerOptions: BUNDLER_OPTIONS,
    activities,
  });
  const latencies: number[] = [];
  await worker.runUntil(async () => {
    for (let i = -5; i < runs; i++) {
      const id = `bench-${process.pid}-${i + 5}`;
      const officerMessages = () =>
        smtp.received.filter((m) => m.envelopeTo.includes('fuzhou.officer@duban.example') && m.raw.includes(id)).length;
      const start = performance.now();
      await duban.incidents.report({
        unit: '福州市',
        incidentId: id,
        level: '重大',
        summary: 'bench',
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      });
      while (officerMessages() === 0) await new Promise((r) => setTimeout(r, 2));
      // The first five warm up the worker's caches and the SMTP connection; they are not counted.
      if (i >= 0) latencies.push(performance.now() - start);
    }
  });
  await dispatcher.stop();
  mailer.close();
  await smtp.stop();
  await store.close();
  await env.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `report → opened notice at SMTP (dev server, SQLite outbox, ${runs} incidents): ` +
      `p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, ` +
      `max ${sorted.at(-1)?.toFixed(0)} ms`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
