/**
 * Refusals as the client layer raises them: one error class with a stable {@link RefusalType}, and one mapping of
 * what Temporal throws (a validator's `ApplicationFailure`, a missing workflow) to it. The CLI, the HTTP API, the
 * simulator and the tests all see the same types.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { isRefusalType, type RefusalType } from '../domain/refusals';

export type { RefusalType } from '../domain/refusals';

/** A refusal: nothing was changed. `type` is stable; callers check it rather than the message. */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    message: string,
    readonly type: RefusalType,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for a {@link Refusal} from any realm (jest module registries, bundles). */
export function isRefusal(err: unknown): err is Refusal {
  return (err as { name?: string } | null)?.name === 'Refusal' && isRefusalType((err as Refusal).type);
}

const named = (err: unknown, name: string): boolean => (err as { name?: string } | null)?.name === name;

/** Whether Temporal said the workflow does not exist (or has no run that takes the message). */
export function isNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || named(err, 'WorkflowNotFoundError');
}

/** Whether a start found a workflow with that ID already (running or ended). */
export function isAlreadyStarted(err: unknown): boolean {
  return named(err, 'WorkflowExecutionAlreadyStartedError');
}

/** What a refused call was about, for messages. */
export interface RefusalContext {
  /** What the call addressed, e.g. `implementation-plan of 省财政厅 (fj-czt)` or `incident flood-0710`. */
  what: string;
  /** What it tried, e.g. `fulfil`. */
  action: string;
  workflowId: string;
  /**
   * For a workflow that was not found: how it ended, when it did (it completed and takes no more updates) rather
   * than never existed. (Default: treated as never started)
   */
  endedAs?: () => Promise<string | undefined>;
}

/**
 * The {@link Refusal} that `err` is or carries: a Refusal itself, or the first error of its cause chain with a
 * refusal type (a validator's or handler's `ApplicationFailure` behind a failed update), keeping its message.
 * Undefined for anything else, a `type` outside the union included.
 */
export function refusalIn(err: unknown): Refusal | undefined {
  if (isRefusal(err)) return err;
  let e: unknown = err;
  for (let depth = 0; e && depth < 8; depth++) {
    const { type, message, cause } = e as { type?: unknown; message?: unknown; cause?: unknown };
    if (isRefusalType(type)) return new Refusal(typeof message === 'string' ? message : type, type, { cause: err });
    e = cause;
  }
  return undefined;
}

/**
 * Turns what Temporal threw at a call into a {@link Refusal} when it is one: see {@link refusalIn}; a missing
 * workflow is `AlreadyClosed` when it ended and `UnknownObligation` when it never existed. Anything else
 * (connection lost, timeouts) is rethrown as it is.
 */
export async function asRefusal(err: unknown, context: RefusalContext): Promise<never> {
  const refusal = refusalIn(err);
  if (refusal) throw refusal;
  if (isNotFound(err)) {
    const ended = await context.endedAs?.().catch(() => undefined);
    if (ended)
      throw new Refusal(`${context.what} has ended (${ended}); cannot ${context.action}`, 'AlreadyClosed', {
        cause: err,
      });
    throw new Refusal(
      `${context.what}: no workflow ${context.workflowId} (not started, or the unit was not designated)`,
      'UnknownObligation',
      { cause: err },
    );
  }
  throw err;
}
