/**
 * Incident and request workflows (task 55's and task 60's event-driven windows): who may see them, and their start
 * and their end.
 * Temporal answers a query only once a new workflow's first task has run, and says "not ready" until then: the page
 * right after a report reads the new workflow directly, so it waits a little. A workflow that has ended (a request
 * answered, both steps of an incident done) takes no more updates, and the client calls that "no such workflow";
 * after reading it, the HTTP layer knows better and answers 409.
 */
import { isRefusal } from '../../service';
import { mayAccessUnit, type Principal } from '../auth';
import type { ChangeTarget } from '../app';
import { HttpError, toHttpError } from '../errors';

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

/** One kind of window as the handlers guard it. */
export interface GuardedWindows<O extends { unitCode: string }, S extends { unitCode: string }> {
  /** e.g. `incident`. */
  noun: string;
  /** e.g. `an incident`. */
  one: string;
  /** The id's field in bodies, e.g. `incidentId`. */
  idField: string;
  overview(id: string): Promise<O>;
  status(id: string): Promise<S>;
}

/**
 * Who may see and act on which window. An officer sees their own unit's only; another unit's window and one that
 * does not exist look the same to them (403), and an id another unit has is only "taken".
 */
export function windowGuard<O extends { unitCode: string }, S extends { unitCode: string }>(
  kind: GuardedWindows<O, S>,
) {
  const notYours = (unitCode: string, id: string) =>
    new HttpError(403, `${kind.noun} '${id}' is not ${kind.one} of unit ${unitCode}`, 'Forbidden');
  return {
    /** The window, when the caller may see it; names its unit in `target` for the audit. */
    async visible(principal: Principal, id: string, target?: ChangeTarget): Promise<O> {
      let window: O;
      try {
        window = await fresh(() => kind.overview(id));
      } catch (err) {
        const e = toHttpError(err);
        if (e.status === 404 && principal.kind === 'officer') throw notYours(principal.unitCode, id);
        throw e;
      }
      if (target) target.unitCode = window.unitCode;
      if (principal.kind === 'officer' && !mayAccessUnit(principal, window.unitCode))
        throw notYours(principal.unitCode, id);
      return window;
    },

    /** Refuses an officer's new window whose id another unit's window has, without naming that unit. */
    async checkIdFree(principal: Principal, unitCode: string, id: string): Promise<void> {
      if (principal.kind !== 'officer') return;
      // The client's refusal of an id another unit has names that unit; an officer learns only that it is taken.
      const existing = await fresh(() => kind.status(id)).catch((err: unknown) => {
        if (toHttpError(err).status === 404) return null;
        throw err;
      });
      if (existing && existing.unitCode !== unitCode)
        throw new HttpError(
          400,
          `${kind.idField}: '${id}' is already taken under this plan; give this ${kind.noun} another id`,
          'InvalidInput',
        );
    },
  };
}
