/**
 * What the operator commands (status, fulfil, extend, waive, designate, history, report, calendar) share: the plan
 * by id or table file, units by name or code, flag validation that names the field, and refusals as exit 2.
 */
import { existsSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { ParseArgsConfig } from 'node:util';
import type { Directory, Unit } from '../domain/directory';
import { PLAN_TIMEZONE, type ObligationKind, type Plan } from '../domain/plan';
import { UsageError } from '../cli/command';
import { BUNDLED_PLAN_PATH, loadPlanForCommand } from '../cli/plan-loader';
import { loadTemporalConfig } from '../temporal/config';
import { createClient } from '../temporal/connection';
import { createOperatorService, isOperatorError, type ObligationRef, type OperatorService } from './service';

/** Options every operator command takes. */
export const PLAN_OPTIONS = {
  plan: { type: 'string' },
  'plan-file': { type: 'string' },
  directory: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Help lines for {@link PLAN_OPTIONS}. */
export const PLAN_HELP = [
  "  --plan ID|FILE     plan id (default: the bundled plan's, fj-2017-zwgk), or its task table file",
  '  --plan-file FILE   the task table of --plan ID (default: the bundled examples/fujian-2017/tasks.txt)',
  '  --directory FILE   unit directory (default: $DUBAN_DIRECTORY or the bundled one)',
  '  --json             print JSON instead of text',
];

/**
 * The plan and directory of an operator command. `--plan` is an id (checked against the table's) or a table file;
 * the table is `--plan-file`, else the bundled one.
 */
export function loadOperatorPlan(values: Record<string, unknown>): { plan: Plan; directory: Directory } {
  const given = values.plan as string | undefined;
  const isFile = given !== undefined && (/[/\\]|\.txt$/.test(given) || existsSync(given));
  const planFile = (values['plan-file'] as string | undefined) ?? (isFile ? given : BUNDLED_PLAN_PATH);
  const { plan, directory } = loadPlanForCommand({ plan: planFile, directory: values.directory });
  if (given !== undefined && !isFile && given !== plan.id)
    throw new UsageError(
      `--plan: '${given}' is not the plan of ${planFile} (its id is ${plan.id}); pass its table with --plan-file`,
    );
  return { plan, directory };
}

/** A unit by code, official name or alias; unknown names are a usage error naming the flag. */
export function unitFlag(directory: Directory, value: unknown, flag = '--unit'): Unit {
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(`${flag}: a unit name or code is required`);
  const wanted = value.trim();
  const unit = directory.units.find((u) => u.code === wanted || u.name === wanted || u.aliases.includes(wanted));
  if (!unit) {
    const near = directory.units.filter((u) => u.name.includes(wanted)).map((u) => u.name);
    throw new UsageError(
      `${flag}: unknown unit '${value}' (not a code, name or alias in the directory)` +
        `${near.length ? `; did you mean ${near.slice(0, 3).join('、')}?` : ''}`,
    );
  }
  return unit;
}

/** A positive task number from a flag, or undefined when absent. */
export function taskFlag(value: unknown, plan: Plan, flag = '--task'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag}: '${String(value)}' is not a task number`);
  if (!plan.tasks.some((t) => t.no === n)) throw new UsageError(`${flag}: plan ${plan.id} has no task ${n}`);
  return n;
}

/** A required, non-blank string flag. */
export function requiredFlag(values: Record<string, unknown>, name: string, what: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name}: ${what} is required`);
  return v.trim();
}

const KINDS: readonly ObligationKind[] = [
  'implementation-plan',
  'quarterly-progress',
  'year-end-report',
  'task-deadline',
  'recurring-publication',
];

/** The obligation of `--unit --obligation [--task] [--period]`, validated before any server call. */
export function obligationRefFlags(
  values: Record<string, unknown>,
  plan: Plan,
  directory: Directory,
): ObligationRef & { unit: Unit } {
  const unit = unitFlag(directory, values.unit);
  const obligation = requiredFlag(values, 'obligation', `one of ${KINDS.join(', ')}`);
  if (!KINDS.includes(obligation as ObligationKind) && !/^task-\d+-[a-z]+$/.test(obligation))
    throw new UsageError(
      `--obligation: '${obligation}' is not one of ${KINDS.join(', ')} (or an id like task-20-week)`,
    );
  const taskNo = taskFlag(values.task, plan);
  const idTask = /^task-(\d+)-/.exec(obligation);
  const isTaskKind = obligation === 'task-deadline' || obligation === 'recurring-publication' || idTask !== null;
  if (isTaskKind && taskNo === undefined && !idTask) throw new UsageError(`--task: ${obligation} needs a task number`);
  if (!isTaskKind && taskNo !== undefined)
    throw new UsageError(`--task: ${obligation} is unit-wide and belongs to no task; leave --task out`);
  const period = values.period as string | undefined;
  if (period !== undefined && !/^\d{4}(-(W\d\d|\d\d|Q[1-4]))?$/.test(period))
    throw new UsageError(`--period: '${period}' is not a period such as 2017-Q3, 2017-W40, 2017-05 or 2017`);
  return {
    unit,
    planId: plan.id,
    unitCode: unit.code,
    obligation: (idTask ? 'recurring-publication' : obligation) as ObligationKind,
    ...(idTask ? { obligationId: obligation, taskNo: Number(idTask[1]) } : {}),
    ...(taskNo !== undefined ? { taskNo } : {}),
    ...(period !== undefined ? { period } : {}),
  };
}

/** An instant flag (ISO 8601 with offset, or a local date-time read in Asia/Shanghai), as ISO with `+08:00`. */
export function instantFlag(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  const dt = DateTime.fromISO(s, { zone: PLAN_TIMEZONE });
  if (!/T\d\d:\d\d/.test(s) || !dt.isValid)
    throw new UsageError(`${flag}: '${s}' is not an instant such as 2017-05-24T15:30+08:00`);
  return dt.setZone(PLAN_TIMEZONE).toISO() as string;
}

/** A `YYYY-MM-DD` date flag. */
export function dateFlag(value: unknown, flag: string): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || !DateTime.fromISO(s).isValid)
    throw new UsageError(`${flag}: '${String(value ?? '')}' is not a date (YYYY-MM-DD)`);
  return s;
}

/** Who is recording: `--by`, else `$DUBAN_OPERATOR`, else the OS user. */
export function whoFlag(values: Record<string, unknown>): string {
  const by = (values.by as string | undefined)?.trim() || process.env.DUBAN_OPERATOR || process.env.USER || '';
  if (!by) throw new UsageError('--by: who records this is required');
  return by;
}

/** A refusal ({@link OperatorError}) as a usage error: message and type unchanged, exit 2. */
export function asUsageError(err: unknown): never {
  if (isOperatorError(err)) throw new UsageError(`refused: ${err.message} [${err.type}]`);
  throw err;
}

/** Runs `fn` with an operator service on the configured server; closes the connection after. */
export async function withOperatorService<T>(
  plan: Plan,
  directory: Directory,
  fn: (service: OperatorService) => Promise<T>,
): Promise<T> {
  const config = loadTemporalConfig();
  const client = await createClient(config);
  try {
    const service = createOperatorService({
      client,
      directory,
      plan,
      namespace: config.namespace,
      uiBaseUrl: process.env.DUBAN_TEMPORAL_UI_URL || `http://127.0.0.1:${config.devUiPort}`,
    });
    return await fn(service).catch(asUsageError);
  } finally {
    await client.connection.close();
  }
}

/** Plan-time instant for display: `2017-05-22 09:00`. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const dt = DateTime.fromISO(iso, { zone: PLAN_TIMEZONE });
  return dt.isValid ? dt.toFormat('yyyy-LL-dd HH:mm') : iso;
}
