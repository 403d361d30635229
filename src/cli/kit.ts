/**
 * What every `duban` command shares: the flags (each declared once, with one meaning everywhere), loading the
 * plan, its directory and policy, a client for the configured server, refusals as exit 2, and output helpers.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Client } from '@temporalio/client';
import {
  createDubanClient,
  dateInput,
  instantInput,
  isoInstant,
  checkTexts,
  isRefusal,
  quoted,
  type DubanClient,
  type ObligationRef,
} from '../service';
import { findUnit, nearUnitNames, type Directory, type Unit } from '../domain/directory';
import { PLAN_TIMEZONE, type ObligationKind, type Plan } from '../domain/plan';
import type { Policy } from '../domain/policy';
import { rehearsalShiftMs } from '../domain/rehearsal';
import { parsePolicy } from '../domain/policy-file';
import { DEFAULT_SCORING, type ScoringPolicy } from '../domain/scoring';
import { parseScoring } from '../domain/scoring-file';
import { BUNDLED_DIRECTORY_PATH, loadDirectoryFile } from '../import/directory';
import type { ImportedTable } from '../import/layout';
import { importPlanFile, type PlanFileOptions } from '../import/plan-file';
import type { HolidayYear } from '../domain/holidays';
import { openStore, storeConfigFromEnv, type Store } from '../store';
import { redactUrl } from '../store/postgres';
import { loadTemporalConfig, type TemporalConfig } from '../temporal/config';
import { createClient, temporalAddress } from '../temporal/connection';
import { PROJECT_ROOT } from '../temporal/executables';
import { type Command, EXIT_CODES, type Flag, UsageError } from './command';
import { colourOn, paint } from './table';

/**
 * Runs a configuration check or a read of the user's file; its error (naming the variable, line or field, after
 * `prefix`) becomes a one-line usage error, exit 2.
 */
export function configOrUsage<T>(fn: () => T, prefix = ''): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${prefix}${(err as Error).message}`);
  }
}

/**
 * Runs `fn` with the store (`DATABASE_URL`, else `$DUBAN_DATA_DIR/duban.sqlite`), then closes it; a bad setting is
 * a usage error naming the variable.
 */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(configOrUsage(() => storeConfigFromEnv()));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The bundled example plan: the Fujian 2017 government-openness task table. */
export const BUNDLED_PLAN_PATH = path.join(PROJECT_ROOT, 'examples', 'fujian-2017', 'tasks.txt');

/** Every flag that more than one command takes, with its one meaning. Commands pick them, adding `required`. */
export const FLAGS = {
  plan: {
    name: 'plan',
    type: 'string',
    value: 'FILE|ID',
    help: 'the plan: its task table file, or the id of a plan started on this installation',
    default: 'the bundled example, examples/fujian-2017/tasks.txt',
  },
  directory: {
    name: 'directory',
    type: 'string',
    value: 'FILE',
    help: 'unit directory',
    default: '$DUBAN_DIRECTORY, else examples/fujian-2017/directory.json',
  },
  policy: {
    name: 'policy',
    type: 'string',
    value: 'FILE',
    help: 'policy overrides as JSON (see README, "Default policy")',
    default: 'the default policy (README, "Default policy")',
  },
  scoring: {
    name: 'scoring',
    type: 'string',
    value: 'FILE',
    help: 'scoring policy overrides as JSON (see docs/scoring.md)',
    default: 'the default scoring policy (docs/scoring.md)',
  },
  json: { name: 'json', type: 'boolean', help: 'print the result as JSON' },
  unit: { name: 'unit', type: 'string', value: 'U', help: 'unit name, alias or code (福州市, fj-fuzhou)' },
  task: { name: 'task', type: 'string', value: 'N', help: 'task number' },
  obligation: {
    name: 'obligation',
    type: 'string',
    value: 'O',
    help: 'implementation-plan | quarterly-progress | year-end-report | task-deadline | recurring-publication, or an id such as task-20-week',
  },
  period: {
    name: 'period',
    type: 'string',
    value: 'P',
    help: 'period label: 2017-Q3, 2017-W40, 2017-05, 2017',
    default: 'the earliest open period that has begun',
  },
  by: {
    name: 'by',
    type: 'string',
    value: 'WHO',
    help: 'who records it',
    default: '$DUBAN_OPERATOR, else the OS user',
  },
  url: { name: 'url', type: 'string', value: 'URL', help: 'evidence: where it was published' },
  document: {
    name: 'document',
    type: 'string',
    value: 'REF',
    help: 'evidence: document reference (文号) or file name',
  },
  note: { name: 'note', type: 'string', value: 'TEXT', help: 'evidence: a note kept with it' },
  at: {
    name: 'at',
    type: 'string',
    value: 'INSTANT',
    help: 'when it happened, e.g. 2017-05-24T15:30+08:00 (no offset: Asia/Shanghai)',
    default: 'now',
  },
  reason: { name: 'reason', type: 'string', value: 'TEXT', help: 'why' },
  approver: { name: 'approver', type: 'string', value: 'WHO', help: 'who approved it' },
  out: { name: 'out', type: 'string', value: 'FILE', help: 'write to FILE instead of stdout' },
  sheet: {
    name: 'sheet',
    type: 'string',
    value: 'NAME',
    help: 'plan file: the sheet of an .xlsx workbook to read',
    default: 'the sheet holding the table',
  },
  issuer: {
    name: 'issuer',
    type: 'string',
    value: 'NAME',
    help: 'plan file: the issuing office, for a table without a covering notice (青云市人民政府办公室)',
    default: "the notice's signature or title, else the title's place",
  },
  year: {
    name: 'year',
    type: 'string',
    value: 'YYYY',
    help: 'plan file: the plan year, for a table whose title names none',
    default: "the title's",
  },
  publishedOn: {
    name: 'published-on',
    type: 'string',
    value: 'YYYY-MM-DD',
    help: 'plan file: its 发布日期, for a table without one (obligations count from it)',
    default: "the notice's, else January 1 of the plan year",
  },
} as const satisfies Record<string, Flag>;

/** The reason and the approver of an extension or a waiver, both required. */
export const APPROVAL_FLAGS: Flag[] = [
  flag(FLAGS.reason, { required: true }),
  flag(FLAGS.approver, { required: true }),
];

/** The values of {@link APPROVAL_FLAGS}. */
export function approvalFlags(values: Record<string, unknown>): { reason: string; approver: string } {
  return textFlags({ reason: String(values.reason).trim(), approver: String(values.approver).trim() });
}

/** Free-text flags refused, before any server call, when they hold a control or invisible character. */
function textFlags<T extends Record<string, unknown>>(flags: T): T {
  try {
    checkTexts(flags);
  } catch (err) {
    refusalAsUsage(err);
  }
  return flags;
}

/**
 * How a plan file is read, beside `--plan`: `--sheet` of a workbook, and `--issuer`, `--year`, `--published-on` for a
 * table published without a covering notice. Every command that takes a plan file takes these.
 */
export const PLAN_FILE_FLAGS: Flag[] = [FLAGS.sheet, FLAGS.issuer, FLAGS.year, FLAGS.publishedOn];
/** The flags that load a plan: `--plan` with {@link PLAN_FILE_FLAGS}, `--directory`. */
export const PLAN_FLAGS: Flag[] = [FLAGS.plan, ...PLAN_FILE_FLAGS, FLAGS.directory];
/** Evidence of a fulfilment, a step done or a reply: `--url`, `--document`, `--note`, `--by`. */
export const EVIDENCE_FLAGS: Flag[] = [FLAGS.url, FLAGS.document, FLAGS.note, FLAGS.by];

/** A flag as {@link FLAGS} declares it, with some fields changed (`required`, a command-specific `help`). */
export function flag(base: Flag, changes: Partial<Flag>): Flag {
  return { ...base, ...changes };
}

/** The scoring policy of `--scoring FILE`, checked before anything else runs. (Default: {@link DEFAULT_SCORING}) */
export function loadScoringFlag(values: Record<string, unknown>): ScoringPolicy {
  const file = values.scoring;
  if (typeof file !== 'string') return DEFAULT_SCORING;
  return configOrUsage(() => parseScoring(JSON.parse(readFileSync(file, 'utf8'))), `${file}: `);
}

/** A plan with what it was loaded with. */
export interface LoadedPlan {
  plan: Plan;
  directory: Directory;
  /** (Default: undefined, the default policy (README, "Default policy")) */
  policy?: Policy;
  /** From `--scoring FILE`. (Default: undefined, the default scoring (docs/scoring.md)) */
  scoring?: ScoringPolicy;
  /** The table file the plan came from, or the remembered plan's record. */
  source: string;
  /** Plan time − real time when the plan runs as a rehearsal on this installation. (Default: undefined, real time) */
  timeShiftMs?: number;
  /** See {@link ResolvedPlan.unitAliases}. (Default: none) */
  unitAliases?: Map<string, string[]>;
}

/** A rehearsal of a past plan on this installation (`npm start` with the bundled example after its year). */
export interface Rehearsal {
  planId: string;
  /** Plan time = real time + this, whole weeks. */
  timeShiftMs: number;
  /** When the rehearsal began, real time, ISO 8601. */
  startedAt: string;
}

const rehearsalFile = (planId: string): string =>
  path.resolve(process.env.DUBAN_DATA_DIR || './data', 'rehearsals', `${planId}.json`);

/** The rehearsal of a plan on this installation, if it runs as one. */
export function rehearsalOf(planId: string): Rehearsal | undefined {
  const file = rehearsalFile(planId);
  if (!existsSync(file)) return undefined;
  return configOrUsage(() => JSON.parse(readFileSync(file, 'utf8')) as Rehearsal, `${file}: `);
}

/**
 * Plan time and real time now, ISO 8601 in Asia/Shanghai, when the plan runs as a rehearsal (`timeShiftMs` set);
 * undefined in real time. What status and reports print beside each other. (Default now: the clock)
 */
export function rehearsalTimes(
  timeShiftMs: number | undefined,
  nowMs: number = Date.now(),
): { planTime: string; realTime: string } | undefined {
  if (timeShiftMs === undefined) return undefined;
  return { planTime: isoInstant(nowMs + timeShiftMs), realTime: isoInstant(nowMs) };
}

/** The plan's rehearsal, begun now when there is none: its shift is fixed once, so restarts keep the same plan time. */
export function beginRehearsal(plan: Plan, nowMs: number): Rehearsal {
  const existing = rehearsalOf(plan.id);
  if (existing) return existing;
  const rehearsal = {
    planId: plan.id,
    timeShiftMs: rehearsalShiftMs(plan, nowMs),
    startedAt: new Date(nowMs).toISOString(),
  };
  mkdirSync(path.dirname(rehearsalFile(plan.id)), { recursive: true });
  writeFileSync(rehearsalFile(plan.id), `${JSON.stringify(rehearsal, null, 2)}\n`);
  return rehearsal;
}

/** Where plans started on this installation are remembered by id: `$DUBAN_DATA_DIR/plans/<id>.json`. */
function plansDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.DUBAN_DATA_DIR || './data', 'plans');
}

/**
 * Remembers a started plan, so later commands find it by `--plan ID` without its table file (and `directory init`
 * with the aliases its table writes). (Default: no aliases)
 */
export function rememberPlan(plan: Plan, source: string, unitAliases?: Map<string, string[]>): void {
  mkdirSync(plansDir(), { recursive: true });
  const aliases = unitAliases && unitAliases.size > 0 ? { unitAliases: Object.fromEntries(unitAliases) } : {};
  writeFileSync(path.join(plansDir(), `${plan.id}.json`), `${JSON.stringify({ source, plan, ...aliases }, null, 2)}\n`);
}

/** The directory file the user named: `--directory`, else `$DUBAN_DIRECTORY`; undefined when neither is set. */
export function directoryFileOf(values: Record<string, unknown>): string | undefined {
  return (values.directory as string | undefined) ?? (process.env.DUBAN_DIRECTORY || undefined);
}

/**
 * The unit directory (JSON, CSV or XLSX) of `--directory`, else `$DUBAN_DIRECTORY`, else the bundled example's.
 * Every problem (a bad address, a name with a line break, a duplicate code) stops the command, named by its place.
 */
export async function loadDirectoryFlag(values: Record<string, unknown>): Promise<Directory> {
  const file = directoryFileOf(values) ?? BUNDLED_DIRECTORY_PATH;
  try {
    return await loadDirectoryFile(file);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** How a plan file is read: the values of {@link PLAN_FILE_FLAGS}, checked. */
export function planFileOptions(values: Record<string, unknown>): Pick<PlanFileOptions, 'sheet' | 'given'> {
  const given: NonNullable<PlanFileOptions['given']> = {};
  const issuer = (values.issuer as string | undefined)?.trim();
  if (values.issuer !== undefined) {
    if (!issuer) throw new UsageError('--issuer: the issuing office is empty');
    given.issuer = issuer;
  }
  if (values.year !== undefined) {
    const year = String(values.year);
    if (!/^\d{4}$/.test(year)) throw new UsageError(`--year: '${year}' is not a year YYYY`);
    given.year = Number(year);
  }
  if (values['published-on'] !== undefined) given.publishedOn = dateFlag(values['published-on'], 'publishedOn');
  return {
    ...(values.sheet !== undefined ? { sheet: String(values.sheet) } : {}),
    ...(Object.keys(given).length > 0 ? { given } : {}),
  };
}

/** A plan as {@link resolvePlan} found it. */
export interface ResolvedPlan {
  plan: Plan;
  /** The table file the plan came from, or the remembered plan's record. */
  source: string;
  /** The import, when the plan came from a table file: rows and unit cells by task, aliases. (Default: absent) */
  imported?: ImportedTable;
  /** Other names the table writes after a unit (`规划信息处（爱卫办）`), for the directory. (Default: none) */
  unitAliases?: Map<string, string[]>;
}

/** What a command prints of a plan file's import warnings: every one (`all`), their number (`count`), or nothing. */
export type WarningsShown = 'all' | 'count' | 'none';

/**
 * Prints a plan file's import warnings to stderr: with `all` their number, then one line each as `plan import`
 * prints them (`file:line: warning: … (cell)`); with `count` their number and where to read them.
 */
export function printImportWarnings(file: string, plan: Plan, shown: WarningsShown): void {
  const n = plan.warnings.length;
  if (n === 0 || shown === 'none') return;
  const count = `${n} import ${n === 1 ? 'warning' : 'warnings'}`;
  if (shown === 'count') {
    console.error(`duban: ${file}: ${count} (duban plan import ${file} lists them)`);
    return;
  }
  console.error(`duban: ${file}: ${count}:`);
  for (const w of plan.warnings) console.error(`${file}${w.line > 0 ? `:${w.line}` : ''}: warning: ${w.message}`);
}

/**
 * The plan `--plan` names: a table file (read with {@link planFileOptions} of `values`), or the id of a plan
 * started here or of the bundled example. The directory, when given, only lets the importer recognise unit names.
 * A file's import warnings go to stderr as `warnings` says. Unreadable input is a {@link UsageError}.
 * (Default: no directory, no file options, warnings counted)
 */
export async function resolvePlan(
  given: string | undefined,
  options: { directory?: Directory; values?: Record<string, unknown>; warnings?: WarningsShown } = {},
): Promise<ResolvedPlan> {
  const fileOptions = planFileOptions(options.values ?? {});
  const fromFile = async (file: string, shown: WarningsShown = options.warnings ?? 'count') => {
    let imported: ImportedTable;
    try {
      imported = await importPlanFile(file, { directory: options.directory, ...fileOptions });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    printImportWarnings(file, imported.plan, shown);
    return { plan: imported.plan, source: file, imported, unitAliases: imported.unitAliases };
  };
  if (given === undefined || existsSync(given) || /[/\\]/.test(given)) return fromFile(given ?? BUNDLED_PLAN_PATH);
  const fileFlag = PLAN_FILE_FLAGS.find((f) => options.values?.[f.name] !== undefined);
  if (fileFlag) throw new UsageError(`--${fileFlag.name}: only for a plan file; '${given}' is not a file`);
  const remembered = path.join(plansDir(), `${given}.json`);
  if (existsSync(remembered)) {
    const record = configOrUsage(
      () => JSON.parse(readFileSync(remembered, 'utf8')) as { plan: Plan; unitAliases?: Record<string, string[]> },
      `${remembered}: `,
    );
    return {
      plan: record.plan,
      source: remembered,
      ...(record.unitAliases ? { unitAliases: new Map(Object.entries(record.unitAliases)) } : {}),
    };
  }
  const bundled = await fromFile(BUNDLED_PLAN_PATH, 'none');
  if (bundled.plan.id === given) return bundled;
  throw new UsageError(
    `--plan: ${quoted(given)} is neither a file nor the id of a plan started here (${knownPlanIds().join(', ') || 'none'}) ` +
      `or of the bundled example (${bundled.plan.id}); give its task table file`,
  );
}

/**
 * The plan of `--plan` (see {@link resolvePlan}), its directory (`--directory`) and the `--policy` file. Anything
 * unreadable is a {@link UsageError} naming the file, line or field. A plan file's import warnings go to stderr:
 * each one with `warnings: 'all'` (commands that start or simulate a plan), else their number.
 * (Default: their number)
 */
export async function loadPlan(
  values: Record<string, unknown>,
  options: { warnings?: WarningsShown } = {},
): Promise<LoadedPlan> {
  const directory = await loadDirectoryFlag(values);
  const policy =
    typeof values.policy === 'string'
      ? configOrUsage(
          () => parsePolicy(JSON.parse(readFileSync(values.policy as string, 'utf8'))),
          `${values.policy}: `,
        )
      : undefined;
  const { plan, source, unitAliases } = await resolvePlan(values.plan as string | undefined, {
    directory,
    values,
    warnings: options.warnings,
  });
  const rehearsal = rehearsalOf(plan.id);
  return {
    plan,
    source,
    directory,
    policy,
    ...(typeof values.scoring === 'string' ? { scoring: loadScoringFlag(values) } : {}),
    ...(unitAliases ? { unitAliases } : {}),
    ...(rehearsal ? { timeShiftMs: rehearsal.timeShiftMs } : {}),
  };
}

function knownPlanIds(): string[] {
  try {
    return readdirSync(plansDir())
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
  } catch {
    return [];
  }
}

/** The Temporal configuration; an invalid variable is a usage error naming it. */
export function temporalConfig(): TemporalConfig {
  return configOrUsage(() => loadTemporalConfig());
}

/** The Web UI base for workflow links: `DUBAN_TEMPORAL_UI_URL`, else the embedded dev server's. */
export function temporalUiUrl(config: TemporalConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DUBAN_TEMPORAL_UI_URL) return env.DUBAN_TEMPORAL_UI_URL;
  return config.address ? undefined : `http://127.0.0.1:${config.devUiPort}`;
}

/** A refusal from the client as a usage error (exit 2): input errors name the flag, others say `refused`. */
export function refusalAsUsage(err: unknown): never {
  if (!isRefusal(err)) throw err;
  if (err.type === 'InvalidInput') {
    // The client names fields (`occurredAt: …`); the user typed flags (`--occurred-at`).
    throw new UsageError(
      err.message.replace(
        /^([a-z][A-Za-z]*):/,
        (_, field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}:`,
      ),
    );
  }
  throw new UsageError(
    paint(`refused: ${err.message} [${err.type}]`, 'red', colourOn(process.stderr)),
    EXIT_CODES.refused,
  );
}

/**
 * The holiday years added to this installation (`duban holidays add`), from the store: the dates a command computes
 * itself must agree with the workflows'. A store that cannot be read is reported and the built-in calendar used.
 * (Default: the configured store, opened and closed again)
 */
export async function addedHolidayYears(opened?: Store): Promise<HolidayYear[]> {
  return (await storedHolidayYears(opened)) ?? [];
}

/** The holiday years added with `duban holidays add`, or undefined (said on stderr) when the store cannot be read. */
export async function storedHolidayYears(opened?: Store): Promise<HolidayYear[] | undefined> {
  try {
    const list = async (store: Store) => (await store.listHolidayYears()).map((r) => r.data);
    return await (opened ? list(opened) : withStore(list));
  } catch (err) {
    console.error(
      `duban: the added holiday years could not be read (${(err as Error).message}); using the built-in ones`,
    );
    return undefined;
  }
}

/** A warning for dates that rest on years without a State Council holiday notice, or undefined when none do. */
export function provisionalWarning(years: readonly number[] | undefined): string | undefined {
  if (!years?.length) return undefined;
  return (
    `duban: dates in ${years.join(', ')} are provisional (no State Council holiday notice yet): weekends only, ` +
    'no holidays; they move when the notice is added (duban holidays add NOTICE.txt)'
  );
}

/**
 * A client of the configured server, or a one-line error (exit 4) naming the address tried and how to get a
 * server: never the gRPC stack.
 */
export async function connectOrUsage(config: TemporalConfig): Promise<Client> {
  try {
    return await createClient(config);
  } catch (err) {
    const how = process.env.TEMPORAL_ADDRESS
      ? 'check TEMPORAL_ADDRESS, or unset it and run `npm start` for the embedded dev server'
      : 'start one with `npm start` (the embedded dev server), or set TEMPORAL_ADDRESS';
    throw new UsageError(
      `cannot reach the Temporal server at ${temporalAddress(config)} (${(err as Error).message}): ${how}`,
      EXIT_CODES.unreachable,
    );
  }
}

/**
 * Runs `fn` with a client for the plan on the configured server, then closes the connection. With `opened`, that
 * store is used (and left open for the caller to close); else the configured one is opened, or done without.
 */
export async function withDuban<T>(
  loaded: LoadedPlan,
  fn: (duban: DubanClient) => Promise<T>,
  opened?: Store,
): Promise<T> {
  const config = temporalConfig();
  const client = await connectOrUsage(config);
  // The worker's store: added holiday years, and how each notice fared in the outbox (`duban history`).
  const store =
    opened ??
    (await openStore(storeConfigFromEnv()).catch((err: unknown) => {
      console.error(
        `duban: the store could not be opened (${(err as Error).message}); using the built-in holiday years, ` +
          'and notices show as queued only',
      );
      return undefined;
    }));
  try {
    const duban = createDubanClient({
      client,
      plan: loaded.plan,
      directory: loaded.directory,
      policy: loaded.policy,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      uiBaseUrl: temporalUiUrl(config),
      holidayYears: store ? await addedHolidayYears(store) : [],
      timeShiftMs: loaded.timeShiftMs,
      outbox: store,
      // Status reads the worker's read model (one query) rather than every workflow.
      readModel: store,
    });
    return await fn(duban).catch(refusalAsUsage);
  } finally {
    if (!opened) await store?.close().catch(() => undefined);
    await client.connection.close();
  }
}

/** The configured store, or a one-line error (exit 1) naming where it is (a PostgreSQL URL without its password). */
export async function openStoreOrFail(): Promise<Store> {
  const config = storeConfigFromEnv();
  try {
    return await openStore(config);
  } catch (err) {
    const where = config.kind === 'postgres' ? redactUrl(config.url) : config.file;
    throw new UsageError(`cannot open the store (${where}): ${(err as Error).message}`, EXIT_CODES.failure);
  }
}

/** A positive task number of the plan from `--task`, or undefined when absent. */
export function taskFlag(values: Record<string, unknown>, plan: Plan): number | undefined {
  const value = values.task;
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n <= 0)
    throw new UsageError(`--task: ${quoted(value)} is not a task number`);
  if (!plan.tasks.some((t) => t.no === n)) throw new UsageError(`--task: plan ${plan.id} has no task ${n}`);
  return n;
}

/** The flags that name one obligation of one unit: `--unit`, `--obligation`, `--task`, `--period`. */
export const OBLIGATION_FLAGS: Flag[] = [
  flag(FLAGS.unit, { required: true }),
  flag(FLAGS.obligation, { required: true }),
  flag(FLAGS.task, { help: 'task number (task-deadline, recurring-publication)' }),
  FLAGS.period,
];

const KINDS: readonly ObligationKind[] = [
  'implementation-plan',
  'quarterly-progress',
  'year-end-report',
  'task-deadline',
  'recurring-publication',
];

/** The obligation of `--unit --obligation [--task] [--period]`, checked before any server call. */
export function obligationRefFlags(values: Record<string, unknown>, { plan, directory }: LoadedPlan): ObligationRef {
  const obligation = String(values.obligation ?? '');
  const idTask = /^task-(\d+)-[a-z]+(?:-\d{4}-\d{2}-\d{2})?$/.exec(obligation);
  if (!KINDS.includes(obligation as ObligationKind) && !idTask)
    throw new UsageError(
      `--obligation: ${quoted(obligation)} is not one of ${KINDS.join(', ')} (or an id like task-20-week)`,
    );
  const taskNo = taskFlag(values, plan) ?? (idTask ? Number(idTask[1]) : undefined);
  const isTaskKind = obligation === 'task-deadline' || obligation === 'recurring-publication' || idTask !== null;
  if (isTaskKind && taskNo === undefined) throw new UsageError(`--task: ${obligation} needs a task number`);
  if (!isTaskKind && taskNo !== undefined)
    throw new UsageError(`--task: ${obligation} is unit-wide and belongs to no task; leave --task out`);
  const period = values.period as string | undefined;
  if (period !== undefined && !/^\d{4}(-(W\d\d|\d\d|Q[1-4]))?$/.test(period))
    throw new UsageError(`--period: ${quoted(period)} is not a period such as 2017-Q3, 2017-W40, 2017-05 or 2017`);
  return {
    planId: plan.id,
    unitCode: unitFlag(directory, values.unit).code,
    obligation: (idTask
      ? obligation.includes('-deadline')
        ? 'task-deadline'
        : 'recurring-publication'
      : obligation) as ObligationKind,
    ...(idTask ? { obligationId: obligation } : {}),
    ...(taskNo !== undefined ? { taskNo } : {}),
    ...(period !== undefined ? { period } : {}),
  };
}

/** A unit by code, official name or alias, checked before any server call; unknown names are a usage error. */
export function unitFlag(directory: Directory, value: unknown, name = '--unit'): Unit {
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(`${name}: a unit name or code is required`);
  const unit = findUnit(directory, value);
  if (unit) return unit;
  const near = nearUnitNames(directory, value);
  throw new UsageError(
    `${name}: unknown unit ${quoted(value)} (not a code, name or alias in the directory)` +
      (near.length ? `; did you mean ${near.join('、')}?` : ''),
  );
}

/** An instant flag (ISO 8601 with offset, or Asia/Shanghai wall time) as ISO with `+08:00`; absent: undefined. */
export function instantFlag(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return isoInstant(instantInput(value, name));
  } catch (err) {
    return refusalAsUsage(err);
  }
}

/** A `YYYY-MM-DD` flag; absent: undefined. */
export function dateFlag(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return dateInput(value, name);
  } catch (err) {
    return refusalAsUsage(err);
  }
}

/** Who is recording: `--by`, else `$DUBAN_OPERATOR`, else the OS user. */
export function whoFlag(values: Record<string, unknown>): string {
  const by = (values.by as string | undefined)?.trim() || process.env.DUBAN_OPERATOR || process.env.USER || '';
  if (!by) throw new UsageError('--by: who records this is required');
  return by;
}

/** The evidence of `--url`, `--document`, `--note`, `--by`; at least a URL or a document is required. */
export function evidenceFlags(
  values: Record<string, unknown>,
  options: { required: boolean } = { required: true },
): { url?: string; document?: string; note?: string; recordedBy: string } | undefined {
  const url = (values.url as string | undefined)?.trim();
  const document = (values.document as string | undefined)?.trim();
  const note = (values.note as string | undefined)?.trim();
  if (!url && !document) {
    if (options.required) throw new UsageError('--url or --document: evidence is required');
    return undefined;
  }
  if (url && !/^https?:\/\/\S+$/.test(url)) throw new UsageError(`--url: ${quoted(url)} is not an http(s) URL`);
  textFlags({ document, note, by: values.by });
  return {
    ...(url ? { url } : {}),
    ...(document ? { document } : {}),
    ...(note ? { note } : {}),
    recordedBy: whoFlag(values),
  };
}

/** Prints `value` as JSON with `--json`, else the text lines. */
export function printResult(values: Record<string, unknown>, value: unknown, text: () => string | string[]): void {
  if (values.json) {
    console.log(JSON.stringify(value, null, 2));
    return;
  }
  const t = text();
  console.log(Array.isArray(t) ? t.join('\n') : t);
}

/** What the window commands are given: their words and help, and the window kind's `--id`, client and lines. */
interface WindowCommandSpec<O> extends Pick<Command, 'path' | 'summary' | 'description'> {
  idFlag: Flag;
  windows: (duban: DubanClient) => {
    overview(id: string): Promise<O>;
    list(filter: { unitCode?: string }): Promise<O[]>;
  };
  lines: (overview: O) => string[];
}

/**
 * A command that changes one incident or information request (`--id`, required) and prints its overview. `input`
 * reads the command's own flags first: bad input is refused before the plan is loaded or any server reached.
 */
export function windowChangeCommand<I, O>({
  input,
  change,
  ...spec
}: WindowCommandSpec<O> & {
  flags: Flag[];
  input: (values: Record<string, unknown>) => I;
  change: (duban: DubanClient, id: string, input: I) => Promise<unknown>;
}): Command {
  return {
    path: spec.path,
    summary: spec.summary,
    description: spec.description,
    flags: [flag(spec.idFlag, { required: true }), ...spec.flags, ...PLAN_FLAGS, FLAGS.json],
    async run({ values }) {
      const given = input(values);
      const loaded = await loadPlan(values);
      const id = String(values.id);
      const overview = await withDuban(loaded, async (d) => {
        await change(d, id, given);
        return spec.windows(d).overview(id);
      });
      printResult(values, overview, () => spec.lines(overview));
      return 0;
    },
  };
}

/**
 * A `… status` command: one incident or request by `--id`, else every one of the plan (or of `--unit`). `plural`
 * names what the list holds, for help and for an empty list, e.g. `incidents`.
 */
export function windowStatusCommand<O>(spec: WindowCommandSpec<O> & { plural: string }): Command {
  return {
    path: spec.path,
    summary: spec.summary,
    description: spec.description,
    flags: [spec.idFlag, flag(FLAGS.unit, { help: `only the ${spec.plural} of this unit` }), ...PLAN_FLAGS, FLAGS.json],
    async run({ values }) {
      const loaded = await loadPlan(values);
      const unitCode = values.unit === undefined ? undefined : unitFlag(loaded.directory, values.unit).code;
      const id = values.id as string | undefined;
      const list = await withDuban(loaded, async (d) =>
        id ? [await spec.windows(d).overview(id)] : spec.windows(d).list({ unitCode }),
      );
      printResult(values, id ? list[0] : list, () =>
        list.length ? list.flatMap(spec.lines) : [`no ${spec.plural} under plan ${loaded.plan.id}`],
      );
      return 0;
    },
  };
}

/** Plan-time instant for display: `2017-05-22 09:00`. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const dt = DateTime.fromISO(iso, { zone: PLAN_TIMEZONE });
  return dt.isValid ? dt.toFormat('yyyy-LL-dd HH:mm') : iso;
}

/**
 * `120/423 workflows, 285/s`: how far, in what, and how fast since `sinceMs` (the rate once a quarter of a second
 * has passed or everything is done, so the first calls print no meaningless figure).
 */
export function progressText(done: number, total: number, sinceMs: number, noun = '', nowMs = Date.now()): string {
  const seconds = (nowMs - sinceMs) / 1000;
  const rate = seconds > 0 && (seconds >= 0.25 || done === total) ? `, ${Math.round(done / seconds)}/s` : '';
  return `${done}/${total}${noun ? ` ${noun}` : ''}${rate}`;
}

/**
 * Progress on stderr, with its rate: a bar redrawn in place on a terminal; otherwise (a pipe, a log file) a plain
 * line every 10 %, the last at 100 %.
 */
export function progressBar(label: string, noun = ''): (done: number, total: number) => void {
  let lastTenth = -1;
  const since = Date.now();
  return (done, total) => {
    const ratio = total === 0 ? 1 : done / total;
    const text = progressText(done, total, since, noun);
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      // Cleared to the end of the line: the rate's width changes.
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${text}\x1b[K`);
      if (done === total) process.stderr.write('\n');
    } else {
      const tenth = Math.floor(ratio * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${label}: ${text}\n`);
      }
    }
  };
}
