/**
 * The README's configuration table lists every environment variable the code reads, and nothing it does not:
 * a variable added to the code without a row (or a row left after the code stopped reading it) fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.(ts|js)$/.test(name) ? [file] : [];
  });
}

/** Standard variables of the operating system, read for defaults only; not duban's configuration. */
const SYSTEM = new Set(['PATH', 'USER']);

/**
 * Variables read as `process.env.X`, `env.X`, `env['X']`, named as `env: 'X'` (the executables' overrides), or
 * declared as keys of the zod schema of an environment (`src/…/config.ts`).
 */
function variablesReadByCode(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of ['src', 'activities', 'workflows', 'bin', 'scripts'].flatMap((d) => sources(path.join(root, d)))) {
    const text = readFileSync(file, 'utf8');
    const where = path.relative(root, file);
    for (const m of text.matchAll(/\benv(?:\.|\[['"]|: ')([A-Z][A-Z0-9_]{2,})\b/g)) found.set(m[1]!, where);
    // Environment schemas (src/*/config.ts) name the variables as object keys.
    if (/\bz\.object\(/.test(text) && /process\.env/.test(text))
      for (const m of text.matchAll(/^\s+([A-Z][A-Z0-9_]{2,}):\s*(?:z\b|port\(|slots\(|optionalString)/gm))
        found.set(m[1]!, where);
  }
  for (const name of SYSTEM) found.delete(name);
  return found;
}

function variablesInReadmeTable(): Set<string> {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const table = section.split('\n').filter((l) => l.startsWith('| `'));
  return new Set(table.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)));
}

describe("README's configuration table", () => {
  const code = variablesReadByCode();
  const readme = variablesInReadmeTable();

  it('finds the variables it checks (the scan itself works)', () => {
    expect(code.size).toBeGreaterThan(20);
    expect(code.get('TEMPORAL_ADDRESS')).toBeDefined();
    expect(readme.has('DUBAN_DATA_DIR')).toBe(true);
  });

  it('has a row for every variable the code reads', () => {
    const missing = [...code].filter(([name]) => !readme.has(name)).map(([name, file]) => `${name} (read in ${file})`);
    expect(missing).toEqual([]);
  });

  it('has no row for a variable the code does not read', () => {
    expect([...readme].filter((name) => !code.has(name))).toEqual([]);
  });
});
