/** HTTP errors and the mapping of workflow refusals to 409/422 with their message and stable type. */
import { isNotFound, refusalIn, type RefusalType } from '../service';

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
const CONFLICT_TYPES: ReadonlySet<RefusalType> = new Set<RefusalType>([
  'AlreadyClosed',
  'AlreadyDone',
  'SecondExtension',
]);
/** Refusals that mean "no such thing" (404). */
const NOT_FOUND_TYPES: ReadonlySet<RefusalType> = new Set<RefusalType>(['UnknownObligation']);

/**
 * Turns what the client layer (src/service) threw into an {@link HttpError}: refusals, as the client layer reads
 * them, keep their message and type (409 for state conflicts, 404 for unknown obligations, 400 for the client's
 * input checks, else 422); a missing workflow is 404; anything else 500.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const refusal = refusalIn(err);
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
  if (isNotFound(err)) return new HttpError(404, 'no such obligation workflow', 'NotFound');
  return new HttpError(500, 'internal error', 'InternalError');
}
