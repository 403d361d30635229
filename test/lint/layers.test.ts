/**
 * Dependencies point one way (eslint.config.mjs): an upward import is a lint error naming the import. Checked by
 * linting probe files placed in each layer, each with one import, in one ESLint run (ESLint's own process: its
 * config loader needs ES modules, which jest's module system does not run).
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

jest.setTimeout(180_000);

const root = path.resolve(__dirname, '../..');
const PROBE = 'zz-layer-probe';

/** [layer folder, import specifier, symbol, whether the import is allowed] */
const CASES: [string, string, string, boolean][] = [
  ['src/domain', '../cli/command', 'UsageError', false],
  ['src/domain', '../service', 'createDubanClient', false],
  ['src/import', '../store', 'openStore', false],
  ['src/store', '../mail/transport', 'createMailer', false],
  ['src/service', '../cli/main', 'main', false],
  ['src/simulate', '../http/server', 'createHttpServer', false],
  ['workflows', '../src/service', 'createDubanClient', false],
  ['src/cli', '../domain/obligations', 'planSchedule', true],
  ['src/service', '../../workflows/kit', 'HISTORY_LIMIT', true],
  ['src/http', '../service', 'createDubanClient', true],
  ['src/store', '../telemetry/logger', 'log', true],
  ['activities', '../src/telemetry/logger', 'log', true],
  ['src/domain', '../telemetry/logger', 'log', false],
  ['src/telemetry', '../store', 'openStore', false],
];

describe('layers', () => {
  const files = CASES.map(([dir], i) => path.join(root, dir, `${PROBE}-${i}.ts`));
  let results: { filePath: string; messages: { ruleId: string | null; message: string }[] }[];

  beforeAll(() => {
    CASES.forEach(([, from, symbol], i) =>
      writeFileSync(files[i]!, `import { ${symbol} } from '${from}';\n\nexport const probe = ${symbol};\n`),
    );
    try {
      const run = spawnSync(path.join(root, 'node_modules/.bin/eslint'), ['--format', 'json', ...files], {
        cwd: root,
        encoding: 'utf8',
      });
      results = JSON.parse(run.stdout);
    } finally {
      for (const f of files) rmSync(f, { force: true });
    }
  });

  it.each(CASES.map((c, i) => [i, ...c] as const))('probe %i: %s importing %s', (i, _dir, from, _symbol, allowed) => {
    const result = results.find((r) => r.filePath === files[i]);
    const errors = (result?.messages ?? []).filter((m) => m.ruleId === 'import/no-restricted-paths');
    if (allowed) expect(errors).toEqual([]);
    else
      expect(errors.map((e) => e.message)).toEqual([
        expect.stringContaining(`Unexpected path "${from}" imported in restricted zone`),
      ]);
  });
});
