/**
 * `duban plan start` interrupted halfway and run again, as separate processes against a real dev server: first
 * Ctrl-C (SIGINT, stops between units), then kill -9 (no clean-up at all), then a run to the end. The last run
 * opens only what the first two left, counts the rest as already open, and the server holds every unit workflow
 * exactly once. No worker runs: `plan start` only opens the unit workflows (their obligations follow once one does),
 * and its counts say so: unit workflows started, and none of the obligation workflows existing yet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { unitWorkflowId } from '../../src/domain/ids';
import { planSchedule } from '../../src/domain/obligations';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { loadTemporalConfig } from '../../src/temporal/config';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import { silentLogger } from '../../src/telemetry/logger';
import { until } from '../helpers/fault';
import { type DubanProcess, execDuban, freePort, spawnDuban } from '../helpers/process';

jest.setTimeout(180_000);

const SEED = path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt');

/** `duban: starting plan X: 43/54 unit workflows, 12/s` → 43 */
const progressDone = (output: string): number[] =>
  [...output.matchAll(/starting plan \S+: (\d+)\/(\d+) unit workflows/g)].map((m) => Number(m[1]));

/** The counts of the closing line (`N unit workflows started, M already open`). */
function counts(output: string): { opened: number; alreadyOpen: number } {
  const m = /(\d+) unit workflows started, (\d+) already open/.exec(output);
  if (!m) throw new Error(`no counts in:\n${output}`);
  return { opened: Number(m[1]), alreadyOpen: Number(m[2]) };
}

describe('duban plan start, interrupted and run again', () => {
  let dir: string;
  let server: DevServer;
  let client: Client;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-plan-restart-'));
    const config = loadTemporalConfig({
      DUBAN_DATA_DIR: path.join(dir, 'temporal'),
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
    });
    server = await startDevServer(config, { logger: silentLogger });
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
  }, 120_000);

  afterAll(async () => {
    await client?.connection.close().catch(() => undefined);
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens only what is missing after Ctrl-C and after kill -9, each unit workflow once', async () => {
    const { plan } = importTableFile(SEED, { directory: loadDirectory(BUNDLED_DIRECTORY_PATH) });
    const schedule = planSchedule(plan, loadDirectory(BUNDLED_DIRECTORY_PATH));
    const total = schedule.units.length;
    const obligations = schedule.units.reduce((n, u) => n + u.obligations.length, 0);
    // One start call at a time, so a signal lands while most units are still to start.
    const env = { TEMPORAL_ADDRESS: server.address, DUBAN_DATA_DIR: dir, DUBAN_START_CONCURRENCY: '1' };
    const args = ['plan', 'start', '--plan', SEED];

    /** Runs a start and signals it once its progress passes `after` unit workflows. */
    const interrupted = async (signal: NodeJS.Signals, after: number): Promise<DubanProcess> => {
      const p = spawnDuban(args, env);
      await until(`progress past ${after}`, 60_000, async () => {
        if (p.child.exitCode !== null) throw new Error(`ended before the signal:\n${p.output()}`);
        return progressDone(p.output()).some((d) => d > after) ? true : undefined;
      });
      p.child.kill(signal);
      await p.exit;
      return p;
    };

    // 1. Ctrl-C after the first unit: it stops between units, says what it left, exits 1.
    const first = await interrupted('SIGINT', 0);
    expect(first.child.exitCode).toBe(1);
    expect(first.output()).toContain('start interrupted');
    const one = counts(first.output());
    expect(one.alreadyOpen).toBe(0);
    expect(one.opened).toBeGreaterThan(0);
    expect(one.opened).toBeLessThan(total);

    // 2. kill -9 once it has gone past what the first opened: no last word, some more units open.
    const second = await interrupted('SIGKILL', one.opened);
    expect(second.child.signalCode).toBe('SIGKILL');

    // 3. To the end: opens only the rest, counting the first two runs' units as already open.
    const third = await execDuban(args, env);
    expect(third.code).toBe(0);
    const three = counts(third.err);
    expect(three.alreadyOpen).toBeGreaterThan(one.opened);
    expect(three.opened + three.alreadyOpen).toBe(total);
    expect(third.err).toMatch(new RegExp(`starting plan ${plan.id}: ${total}/${total} unit workflows, \\d+/s`));
    // No worker runs the units, so none of their obligations exists: the start says so instead of counting them.
    expect(third.err).toContain(
      `0 of ${obligations} obligation workflows exist so far (their units open the rest once a worker runs them)`,
    );

    // 4. Once more: nothing left to open.
    const fourth = await execDuban(args, env);
    expect(counts(fourth.err)).toEqual({ opened: 0, alreadyOpen: total });

    // The server: every unit workflow of the plan, one run each.
    const expected = schedule.units.map((u) => unitWorkflowId(plan.id, u.unitCode)).sort();
    const ids = await until('every unit workflow listed', 30_000, async () => {
      const seen: string[] = [];
      for await (const w of client.workflow.list({ query: `WorkflowType = 'unitWorkflow'` })) seen.push(w.workflowId);
      return seen.length >= expected.length ? seen : undefined;
    });
    expect(ids.sort()).toEqual(expected);
    // Each unit got the installation's added holiday years (none here) in its input: it reads no store to start.
    const history = await client.workflow.getHandle(expected[0]!).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input = JSON.parse(Buffer.from(payload!.data!).toString('utf8')) as { holidayYears?: unknown };
    expect(input.holidayYears).toEqual([]);
    console.log(
      `plan start restart: run 1 started ${one.opened} unit workflows before Ctrl-C; run 3 started ` +
        `${three.opened}, ${three.alreadyOpen} already open`,
    );
  });
});
