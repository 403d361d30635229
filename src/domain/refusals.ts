/**
 * Why duban refuses a message or a call. Workflows throw `ApplicationFailure.nonRetryable(message, type)` with one
 * of these types, and the client layer raises the same types for what it refuses before reaching a workflow, so
 * the CLI, the HTTP API and tests check one union (a misspelt type is a compile error).
 */

/** Every stable refusal type. */
export const REFUSAL_TYPES = [
  // No such plan, unit, task, obligation, incident or request (or its workflow does not exist).
  'UnknownObligation',
  // A period label the obligation does not have, or several obligations match and none is named.
  'UnknownPeriod',
  // A recurring period fulfilled before it began.
  'PeriodNotBegun',
  'AmbiguousPeriod',
  // The obligation, period, incident or request has ended (fulfilled, waived, answered, closed).
  'AlreadyClosed',
  // An incident step recorded twice.
  'AlreadyDone',
  // A notice signed for (签收) a second time (its link used again), or nothing sent yet to sign for.
  'AlreadySignedFor',
  'NothingToSignFor',
  // Input that fails its check inside a workflow.
  'InvalidInstant',
  'InvalidEvidence',
  'InvalidExtension',
  'InvalidWaiver',
  'InvalidStep',
  'InvalidPause',
  'InvalidCorrection',
  'ReplyBeforeReceipt',
  // An information request may be extended once.
  'SecondExtension',
  // The task names no 省直有关部门, or a designation would start nothing.
  'InvalidDesignation',
  // A field failed validation before anything was sent.
  'InvalidInput',
] as const;

/** A stable refusal type; callers check it rather than the message. */
export type RefusalType = (typeof REFUSAL_TYPES)[number];

/** Whether `value` is one of {@link REFUSAL_TYPES}. */
export function isRefusalType(value: unknown): value is RefusalType {
  return typeof value === 'string' && (REFUSAL_TYPES as readonly string[]).includes(value);
}
