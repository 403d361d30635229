/**
 * HTTP errors, the mapping of workflow refusals to 409/422 with their message and stable type, and how the API
 * answers an error: an RFC 9457 problem (`application/problem+json`).
 */
import { isRefusalType } from '../domain/refusals';
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
  'AlreadySignedFor',
  'NothingToSignFor',
  'SecondExtension',
]);
/** Refusals that mean "no such thing" (404). */
const NOT_FOUND_TYPES: ReadonlySet<RefusalType> = new Set<RefusalType>(['UnknownObligation']);

/** An error of the JSON API as RFC 9457 describes it, with duban's stable code and, for refusals, their type. */
export interface Problem {
  /** `urn:duban:problem:<code>`: stable, one per code. */
  type: string;
  /** The same for every problem of this code, e.g. `Refused by the workflow`. */
  title: string;
  status: number;
  /** This occurrence, in one line: the refusal's or the check's message. */
  detail: string;
  /** The short stable code: `InvalidPayload`, `Forbidden`, `AlreadyClosed`, … */
  code: string;
  /** The workflow's refusal type, when a workflow (or the client layer's checks) refused: one of `RefusalType`. */
  refusal?: RefusalType;
}

/** The type URI of a problem code. */
export const problemType = (code: string): string => `urn:duban:problem:${code}`;

/** Titles of the codes that are not refusals; a refusal's title says which kind of refusal it is. */
const TITLES: Record<string, string> = {
  InvalidPayload: 'Invalid request body or path',
  Unauthenticated: 'Authentication required',
  Forbidden: 'Not allowed for this caller',
  NotFound: 'No such resource',
  MethodNotAllowed: 'Method not allowed here',
  UnsupportedMediaType: 'Send JSON',
  PayloadTooLarge: 'Request body too large',
  TooManyAttempts: 'Too many wrong tokens',
  Csrf: 'Missing CSRF protection',
  AuditFailed: 'The audit log could not be written',
  UndecodablePayload: 'Payload could not be encoded or decoded',
  InternalError: 'Internal error',
  SignForLinkExpired: 'The sign-for link has expired',
  SignForLinkInvalid: 'Not a sign-for link',
};

/** The problem document of an error: its status, code and one-line message. */
export function problemOf(status: number, code: string, detail: string): Problem {
  const refusal = isRefusalType(code) ? code : undefined;
  const title =
    TITLES[code] ??
    (refusal === 'InvalidInput' ? 'Invalid input' : refusal ? 'Refused by the workflow' : `HTTP ${status}`);
  return { type: problemType(code), title, status, detail, code, ...(refusal ? { refusal } : {}) };
}

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
