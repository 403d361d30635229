/**
 * Payloads of the API and forms, validated before anything is sent to a workflow: an invalid one is a 400 whose
 * message names the field (`evidence.url: …`), and nothing changes.
 */
import { z } from 'zod';
import { HttpError } from './errors';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const period = z.string().trim().min(1).max(40).nullable().optional();
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
const httpUrl = z
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
  );

/** Body of a fulfilment: period, instant and evidence (document reference or URL). `recordedBy` is the caller. */
export const fulfilBody = z
  .object({
    period,
    at: instant.optional(),
    evidence: z
      .object({
        document: text(200).optional(),
        url: httpUrl.optional(),
        note: z.string().trim().max(1000, 'at most 1000 characters').optional(),
      })
      .strict()
      .refine((e) => Boolean(e.document || e.url), {
        message: 'a document reference (evidence.document) or a URL (evidence.url) is required',
      }),
  })
  .strict();

/** Body of an extension (operators only). */
export const extendBody = z.object({ period, newDue: isoDate, reason: text(500), approver: text(100) }).strict();

/** Body of a waiver (operators only). */
export const waiveBody = z.object({ period, reason: text(500), approver: text(100) }).strict();

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
