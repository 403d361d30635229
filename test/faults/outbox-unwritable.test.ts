/**
 * The `.eml` outbox folder cannot be written: its disk is full (ENOSPC), it is read-only (EROFS), or its path runs
 * through a file (ENOTDIR). The dispatcher keeps every row queued, says so in one line per round with the error
 * code and the counts, and once the folder is writable again delivers everything exactly once.
 *
 * Full and read-only are a real tmpfs mounted for the test (tests run as root here); where mounting is not allowed
 * those two cases are skipped and say so, and the ENOTDIR case still runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createActivities } from '../../activities';
import { Dispatcher, type DispatcherOptions } from '../../src/mail/dispatcher';
import { emlMailer } from '../../src/mail/transport';
import { outboxMessageIds } from '../helpers/fault';
import { directory, notice } from '../mail/fixtures';
import { memoryLogger } from '../mail/smtp';
import { type OpenedStore, openTestStore } from '../store/stores';

const FAST: DispatcherOptions = { graceMs: 50, pollMs: 100, retryBaseMs: 150, retryMaxMs: 300, leaseMs: 60_000 };

/** Whether this process may mount a tmpfs (root, or CAP_SYS_ADMIN); probed once with a throw-away mount. */
function canMountTmpfs(): boolean {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const MOUNTABLE = canMountTmpfs();
if (!MOUNTABLE) console.warn('outbox faults: cannot mount a tmpfs here; the disk-full and read-only cases are skipped');
const onTmpfs = MOUNTABLE ? it : it.skip;

describe('an outbox folder that cannot be written', () => {
  let root: string;
  let opened: OpenedStore;
  let dispatcher: Dispatcher;
  let log: ReturnType<typeof memoryLogger>;
  let mounted: string | undefined;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-outbox-fault-'));
    opened = await openTestStore('sqlite');
    log = memoryLogger();
  });

  afterEach(async () => {
    await dispatcher?.stop();
    await opened.dispose();
    if (mounted) execFileSync('umount', [mounted]);
    mounted = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });

  /**
   * Queues seven deliveries in three digests (officer and head at 09:00, officer at 10:00) through the activity,
   * with the dispatcher held until all are in, then starts it.
   */
  async function queueNotices(outbox: string): Promise<string[]> {
    const mailer = emlMailer(outbox, 'duban <duban@duban.test>');
    dispatcher = new Dispatcher({ store: opened.store, mailer, directory, logger: log.logger }, FAST);
    await dispatcher.stop();
    const activities = createActivities({ store: opened.store, directory, mailer, dispatcher });
    const keys: string[] = [];
    for (const taskNo of [1, 2, 3]) {
      const n = notice({ taskNo, notify: ['officer', 'head'] });
      await activities.sendNotice(n);
      keys.push(n.key);
    }
    const late = notice({ taskNo: 4, at: '2017-12-22T10:00:00+08:00' });
    await activities.sendNotice(late);
    keys.push(late.key);
    // Past the grace: the first round finds all three digests due.
    await new Promise((r) => setTimeout(r, 2 * FAST.graceMs!));
    dispatcher.start();
    return keys;
  }

  /** While the fault lasts: round after round fails, every row stays queued, and operators read it once. */
  async function expectKeptQueued(outbox: string, code: string, keys: string[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 1_500));
    const counts = await opened.store.countDeliveries();
    expect(counts).toMatchObject({ sent: 0, failed: 0, undeliverable: 0 });
    expect(counts.queued + counts.sending).toBe(7);
    expect(outboxMessageIds(outbox)).toEqual([]);
    // Retried, not given up: several attempts each in 1.5 s at this pace, each failure on record in the store.
    const deliveries = (await Promise.all(keys.map((k) => opened.store.deliveriesOf(k)))).flat();
    expect(Math.min(...deliveries.map((d) => d.attempts))).toBeGreaterThanOrEqual(3);
    for (const d of deliveries) expect(d.lastError).toContain(code);
    // One line for the whole outage so far: the error code, what is held, and no stack; not one per digest or retry.
    const failures = log.lines.filter((l) => l.level !== 'info');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toContain(code);
    expect(failures[0]!.message).toContain('3 digests (7 deliveries) not sent');
    expect(failures[0]!.message).toContain('7 deliveries kept queued');
    expect(failures[0]!.message).not.toContain('\n');
    // A failed write leaves no half-written file behind.
    if (fs.existsSync(outbox) && fs.statSync(outbox).isDirectory()) expect(fs.readdirSync(outbox)).toEqual([]);
  }

  /** Once writable again: every delivery sent exactly once, one .eml file per digest, and the recovery said. */
  async function expectDeliveredOnce(outbox: string, keys: string[]): Promise<void> {
    for (const key of keys) await dispatcher.waitForDelivery(key, 5_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await opened.store.countDeliveries()).toMatchObject({ queued: 0, sending: 0, sent: 7 });
    const sent = new Set<string>();
    for (const key of keys) for (const d of await opened.store.deliveriesOf(key)) sent.add(d.messageId!);
    expect(sent.size).toBe(3);
    expect(outboxMessageIds(outbox).sort()).toEqual([...sent].sort());
    expect(log.lines.some((l) => l.level === 'info' && /outbox sending again/.test(l.message))).toBe(true);
  }

  function mountTmpfs(dir: string, sizeKb: number): void {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
    mounted = dir;
  }

  onTmpfs('keeps every row queued on a full disk (ENOSPC) and sends each once when space is freed', async () => {
    const disk = path.join(root, 'disk');
    mountTmpfs(disk, 64);
    const outbox = path.join(disk, 'outbox');
    fs.mkdirSync(outbox);
    // Fill the disk to its last byte.
    const filler = path.join(disk, 'filler');
    const fd = fs.openSync(filler, 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const keys = await queueNotices(outbox);
    await expectKeptQueued(outbox, 'ENOSPC', keys);
    fs.rmSync(filler);
    await expectDeliveredOnce(outbox, keys);
  });

  onTmpfs('keeps every row queued on a read-only folder (EROFS) and sends each once when it is writable', async () => {
    const disk = path.join(root, 'disk');
    mountTmpfs(disk, 1024);
    const outbox = path.join(disk, 'outbox');
    fs.mkdirSync(outbox);
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const keys = await queueNotices(outbox);
    await expectKeptQueued(outbox, 'EROFS', keys);
    execFileSync('mount', ['-o', 'remount,rw', disk]);
    await expectDeliveredOnce(outbox, keys);
  });

  it('keeps every row queued while the outbox path runs through a file (ENOTDIR) and sends each once after', async () => {
    const parent = path.join(root, 'data');
    fs.writeFileSync(parent, 'not a folder');
    const outbox = path.join(parent, 'outbox');
    const keys = await queueNotices(outbox);
    await expectKeptQueued(outbox, 'ENOTDIR', keys);
    fs.rmSync(parent);
    fs.mkdirSync(parent);
    await expectDeliveredOnce(outbox, keys);
  });
});
