/**
 * Policy files: JSON that overrides numbers of the default policy, validated with zod. Every error names the field
 * (`policy.deadline.escalations[0].notify[0]: …`), and a misspelt field is an error rather than silently ignored.
 */
import { z } from 'zod';
import { deepFreeze, firstIssue, got, integer, object } from './json-file';
import type { RecipientRole } from './notice';
import { DEFAULT_POLICY, type DeadlineRule, type EmergencyStepRule, type Policy } from './policy';

/** Thrown by {@link parsePolicy}; the message starts with the offending field's path, e.g. `policy.noticeHour`. */
export class PolicyError extends Error {
  /** Stable error type for callers. */
  readonly type = 'InvalidPolicy';
  override readonly name = 'PolicyError';
}

const ROLES = ['officer', 'head', 'lead-units', 'general-office'] as const satisfies readonly RecipientRole[];

/** Working-day offsets above this are rejected: they would be a typo, and each costs a calendar walk. */
const MAX_WORKING_DAYS = 250;
/** Emergency windows are counted in hours; a month is more than any regulation asks. */
const MAX_HOURS = 720;

/** Distinct integers in [min, max]. */
const integers = (min: number, max: number) =>
  z
    .array(integer(min, max), { error: (issue) => `expected an array of integers, got ${got(issue.input)}` })
    .check((ctx) => {
      const duplicate = ctx.value.find((v, i) => ctx.value.indexOf(v) !== i);
      if (duplicate !== undefined)
        ctx.issues.push({ code: 'custom', message: `${duplicate} appears twice`, input: ctx.value });
    });

const roles = z
  .array(z.enum(ROLES, { error: (issue) => `expected ${ROLES.join(' | ')}, got ${got(issue.input)}` }), {
    error: (issue) => `expected a non-empty array of ${ROLES.join(' | ')}, got ${got(issue.input)}`,
  })
  .min(1, { error: `expected a non-empty array of ${ROLES.join(' | ')}, got []` });

const escalation = object({ workingDaysAfter: integer(1, MAX_WORKING_DAYS), notify: roles });

const deadlineRule = object({
  remindWorkingDaysBefore: integers(0, MAX_WORKING_DAYS).optional(),
  remindNotify: roles.optional(),
  escalations: z
    .array(escalation, {
      error: (issue) => `expected an array of {workingDaysAfter, notify}, got ${got(issue.input)}`,
    })
    .check((ctx) => {
      ctx.value.forEach((e, i) => {
        const previous = ctx.value[i - 1];
        if (previous && e.workingDaysAfter <= previous.workingDaysAfter)
          ctx.issues.push({
            code: 'custom',
            message: 'must be greater than the step before',
            path: [i, 'workingDaysAfter'],
            input: e.workingDaysAfter,
          });
      });
    })
    .optional(),
});

const emergencyStep = object({
  withinHours: integer(1, MAX_HOURS).optional(),
  remindHoursBefore: integers(1, MAX_HOURS).optional(),
});

const policySchema = object({
  noticeHour: integer(0, 23).optional(),
  noticeMinute: integer(0, 59).optional(),
  deadline: deadlineRule.optional(),
  recurring: deadlineRule.optional(),
  emergency: object({
    information: emergencyStep.optional(),
    pressConference: emergencyStep.optional(),
    remindNotify: roles.optional(),
    openedNotify: roles.optional(),
    breachNotify: roles.optional(),
  }).optional(),
  informationRequest: object({
    replyWorkingDays2008: integer(1, MAX_WORKING_DAYS).optional(),
    replyWorkingDays2019: integer(1, MAX_WORKING_DAYS).optional(),
  }).optional(),
  signFor: object({
    escalateAfterWorkingHours: integer(1, MAX_WORKING_DAYS * 8),
    notify: roles.optional(),
  }).optional(),
});

function firstError(error: z.ZodError): PolicyError {
  return new PolicyError(firstIssue(error, policySchema, 'policy'));
}

function mergeDeadline(base: DeadlineRule, o: z.infer<typeof deadlineRule> | undefined): DeadlineRule {
  return {
    remindWorkingDaysBefore: o?.remindWorkingDaysBefore ?? base.remindWorkingDaysBefore,
    remindNotify: o?.remindNotify ?? base.remindNotify,
    escalations: o?.escalations ?? base.escalations,
  };
}

function mergeStep(
  base: EmergencyStepRule,
  o: z.infer<typeof emergencyStep> | undefined,
  path: string,
): EmergencyStepRule {
  const withinHours = o?.withinHours ?? base.withinHours;
  const remindHoursBefore = o?.remindHoursBefore ?? base.remindHoursBefore;
  // Checked after merging: a window shortened in the file must still contain the base's reminders.
  remindHoursBefore.forEach((h, i) => {
    if (h >= withinHours)
      throw new PolicyError(`${path}.remindHoursBefore[${i}]: ${h} h is not inside the ${withinHours} h window`);
  });
  return { withinHours, remindHoursBefore };
}

/**
 * Validates a policy read from JSON (a config file, a CLI flag) and returns a complete, frozen {@link Policy}.
 * Every field is optional and falls back to `base`; arrays replace the base's array; unknown fields are errors.
 * Throws {@link PolicyError} naming the field. (Default base: {@link DEFAULT_POLICY})
 */
export function parsePolicy(json: unknown, base: Policy = DEFAULT_POLICY): Policy {
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) throw firstError(parsed.error);
  const o = parsed.data;
  const e = base.emergency;
  return deepFreeze({
    noticeHour: o.noticeHour ?? base.noticeHour,
    noticeMinute: o.noticeMinute ?? base.noticeMinute,
    deadline: mergeDeadline(base.deadline, o.deadline),
    recurring: mergeDeadline(base.recurring, o.recurring),
    emergency: {
      information: mergeStep(e.information, o.emergency?.information, 'policy.emergency.information'),
      pressConference: mergeStep(e.pressConference, o.emergency?.pressConference, 'policy.emergency.pressConference'),
      remindNotify: o.emergency?.remindNotify ?? e.remindNotify,
      openedNotify: o.emergency?.openedNotify ?? e.openedNotify,
      breachNotify: o.emergency?.breachNotify ?? e.breachNotify,
    },
    informationRequest: {
      replyWorkingDays2008: o.informationRequest?.replyWorkingDays2008 ?? base.informationRequest.replyWorkingDays2008,
      replyWorkingDays2019: o.informationRequest?.replyWorkingDays2019 ?? base.informationRequest.replyWorkingDays2019,
    },
    ...(o.signFor
      ? {
          signFor: {
            escalateAfterWorkingHours: o.signFor.escalateAfterWorkingHours,
            notify: o.signFor.notify ?? base.signFor?.notify ?? ['head'],
          },
        }
      : base.signFor
        ? { signFor: base.signFor }
        : {}),
  });
}
