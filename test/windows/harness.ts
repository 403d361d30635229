/**
 * The time-skipping server with a real worker for the event-driven window tests: real activities over a temp
 * SQLite store and the .eml mailer, the bundled Fujian directory, and a plan clock shifted onto a past year.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createDubanClient, type DubanClient } from '../../src/service';
import type { Directory } from '../../src/domain/directory';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { Dispatcher } from '../../src/mail/dispatcher';
import { emlMailer } from '../../src/mail/transport';
import type { NoticeRecord, Store } from '../../src/store';
import { type OpenedStore, openTestStore } from '../store/stores';
import { createTimeSkippingEnv, workflowBundle } from '../helpers/temporal';

export const PLAN_ID = 'fj-2017-zwgk';

export interface WindowHarness {
  env: TestWorkflowEnvironment;
  store: Store;
  directory: Directory;
  taskQueue: string;
  /** The client layer on the seed plan, with the plan clock as it is now (call after {@link startClockAt}). */
  duban(): DubanClient;
  /** Runs `fn` with a worker polling the task queue. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  /** Plan time = server time + shift, set by {@link startClockAt}. */
  shift(): number;
  /** Shifts the plan clock so that "now" is `iso` (call before starting a workflow). */
  startClockAt(iso: string): Promise<void>;
  /** Skips server time until plan time `iso`. */
  sleepUntil(iso: string): Promise<void>;
  /** Plan now, epoch ms. */
  now(): Promise<number>;
  /** Notices of one incident or request, as `obligation stage at → addresses`. */
  notices(period: string): Promise<string[]>;
  noticeRecords(period: string): Promise<NoticeRecord[]>;
  dispose(): Promise<void>;
}

/** Builds the harness; call `dispose` in `afterAll`. */
export async function createWindowHarness(): Promise<WindowHarness> {
  const env = await createTimeSkippingEnv();
  const opened: OpenedStore = await openTestStore('sqlite');
  const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-windows-'));
  const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const mailer = emlMailer(outbox, 'duban <duban@duban.test>');
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const dispatcher = new Dispatcher({ store: opened.store, mailer, directory, logger: silent }, { graceMs: 50 });
  const activities = createActivities({ store: opened.store, directory, mailer, dispatcher, logger: silent });
  const taskQueue = `windows-${Math.random().toString(36).slice(2, 8)}`;
  const bundle = await workflowBundle();
  let shift = 0;
  const now = async () => (await env.currentTimeMs()) + shift;
  const noticeRecords = (period: string) => opened.store.listNotices({ planId: PLAN_ID, period });
  const { plan } = importTableFile(path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt'), { directory });
  return {
    env,
    store: opened.store,
    directory,
    taskQueue,
    duban: () =>
      createDubanClient({
        client: env.client,
        plan,
        directory,
        taskQueue,
        timeShiftMs: shift,
        now,
        searchAttributes: false,
      }),
    async withWorker(fn) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities,
      });
      return worker.runUntil(fn);
    },
    shift: () => shift,
    async startClockAt(iso) {
      shift = Date.parse(iso) - (await env.currentTimeMs());
    },
    async sleepUntil(iso) {
      const wait = Date.parse(iso) - (await now());
      if (wait > 0) await env.sleep(wait);
      // Let the activities the timers released finish writing before the test reads the store.
      await new Promise((r) => setTimeout(r, 300));
    },
    now,
    noticeRecords,
    async notices(period) {
      return (await noticeRecords(period)).map(
        (n) => `${n.obligation} ${n.stage} ${n.at} → ${n.recipients.map((r) => r.address).join(', ')}`,
      );
    },
    async dispose() {
      await dispatcher.stop();
      await env.teardown();
      await opened.dispose();
      fs.rmSync(outbox, { recursive: true, force: true });
    },
  };
}
