import path from 'node:path';
import type { Directory } from '../domain/directory';
import type { Plan } from '../domain/plan';
import { parsePolicy, type Policy } from '../domain/policy';
import { loadDirectory } from '../import/directory';
import { ImportError } from '../import/import-error';
import { importTableFile } from '../import/plan-file';
import { BUNDLED_DIRECTORY_PATH } from '../import/directory';
import { PROJECT_ROOT } from '../temporal/executables';
import { readFileSync } from 'node:fs';
import { UsageError } from './command';

/** Unit directory file: `DUBAN_DIRECTORY`, else the bundled example's. */
export function directoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.DUBAN_DIRECTORY || BUNDLED_DIRECTORY_PATH;
}

/** The bundled example plan: the Fujian 2017 government-openness task table. */
export const BUNDLED_PLAN_PATH = path.join(PROJECT_ROOT, 'examples', 'fujian-2017', 'tasks.txt');

/** Loads a plan table, its directory and an optional policy file for a command; bad input is a UsageError (exit 2). */
export function loadPlanForCommand(values: Record<string, unknown>): {
  plan: Plan;
  directory: Directory;
  policy?: Policy;
} {
  try {
    const directory = loadDirectory((values.directory as string | undefined) ?? directoryPath());
    const planFile = (values.plan as string | undefined) ?? BUNDLED_PLAN_PATH;
    const { plan } = importTableFile(planFile, { directory });
    let policy: Policy | undefined;
    if (typeof values.policy === 'string') {
      try {
        policy = parsePolicy(JSON.parse(readFileSync(values.policy, 'utf8')));
      } catch (err) {
        throw new UsageError(`${values.policy}: ${(err as Error).message}`);
      }
    }
    return { plan, directory, policy };
  } catch (err) {
    if (err instanceof ImportError || (err as Error).name === 'ImportError' || (err as Error).name === 'ZodError') {
      throw new UsageError((err as Error).message);
    }
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}
