import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openActivityRuntime } from '../../activities/runtime';
import { directory, notice } from '../mail/fixtures';
import { memoryLogger } from '../mail/smtp';

describe('activity runtime with no configuration', () => {
  it('keeps the store in DUBAN_DATA_DIR and leaves readable .eml files in its outbox when closed', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-runtime-'));
    try {
      const runtime = await openActivityRuntime({
        directory,
        env: { DUBAN_DATA_DIR: dataDir },
        logger: memoryLogger().logger,
      });
      await runtime.activities.sendNotice(notice({ taskNo: 1 }));
      await runtime.activities.sendNotice(notice({ taskNo: 2 }));
      // Closed inside the grace: the drain still sends, as one digest.
      await runtime.close();
      expect(fs.existsSync(path.join(dataDir, 'duban.sqlite'))).toBe(true);
      const files = fs.readdirSync(path.join(dataDir, 'outbox'));
      expect(files).toHaveLength(1);
      expect(fs.readFileSync(path.join(dataDir, 'outbox', files[0]!), 'utf8')).toMatch(/^Subject: =\?UTF-8\?/m);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
