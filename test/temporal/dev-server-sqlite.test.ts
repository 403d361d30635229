/**
 * The embedded dev server keeps its state in a SQLite file in write-ahead-log mode (`synchronous=full` is a setting of
 * the server's own connection, not of the file, so it is not read back here): a workflow whose start the server
 * acknowledged is still there after the server is killed with -9 and started again on the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import { loadTemporalConfig } from '../../src/temporal/config';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import { silentLogger } from '../../src/telemetry/logger';
import { freePort } from '../helpers/process';

jest.setTimeout(120_000);

describe('the dev server on its SQLite file', () => {
  let dir: string;
  let server: DevServer | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is in write-ahead-log mode, and keeps an acknowledged start across kill -9', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-dev-sqlite-'));
    const config = loadTemporalConfig({
      DUBAN_DATA_DIR: dir,
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
    });
    const started = await startDevServer(config, { logger: silentLogger });
    server = started;
    const connection = await Connection.connect({ address: started.address });
    const client = new Client({ connection });
    // No worker: the workflow waits for its first task, on the server's books only.
    await client.workflow.start('unitWorkflow', {
      taskQueue: 'nobody-polls',
      workflowId: 'kept-across-kill',
      args: [],
    });
    await connection.close();

    const db = new Database(started.dbFile, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }

    process.kill(started.pid, 'SIGKILL');
    await started.exited;
    server = await startDevServer(config, { logger: silentLogger });
    const again = await Connection.connect({ address: server.address });
    try {
      const described = await new Client({ connection: again }).workflow.getHandle('kept-across-kill').describe();
      expect(described.status.name).toBe('RUNNING');
    } finally {
      await again.close();
    }
  });
});
