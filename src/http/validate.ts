/**
 * Payloads of the API and forms, validated before anything is sent to a workflow: an invalid one is a 400 whose
 * message names the field (`evidence.url: …`), and nothing changes.
 */
import { z } from 'zod';
import { EMERGENCY_STEPS, INCIDENT_LEVELS } from '../service';
import { textProblem } from '../domain/contact';
import { WINDOW_ID_PATTERN } from '../domain/ids';
import type { EmergencyStep, IncidentLevel } from '../../workflows/messages';
import { HttpError } from './errors';

/** Refuses control and invisible characters; line breaks and tabs only where `multiline` (notes, reasons). */
const typed = <T extends z.ZodType<string>>(schema: T, multiline = false) =>
  schema.check((ctx) => {
    const problem = textProblem(ctx.value, multiline);
    if (problem) ctx.issues.push({ code: 'custom', message: problem.reason, input: ctx.value });
  });
const text = (max: number, multiline = false) =>
  typed(z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`), multiline);
const note = typed(z.string().trim().max(1000, 'at most 1000 characters'), true);
const period = typed(z.string().trim().min(1).max(40)).nullable().optional();
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(
    (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    {
      message: 'is not a calendar date',
    },
  );
const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$/, 'must be ISO 8601 with an offset')
  .refine((v) => !Number.isNaN(Date.parse(v)), { message: 'is not a valid instant' });
const httpUrl = typed(
  z
    .string()
    .trim()
    .max(2000, 'at most 2000 characters')
    .refine(
      (v) => {
        try {
          return ['http:', 'https:'].includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: 'must be an http(s) URL' },
    ),
);

/** Evidence of something done: a document reference or a URL (or both), and a note. */
const evidence = z
  .object({
    document: text(200).optional(),
    url: httpUrl.optional(),
    note: note.optional(),
  })
  .strict()
  .refine((e) => Boolean(e.document || e.url), {
    message: 'a document reference (evidence.document) or a URL (evidence.url) is required',
  });

/** An incident or request id: 1–64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
const windowId = z
  .string()
  .trim()
  .regex(WINDOW_ID_PATTERN, "must be 1–64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit");

/** Body of a fulfilment: period, instant and evidence (document reference or URL). `recordedBy` is the caller. */
export const fulfilBody = z.object({ period, at: instant.optional(), evidence }).strict();

/** Body of an extension (operators only). */
export const extendBody = z.object({ period, newDue: isoDate, reason: text(500, true), approver: text(100) }).strict();

/** Body of a waiver (operators only). */
export const waiveBody = z.object({ period, reason: text(500, true), approver: text(100) }).strict();
/** `POST …/sign-for`: one notice by its key, or (omitted) every reminder and escalation not yet signed for. */
export const signForBody = z.object({ noticeKey: typed(z.string().trim().min(1).max(300)).optional() }).strict();

/** Body of a designation of a unit for a 省直有关部门 task (operators only). */
export const designateBody = z
  .object({
    unitCode: z
      .string()
      .trim()
      .regex(/^[a-z0-9-]{1,40}$/, 'must be a unit code'),
    remove: z.boolean().optional(),
  })
  .strict();

/** Body of an incident report (突发事件): the occurrence t0 every window runs from. */
export const incidentReportBody = z
  .object({
    incidentId: windowId.optional(),
    level: z.enum(INCIDENT_LEVELS as [IncidentLevel, ...IncidentLevel[]], {
      error: (issue) => (issue.input === undefined ? 'is required' : `must be ${INCIDENT_LEVELS.join(' or ')}`),
    }),
    summary: text(500, true),
    occurredAt: instant,
    reportedAt: instant.optional(),
  })
  .strict();

/** Body of a step of an incident recorded as done. `evidence.recordedBy` is the caller. */
export const incidentDoneBody = z
  .object({
    step: z.enum(EMERGENCY_STEPS as [EmergencyStep, ...EmergencyStep[]], {
      error: (issue) => (issue.input === undefined ? 'is required' : `must be ${EMERGENCY_STEPS.join(' or ')}`),
    }),
    at: instant.optional(),
    evidence,
  })
  .strict();

/** Body of an information request (依申请公开) received by a unit. */
export const requestReceiveBody = z.object({ requestId: windowId, receivedOn: isoDate }).strict();

/** Body of a request's reply; evidence, when given, names a document or a URL. */
export const requestReplyBody = z.object({ at: instant.optional(), evidence: evidence.optional() }).strict();

/** Body of a request's one extension; the approver (机关负责人) is required. */
export const requestExtendBody = z
  .object({
    workingDays: z
      .number({ error: 'must be a whole number of working days' })
      .int('must be a whole number of working days')
      .min(1, 'at least 1')
      .max(20, 'at most 20 (the statutory limit)')
      .optional(),
    approver: text(100),
    reason: text(500, true),
  })
  .strict();

/** Body of a pause while a third party is consulted (征求第三方意见). */
export const requestPauseBody = z.object({ on: isoDate.optional(), reason: text(500, true) }).strict();

/** Body of the restart of a paused request's clock. */
export const requestResumeBody = z.object({ on: isoDate.optional(), reason: text(500, true).optional() }).strict();

/** Body of a corrected request (补正): the count restarts from `receivedOn`. */
export const requestCorrectBody = z.object({ receivedOn: isoDate, note: note.optional() }).strict();

/**
 * Officers record what they did as of now: only operators may state when it happened (a late record of a past
 * fulfilment, kept beside the instant it was recorded). Otherwise an officer could backdate a missed item into an
 * on-time one.
 */
export function checkStatedInstant(principal: { kind: string }, at: string | undefined): void {
  if (at !== undefined && principal.kind !== 'operator')
    throw new HttpError(
      403,
      'at: only operators may state when it happened; an officer’s record takes the instant it is made',
      'Forbidden',
    );
}

/** Parses `body` or throws a 400 naming the first offending field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : 'body';
  let message = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    return fail(keys.length ? `${[...issue.path, keys[0]].join('.')}: unknown field` : `${field}: unknown field`);
  }
  if (issue?.code === 'invalid_type' && /received undefined/.test(message)) message = 'is required';
  return fail(`${field}: ${message}`);
}

function fail(message: string): never {
  throw new HttpError(400, message, 'InvalidPayload');
}

/** A whole-number query parameter from `min` to `max`; absent: undefined; anything else a 400 naming it. */
export function wholeParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new HttpError(400, `${name}: must be a whole number from ${min} to ${max}`, 'InvalidPayload');
  return n;
}
