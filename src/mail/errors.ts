/** Mail input errors with stable types; activities turn them into non-retryable ApplicationFailures. */
import { addressProblem, breaksMailHeader } from '../domain/contact';

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

/**
 * Refuses a value bound for a mail header if it could end the header (CR/LF) or smuggle another in.
 * `field` names what it was (e.g. `officer name of fj-czt`); the value itself is never put in the message.
 */
export function assertHeaderSafe(value: string, field: string): void {
  if (breaksMailHeader(value)) {
    throw new MailInputError(
      `${field} contains a line break or control character; refusing it as a mail header`,
      'HeaderInjection',
    );
  }
}

/**
 * Refuses anything but a plain `local@domain` address (after the header check), by the same rule the directory
 * loaders apply (src/domain/contact.ts), so an address refused here was already refused at load.
 */
export function assertAddress(address: string, field: string): void {
  assertHeaderSafe(address, field);
  const problem = addressProblem(address);
  if (problem) throw new MailInputError(`${field} is not a plain e-mail address: ${problem.reason}`, 'InvalidAddress');
}
