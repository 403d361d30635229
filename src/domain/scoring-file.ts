/**
 * Scoring files: JSON that overrides parts of the default scoring policy (docs/scoring.md), validated with zod. Every
 * error names the field (`scoring.points.late: …`), and a misspelt field is an error rather than silently ignored.
 */
import { z } from 'zod';
import { deepFreeze, firstIssue, got, number, object } from './json-file';
import type { ObligationKind } from './plan';
import { DEFAULT_SCORING, type ScoringPolicy } from './scoring';

/** Thrown by {@link parseScoring}; the message starts with the offending field's path, e.g. `scoring.points.late`. */
export class ScoringError extends Error {
  /** Stable error type for callers. */
  readonly type = 'InvalidScoring';
  override readonly name = 'ScoringError';
}

const points = (optional = true) => (optional ? number(0, 100).optional() : number(0, 100));

const KINDS = Object.keys(DEFAULT_SCORING.weights) as ObligationKind[];

const weights = object(
  Object.fromEntries(KINDS.map((k) => [k, number(0, 100).optional()])) as Record<
    ObligationKind,
    ReturnType<typeof points>
  >,
);

const scoringSchema = object({
  points: object({
    onTime: points(),
    late: points(),
    latePerWorkingDay: points(),
    lateFloor: points(),
    missed: points(),
    waived: z
      .union([points(false), z.null()], {
        error: (issue) => `expected a number from 0 to 100 or null, got ${got(issue.input)}`,
      })
      .optional(),
    extension: points(),
    signedForLate: points(),
  }).optional(),
  weights: weights.optional(),
  signForWithinHours: number(0, 720).optional(),
  criticise: object({
    scoreBelow: points(),
    emergencyBreach: z.boolean({ error: (issue) => `expected true or false, got ${got(issue.input)}` }).optional(),
  }).optional(),
});

/**
 * Validates a scoring policy read from JSON and returns a complete, frozen {@link ScoringPolicy}: every field is
 * optional and falls back to `base`; unknown fields are errors. Throws {@link ScoringError} naming the field.
 * (Default base: {@link DEFAULT_SCORING})
 */
export function parseScoring(json: unknown, base: ScoringPolicy = DEFAULT_SCORING): ScoringPolicy {
  const parsed = scoringSchema.safeParse(json);
  if (!parsed.success) throw new ScoringError(firstIssue(parsed.error, scoringSchema, 'scoring'));
  const o = parsed.data;
  const p = { ...base.points, ...definedOf(o.points ?? {}) };
  if (p.lateFloor > p.late)
    throw new ScoringError(`scoring.points.lateFloor: ${p.lateFloor} is above the points of a late item (${p.late})`);
  return deepFreeze({
    points: p,
    weights: { ...base.weights, ...definedOf(o.weights ?? {}) },
    signForWithinHours: o.signForWithinHours ?? base.signForWithinHours,
    criticise: { ...base.criticise, ...definedOf(o.criticise ?? {}) },
  });
}

/** The fields a file gave (an absent optional field keeps the base's value). */
function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
