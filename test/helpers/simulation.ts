import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simulate, type SimulationOptions, type SimulationOutput } from '../../src/simulate/simulator';
import { quietRuntime, workflowBundle } from './temporal';

/**
 * Runs `simulate()` with duban's workflow bundle, its store and outbox in a fresh temporary folder `dir` (the store is
 * `dir/duban.sqlite`); `cleanup` removes the folder.
 */
export async function simulateInTempDir(
  options: Omit<SimulationOptions, 'outputDir' | 'workflowBundle'>,
): Promise<{ output: SimulationOutput; dir: string; cleanup: () => void }> {
  quietRuntime();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duban-simulation-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const { output } = await simulate({ ...options, outputDir: dir, workflowBundle: await workflowBundle() });
    return { output, dir, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
