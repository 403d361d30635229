/** Mail input errors with stable types; activities turn them into non-retryable ApplicationFailures. */

/** Stable failure types callers check (`err.type`), never the class. */
export type MailErrorType = 'UnknownUnit' | 'HeaderInjection' | 'InvalidAddress' | 'NoRecipients' | 'InvalidNotice';

/** A notice or contact that can never be sent as it is; retrying cannot help. */
export class MailInputError extends Error {
  override readonly name = 'MailInputError';
  constructor(
    message: string,
    readonly type: MailErrorType,
  ) {
    super(message);
  }
}

// C0 controls except TAB, DEL, and the Unicode line/paragraph separators some clients render as breaks.
// eslint-disable-next-line no-control-regex
const UNSAFE_HEADER_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/;

/**
 * Refuses a value bound for a mail header if it could end the header (CR/LF) or smuggle another in.
 * `field` names what it was (e.g. `officer name of fj-czt`); the value itself is never put in the message.
 */
export function assertHeaderSafe(value: string, field: string): void {
  if (UNSAFE_HEADER_CHARS.test(value)) {
    throw new MailInputError(
      `${field} contains a line break or control character; refusing it as a mail header`,
      'HeaderInjection',
    );
  }
}

// Deliberately narrow: one local part and one domain, no display-name syntax, no comments or quoting.
const ADDRESS = /^[^\s<>()[\]\\,;:@"]+@[^\s<>()[\]\\,;:@"]+\.[^\s<>()[\]\\,;:@"]+$/;

/** Refuses anything but a plain `local@domain` address (after the header check). */
export function assertAddress(address: string, field: string): void {
  assertHeaderSafe(address, field);
  if (!ADDRESS.test(address)) throw new MailInputError(`${field} is not a plain e-mail address`, 'InvalidAddress');
}
