/** HTTP errors and the mapping of workflow refusals to 409/422 with their message and stable type. */

/** An error with the HTTP status to answer and, for refusals, the refusal's `type`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

/** Refusals that mean "the obligation's state does not allow it" (409); every other refusal is 422. */
const CONFLICT_TYPES = new Set(['AlreadyClosed', 'AlreadyDone', 'SecondExtension']);
/** Refusals that mean "no such thing" (404). */
const NOT_FOUND_TYPES = new Set(['UnknownObligation']);

/** The first error in a cause chain that carries a string `type` (an ApplicationFailure, across realms). */
function refusalOf(err: unknown): { type: string; message: string } | null {
  let e: unknown = err;
  for (let depth = 0; e && depth < 8; depth++) {
    const candidate = e as { type?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.type === 'string' && candidate.type !== '' && typeof candidate.message === 'string') {
      return { type: candidate.type, message: candidate.message };
    }
    e = candidate.cause;
  }
  return null;
}

/**
 * Turns what the operator service threw into an {@link HttpError}: refusals keep their message and type (409 for
 * state conflicts, 404 for unknown obligations, 400 for the service's input checks, else 422); a missing workflow
 * is 404; anything else 500.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const refusal = refusalOf(err);
  if (refusal) {
    const status = CONFLICT_TYPES.has(refusal.type)
      ? 409
      : NOT_FOUND_TYPES.has(refusal.type)
        ? 404
        : refusal.type === 'InvalidInput'
          ? 400
          : 422;
    return new HttpError(status, refusal.message, refusal.type);
  }
  const name = (err as { name?: unknown })?.name;
  if (name === 'WorkflowNotFoundError') return new HttpError(404, 'no such obligation workflow', 'NotFound');
  return new HttpError(500, 'internal error', 'InternalError');
}
