/**
 * What the JSON files operators write (policy, scoring) share when zod validates them: every error names the field
 * from the file's root (`policy.noticeHour`, `scoring.points.late`), and a misspelt field is an error that lists the
 * known ones rather than being silently ignored.
 */
import { z } from 'zod';

/** A value as the file wrote it, for messages. */
export const got = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** An integer in [min, max]; the message states the range and what was given. */
export const integer = (min: number, max: number) =>
  z.custom<number>((v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max, {
    error: (issue) =>
      issue.input === undefined
        ? `required: an integer from ${min} to ${max}`
        : `expected an integer from ${min} to ${max}, got ${got(issue.input)}`,
  });

/** A finite number in [min, max]; the message states the range and what was given. */
export const number = (min: number, max: number) =>
  z.custom<number>((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max, {
    error: (issue) =>
      issue.input === undefined
        ? `required: a number from ${min} to ${max}`
        : `expected a number from ${min} to ${max}, got ${got(issue.input)}`,
  });

/** An object whose unknown fields are errors. */
export const object = <T extends z.core.$ZodLooseShape>(shape: T) =>
  z.strictObject(shape, { error: (issue) => `expected an object, got ${got(issue.input)}` });

/** `policy.deadline.escalations[0].notify` from zod's path under `root`. */
function fieldPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : `${out}.${String(p)}`), root);
}

/** The schema at one step of a path (for the known fields of an object with an unknown one). */
function unwrap(schema: z.ZodType | undefined, key: PropertyKey): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  while (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodObject) return s.shape[key as string] as z.ZodType | undefined;
  if (s instanceof z.ZodArray) return s.element as z.ZodType;
  if (s instanceof z.ZodRecord) return s.valueType as z.ZodType;
  return undefined;
}

/**
 * The first issue of a failed parse as one line, `root.field: message`; an unknown field lists the known ones of its
 * object.
 */
export function firstIssue(error: z.ZodError, schema: z.ZodType, root: string): string {
  const issue = error.issues[0];
  if (!issue) return `${root}: invalid`;
  if (issue.code === 'unrecognized_keys') {
    let shape = issue.path.reduce<z.ZodType | undefined>((s, p) => unwrap(s, p), schema);
    while (shape instanceof z.ZodOptional) shape = shape.unwrap() as z.ZodType;
    const known = shape instanceof z.ZodObject ? Object.keys(shape.shape).join(', ') : '';
    return `${fieldPath(root, [...issue.path, issue.keys[0]!])}: unknown field (known: ${known})`;
  }
  return `${fieldPath(root, issue.path)}: ${issue.message}`;
}

/** Freezes a value and everything in it, so a validated file cannot be changed by whoever reads it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
