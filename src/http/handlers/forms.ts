/** Turning form fields into the JSON bodies the API takes, so a form and an API call validate alike. */

/** Drops empty fields: an empty input means "not given". */
export const given = (fields: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v.trim() !== ''));

/** A `datetime-local` value is Beijing wall time: it gets the `+08:00` the API asks for; anything else is kept. */
export function beijing(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value.trim()) ? `${value.trim()}+08:00` : value;
}

/** The evidence fields of a form (`document`, `url`, `note`), the empty ones left out. */
export const evidenceOf = (form: Record<string, string>) =>
  given({ document: form.document ?? '', url: form.url ?? '', note: form.note ?? '' });

/** A whole number typed in a form becomes a number; anything else is kept for the validator to name. */
export const numberOf = (value: string | undefined): number | string | undefined =>
  value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
