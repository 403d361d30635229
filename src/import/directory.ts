/** Loading and validating a unit directory file (JSON, the `Directory` shape of src/domain/directory.ts). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Directory } from '../domain/directory';
import { ImportError } from './import-error';

/** The directory of the bundled example plan (Fujian 2017). */
export const BUNDLED_DIRECTORY_PATH = path.resolve(__dirname, '../../examples/fujian-2017/directory.json');

const contactSchema = z.strictObject({
  name: z.string().min(1),
  email: z.email(),
  locale: z.enum(['zh', 'en']).optional(),
});

const unitSchema = z.strictObject({
  code: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case ASCII words joined by "-"'),
  name: z.string().min(1),
  kind: z.enum(['provincial', 'city', 'district', 'office']),
  aliases: z.array(z.string().min(1)),
  officer: contactSchema,
  head: contactSchema,
  vertical: z.boolean().optional(),
});

const directorySchema = z.strictObject({
  generalOffice: z.string().min(1),
  units: z.array(unitSchema).min(1),
});

/**
 * Validates parsed JSON as a unit directory. Throws {@link ImportError} naming the file and the field
 * (`units[3].officer.email`), or a duplicate code/name, or a general office that is not a unit.
 */
export function validateDirectory(data: unknown, file: string): Directory {
  const parsed = directorySchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = (issue?.path ?? [])
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    throw new ImportError(file, 0, `${field || 'directory'}: ${issue?.message ?? 'invalid'}`);
  }
  const directory: Directory = parsed.data;
  const codes = new Map<string, number>();
  const names = new Map<string, number>();
  directory.units.forEach((unit, i) => {
    const other = codes.get(unit.code);
    if (other !== undefined)
      throw new ImportError(file, 0, `units[${i}].code: '${unit.code}' is also units[${other}].code`);
    codes.set(unit.code, i);
    for (const name of [unit.name, ...unit.aliases]) {
      const owner = names.get(name);
      if (owner !== undefined && owner !== i) {
        throw new ImportError(file, 0, `units[${i}]: name or alias '${name}' is also used by units[${owner}]`);
      }
      names.set(name, i);
    }
  });
  if (!codes.has(directory.generalOffice)) {
    throw new ImportError(file, 0, `generalOffice: '${directory.generalOffice}' is not the code of a unit`);
  }
  return directory;
}

/** Reads and validates a directory file. Throws {@link ImportError} for unreadable files, bad JSON and bad fields. */
export function loadDirectory(file: string): Directory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ImportError(file, 0, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ImportError(file, 0, `not JSON: ${(err as Error).message}`);
  }
  return validateDirectory(data, file);
}
