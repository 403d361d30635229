/**
 * Reading a workflow that was started a moment ago: Temporal answers a query only once the workflow's first task
 * has run, and says "not ready" until then. The page right after a report or a receipt reads the new workflow
 * directly, so it waits a little rather than failing.
 */
import { isRefusal } from '../../client';

/** Whether Temporal said the workflow cannot answer queries yet. */
export function isNotReady(err: unknown): boolean {
  if (isRefusal(err)) return false;
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const { message, details, cause } = e as { message?: unknown; details?: unknown; cause?: unknown };
    if (/not ready|first workflow task|workflow task[^.]*not (yet )?(scheduled|started|completed)/i.test(`${message} ${details}`))
      return true;
    e = cause;
  }
  return false;
}

/**
 * Runs `read`, retrying while the workflow is not ready for queries. (Default: up to 10 s, every 200 ms)
 */
export async function fresh<T>(
  read: () => Promise<T>,
  options: { timeoutMs?: number; everyMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    try {
      return await read();
    } catch (err) {
      if (!isNotReady(err) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 200));
    }
  }
}
