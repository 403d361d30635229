/**
 * Incident and request workflows (task 55's and task 60's event-driven windows) around their start and their end.
 * Temporal answers a query only once a new workflow's first task has run, and says "not ready" until then: the page
 * right after a report reads the new workflow directly, so it waits a little. A workflow that has ended (a request
 * answered, both steps of an incident done) takes no more updates, and the client calls that "no such workflow";
 * after reading it, the HTTP layer knows better and answers 409.
 */
import { isRefusal } from '../../service';
import { type HttpError, toHttpError } from '../errors';

/** Whether Temporal said the workflow cannot answer queries yet. */
export function isNotReady(err: unknown): boolean {
  if (isRefusal(err)) return false;
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const { message, details, cause } = e as { message?: unknown; details?: unknown; cause?: unknown };
    const text = `${String(message)} ${String(details)}`;
    if (/not ready|first workflow task|workflow task[^.]*not (yet )?(scheduled|started|completed)/i.test(text))
      return true;
    e = cause;
  }
  return false;
}

/** Runs `read`, retrying while the workflow is not ready for queries. (Default: up to 10 s, every 200 ms) */
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

/**
 * Runs a change on a workflow that was just read: a "no such workflow" refusal now means it has ended, answered as
 * `ended` (409).
 */
export async function onRead<T>(change: () => Promise<T>, ended: () => HttpError): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (toHttpError(err).type === 'UnknownObligation') throw ended();
    throw err;
  }
}
