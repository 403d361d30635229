import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadTemporalConfig } from '../../src/temporal/config';
import { startDevServer } from '../../src/temporal/dev-server';
import { alive, freePort, spawnDuban } from '../helpers/process';
import { silentLogger } from '../../src/telemetry/logger';

jest.setTimeout(180_000);

/** The JSON log lines of a run (stderr is no terminal: every line is one), each parsed. */
function logLines(output: string): Record<string, unknown>[] {
  return output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function listWorkflowIds(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const ids: string[] = [];
    for await (const wf of client.workflow.list()) ids.push(wf.workflowId);
    return ids;
  } finally {
    await connection.close();
  }
}

/** Pids of the processes whose command line names `text`: the dev server names its state file in the data dir. */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        // Gone while we looked.
        return false;
      }
    })
    .map(Number);
}

describe('duban start (the main job)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'duban-start-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the dev server and worker, stops both on SIGTERM, and keeps workflows across restarts', async () => {
    const env = {
      DUBAN_DATA_DIR: dataDir,
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
    };
    const address = `127.0.0.1:${env.DUBAN_DEV_SERVER_PORT}`;
    const first = spawnDuban(['start'], env);
    await first.waitFor('ready. Temporal Web UI: http://127.0.0.1:', 90_000);
    // The example's year (2017) is over: it runs as a rehearsal shifted to the present, labelled on every line.
    const lines = logLines(first.output());
    expect(lines[0]).toEqual(
      expect.objectContaining({ label: '演练 rehearsal', msg: expect.stringMatching(/^the example plan's year 2017/) }),
    );
    expect(lines.find((l) => String(l.msg).startsWith('worker polling'))).toHaveProperty('label', '演练 rehearsal');
    expect(lines.filter((l) => l.label !== '演练 rehearsal')).toEqual([]);
    const rehearsal = JSON.parse(readFileSync(path.join(dataDir, 'rehearsals', 'fj-2017-zwgk.json'), 'utf8'));
    expect(Math.abs(rehearsal.timeShiftMs % 86_400_000)).toBe(0);
    // …with green, yellow and red lights at once, as a newcomer should see them.
    let lights = new Set<string>();
    for (let i = 0; i < 60 && lights.size < 3; i++) {
      const status = spawnDuban(['status', '--unit', '福州市', '--json'], env);
      if ((await status.exit) === 0)
        lights = new Set((JSON.parse(status.stdout()).rows as { light: string }[]).map((r) => r.light));
      if (lights.size < 3) await new Promise((r) => setTimeout(r, 1000));
    }
    expect([...lights].sort()).toEqual(['green', 'red', 'yellow']);
    const serverPid = Number(readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
    expect(alive(serverPid)).toBe(true);

    const connection = await Connection.connect({ address });
    await new Client({ connection }).workflow.start('notRegisteredAnywhere', {
      taskQueue: 'nobody-polls-this',
      workflowId: 'survives-restart',
    });
    await connection.close();

    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(alive(serverPid)).toBe(false);

    const second = spawnDuban(['start'], env);
    await second.waitFor('worker polling', 90_000);
    expect(await listWorkflowIds(address)).toContain('survives-restart');
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('answers 503 on /readyz while the embedded dev server does not answer, and restarts it when it dies, workflows kept', async () => {
    const httpPort = await freePort();
    const env = {
      DUBAN_DATA_DIR: dataDir,
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
      DUBAN_HTTP_PORT: String(httpPort),
    };
    const readyz = async (): Promise<number> => {
      try {
        return (await fetch(`http://127.0.0.1:${httpPort}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;
      } catch {
        return 0;
      }
    };
    const start = spawnDuban(['start'], env);
    try {
      await start.waitFor('ready. Temporal Web UI: http://127.0.0.1:', 90_000);
      expect(await readyz()).toBe(200);
      // The example plan: 51 unit workflows and their 372 obligations, once visibility has them all.
      let before: string[] = [];
      for (let i = 0; i < 60 && before.length < 423; i++) {
        before = await listWorkflowIds(`127.0.0.1:${env.DUBAN_DEV_SERVER_PORT}`);
        if (before.length < 423) await new Promise((r) => setTimeout(r, 500));
      }
      expect(before.length).toBe(423);
      const serverPid = Number(readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
      const until = async (status: number): Promise<number[]> => {
        const seen: number[] = [];
        for (let i = 0; i < 120 && seen.at(-1) !== status; i++) {
          seen.push(await readyz());
          if (seen.at(-1) !== status) await new Promise((r) => setTimeout(r, 250));
        }
        return seen;
      };
      // A server that does not answer (stopped): not ready until it answers again.
      process.kill(serverPid, 'SIGSTOP');
      expect((await until(503)).at(-1)).toBe(503);
      process.kill(serverPid, 'SIGCONT');
      expect((await until(200)).at(-1)).toBe(200);
      // A server that died is started again on its state file; the client's retries may hide the gap from /readyz.
      process.kill(serverPid, 'SIGKILL');
      await start.waitFor('Temporal dev server restarted on', 60_000);
      expect((await until(200)).at(-1)).toBe(200);
      expect(start.output()).toContain('the Temporal dev server exited unexpectedly');
      expect(start.output()).toContain('Temporal dev server restarted on');
      const newPid = Number(readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
      expect(newPid).not.toBe(serverPid);
      expect(alive(newPid)).toBe(true);
      expect((await listWorkflowIds(`127.0.0.1:${env.DUBAN_DEV_SERVER_PORT}`)).sort()).toEqual(before.sort());
      start.child.kill('SIGTERM');
      expect(await start.exit).toBe(0);
      expect(alive(newPid)).toBe(false);
    } finally {
      start.child.kill('SIGKILL');
    }
  });

  it('exits non-zero when the server is lost for longer than the retry bound', async () => {
    const port = await freePort();
    const config = loadTemporalConfig({
      DUBAN_DATA_DIR: path.join(dataDir, 'server'),
      DUBAN_DEV_SERVER_PORT: String(port),
      DUBAN_DEV_UI_PORT: String(await freePort()),
    });
    const server = await startDevServer(config, { logger: silentLogger });
    const worker = spawnDuban(['start'], {
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      DUBAN_DATA_DIR: dataDir,
      DUBAN_SERVER_LOSS_TIMEOUT_S: '3',
    });
    try {
      await worker.waitFor('worker polling', 90_000);
      await server.stop();
      const lostAt = Date.now();
      expect(await worker.exit).toBe(1);
      expect(Date.now() - lostAt).toBeLessThan(40_000);
      expect(worker.output()).toContain('lost the Temporal server');
    } finally {
      worker.child.kill('SIGKILL');
      await server.stop();
    }
  });

  it('stops everything within seconds on Ctrl-C while the worker is still being created', async () => {
    const env = {
      DUBAN_DATA_DIR: dataDir,
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
    };
    const start = spawnDuban(['start'], env);
    // The dev server is up; the worker is bundling its workflow code for some seconds: the window of the bug.
    await start.waitFor('Temporal dev server on', 90_000);
    const serverPid = Number(readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
    const signalled = Date.now();
    start.child.kill('SIGINT');
    expect(await start.exit).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(15_000);
    expect(start.output()).not.toContain('IllegalStateError');
    expect(start.output()).not.toContain('worker polling');
    expect(alive(serverPid)).toBe(false);
  });

  // Each stage of start-up begins with its log line; the signal comes the moment that line is out.
  const LATER: Record<string, string[]> = {
    'the dev server is starting': ['worker polling', 'starting plan', 'starting the dashboard'],
    'the plan is starting': [' units/s', 'starting the dashboard', 'dashboard at'],
    'the dashboard is starting': [],
  };
  it.each([
    ['SIGTERM', 'the dev server is starting', 'starting the embedded Temporal dev server'],
    ['SIGINT', 'the dev server is starting', 'starting the embedded Temporal dev server'],
    ['SIGTERM', 'the plan is starting', 'starting plan fj-2017-zwgk'],
    ['SIGINT', 'the plan is starting', 'starting plan fj-2017-zwgk'],
    ['SIGTERM', 'the dashboard is starting', 'starting the dashboard'],
    ['SIGINT', 'the dashboard is starting', 'starting the dashboard'],
  ] as const)('stops everything within seconds, exit 0, on %s while %s', async (signal, stage, line) => {
    const start = spawnDuban(['start'], {
      DUBAN_DATA_DIR: dataDir,
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
      DUBAN_HTTP_PORT: String(await freePort()),
    });
    await start.waitFor(line, 90_000);
    const signalled = Date.now();
    start.child.kill(signal);
    expect(await start.exit).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(15_000);
    const output = start.output();
    expect(output).toContain(`${signal} received, stopping`);
    expect(output).not.toContain('IllegalStateError');
    // Nothing says it is ready once the signal is in, and no stage after the one signalled begins.
    const after = output.slice(output.indexOf(`${signal} received`));
    expect(after).not.toContain('ready.');
    for (const later of LATER[stage] ?? []) expect(after).not.toContain(later);
    expect(processesNaming(dataDir)).toEqual([]);
  });

  it('exits 4 when no server answers at start-up: one log line, no stack', async () => {
    const worker = spawnDuban(['start'], {
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      DUBAN_DATA_DIR: dataDir,
      DUBAN_SERVER_LOSS_TIMEOUT_S: '2',
    });
    expect(await worker.exit).toBe(4);
    const last = logLines(worker.output()).pop();
    expect(last).toEqual(
      expect.objectContaining({
        level: 'error',
        exitCode: 4,
        msg: expect.stringContaining('cannot reach the Temporal server'),
      }),
    );
    expect(worker.output()).not.toMatch(/\n\s+at /);
  });

  it.each([
    [
      'a store URL of another kind',
      { DATABASE_URL: 'mysql://db.example/duban' },
      2,
      /^invalid store configuration: DATABASE_URL: /,
    ],
    ['a malformed SMTP_URL', { SMTP_URL: 'not a url' }, 2, /^invalid mail configuration: SMTP_URL: /],
    ['a short operator token', { DUBAN_OPERATOR_TOKEN: 'short' }, 2, /^invalid configuration: DUBAN_OPERATOR_TOKEN: /],
    [
      'a PostgreSQL that does not answer',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/duban' },
      1,
      /^cannot open the store \(postgres:\/\/postgres@127\.0\.0\.1:1\/duban\): .*ECONNREFUSED/,
    ],
  ])('stops with %s before starting anything: one line, no stack', async (_what, bad, code, message) => {
    const start = spawnDuban(['start'], {
      DUBAN_DATA_DIR: dataDir,
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
      ...bad,
    });
    const began = Date.now();
    expect(await start.exit).toBe(code);
    expect(Date.now() - began).toBeLessThan(20_000);
    const lines = logLines(start.output()).filter((l) => !String(l.msg).startsWith('the example plan'));
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', msg: expect.stringMatching(message), exitCode: code }),
    ]);
    expect(start.output()).not.toContain('dev server');
  });
});
