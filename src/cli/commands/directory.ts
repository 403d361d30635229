/** `duban directory init | check | convert`: draft a unit directory from a plan, check one, convert one. */
import { quoted } from '../../service';
import { existsSync } from 'node:fs';
import type { Directory } from '../../domain/directory';
import { DirectoryError, formatProblems, loadDirectoryFile, readDirectoryFile } from '../../import/directory';
import { checkPlanCoverage, type DirectoryProblem, taskRanges } from '../../import/directory-check';
import { draftDirectory } from '../../import/directory-draft';
import { directoryJson, writeDirectoryFile } from '../../import/directory-files';
import { type Command, type Flag, UsageError } from '../command';
import { FLAGS, PLAN_FILE_FLAGS, flag, resolvePlan } from '../kit';

const OUT_FLAG = flag(FLAGS.out, { value: 'FILE.xlsx|.csv|.json', help: 'write .xlsx, .csv or .json' });
const FORCE_FLAG: Flag = { name: 'force', type: 'boolean', help: 'replace an existing --out file', default: 'refuse' };

function refuseOverwrite(file: string, force: unknown): void {
  if (existsSync(file) && !force) throw new UsageError(`${file} exists; --force replaces it`);
}

/** `duban directory init --plan FILE [--out FILE] [--prefix CODE] [--force]`. */
export const directoryInitCommand: Command = {
  path: ['directory', 'init'],
  summary: 'draft an editable unit directory (XLSX, CSV, JSON) of every unit and group a plan names',
  description: [
    'Drafts the unit directory of a plan for an office to fill in: the general office (from the issuer, marked 是),',
    'every unit the plan names, and one row per 设区市 of the issuer’s province for 各设区市. Codes are proposed from',
    'pinyin initials (fj-czt), kinds guessed from the names (市 city, 区/县 district, 办公厅 office, 处/室 division,',
    'else provincial), central units marked vertical; contacts are left empty. Check both guesses, fill in the',
    'contacts, then run duban directory check FILE --plan FILE.',
    '',
    'XLSX: a header row (中文 / English titles), one row per unit, a second sheet explaining the columns. CSV: the same',
    'columns, UTF-8 with BOM. Without --out the JSON directory goes to stdout; notes go to stderr.',
  ],
  flags: [
    flag(FLAGS.plan, { required: true, default: undefined }),
    ...PLAN_FILE_FLAGS,
    flag(OUT_FLAG, { default: 'JSON on stdout' }),
    {
      name: 'prefix',
      type: 'string',
      value: 'CODE',
      help: 'first word of every code',
      default: "the plan id's, e.g. fj",
    },
    FORCE_FLAG,
  ],
  async run({ values, positionals }) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${quoted(positionals[0])}`);
    const out = values.out as string | undefined;
    if (out) {
      if (!/\.(xlsx|csv|json)$/i.test(out)) throw new UsageError(`--out ${out}: write .xlsx, .csv or .json`);
      refuseOverwrite(out, values.force);
    }
    const { plan, source: planFile, unitAliases } = await resolvePlan(String(values.plan), { values, warnings: 'all' });
    if (!plan.issuer)
      throw new UsageError(`--issuer: ${planFile} names no issuer, whose office heads the directory; give --issuer`);
    let draft;
    try {
      draft = draftDirectory(plan, { prefix: values.prefix as string | undefined, aliases: unitAliases });
    } catch (err) {
      throw new UsageError(`--prefix: ${(err as Error).message}`);
    }
    const { directory } = draft;
    const office = directory.units.find((u) => u.code === directory.generalOffice);
    const groupLines = draft.groups.map((g) => `${g.group} (tasks ${taskRanges(g.tasks)}): ${g.note}`);
    for (const warning of draft.warnings) console.error(`duban directory init: warning: ${warning}`);
    if (!out) {
      process.stdout.write(directoryJson(directory));
      for (const line of groupLines) console.error(`duban directory init: ${line}`);
      return 0;
    }
    await writeDirectoryFile(out, directory, {
      notes: draft.notes,
      readme: [
        `Plan: ${plan.title} (${planFile}), issuer ${plan.issuer}.`,
        `General office (办公厅): ${office?.name ?? ''} ${directory.generalOffice}, marked 是; every escalation ends there.`,
        'Groups the plan names:',
        ...groupLines.map((l) => `  ${l}`),
        '各设区市: 民政部《2023年中华人民共和国县以上行政区划代码》, the prefecture-level cities (地级市) of the province.',
        'Kinds were guessed from the names and codes proposed from their pinyin: check both; a code never changes once a plan runs.',
        `Check the filled-in file: duban directory check ${out} --plan ${planFile}. Use it: DUBAN_DIRECTORY=${out} or --directory ${out}.`,
      ],
    });
    console.error(
      `duban directory init: wrote ${directory.units.length} units to ${out} (general office ${directory.generalOffice} ` +
        `${office?.name ?? ''}); fill in the contacts, then: duban directory check ${out} --plan ${planFile}`,
    );
    for (const line of groupLines) console.error(`  ${line}`);
    return 0;
  },
};

/** `duban directory check FILE [--plan FILE] [--json]`. */
export const directoryCheckCommand: Command = {
  path: ['directory', 'check'],
  summary: 'check a unit directory (JSON, CSV, XLSX): every bad contact, duplicate and missing unit, by row and column',
  args: 'FILE',
  description: [
    'Checks a unit directory (JSON, CSV or XLSX) and lists every problem with its place: row and column for CSV and',
    'XLSX (row 5, column H (联络员邮箱 / officer email)), the field for JSON (units[3].officer.email). Problems: missing',
    'or malformed e-mail addresses, missing names, line breaks, control characters or surrounding spaces in names,',
    'duplicate codes, names or aliases, no general office (or one that is not a unit), unknown kinds or values.',
    'With --plan: the units and groups the plan names that the directory lacks, with the tasks naming them.',
    'Exit code 0 with a one-line summary when clean, 2 with the list otherwise.',
  ],
  flags: [
    flag(FLAGS.plan, { help: 'whose units and groups must all be in the directory', default: 'none' }),
    ...PLAN_FILE_FLAGS,
    flag(FLAGS.json, { help: 'print {file, format, ok, units, generalOffice, problems[]}' }),
  ],
  async run({ values, positionals }) {
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new UsageError('expected one directory FILE (duban directory check --help)');
    const reading = await readDirectoryFile(file);
    const problems: DirectoryProblem[] = [...reading.problems];
    const resolved =
      values.plan === undefined
        ? undefined
        : await resolvePlan(String(values.plan), { directory: reading.directory, values, warnings: 'all' });
    const planFile = resolved?.source;
    if (resolved && planFile) {
      const { plan, imported } = resolved;
      const locateName = (taskNo: number, name: string) => {
        const line = imported?.taskLines.get(taskNo);
        if (line === undefined) return undefined;
        const cell = imported?.unitCells?.get(taskNo)?.get(name);
        return { line, ...(cell ? { cell } : {}) };
      };
      if (reading.directory) {
        problems.push(
          ...checkPlanCoverage(reading.directory, plan, {
            planFile,
            directoryFile: file,
            locate: reading.locate,
            locateName,
          }),
        );
      }
    }
    const directory = reading.directory;
    const office = directory?.units.find((u) => u.code === directory.generalOffice);
    if (values.json) {
      const result = {
        file,
        format: reading.format ?? null,
        ok: problems.length === 0,
        units: directory?.units.length ?? 0,
        generalOffice: directory?.generalOffice || null,
        problems,
      };
      console.log(JSON.stringify(result, null, 2));
      return problems.length === 0 ? 0 : 2;
    }
    if (problems.length > 0) {
      console.log(formatProblems(problems));
      console.log(`${problems.length} ${problems.length === 1 ? 'problem' : 'problems'} in ${file}`);
      return 2;
    }
    console.log(
      `${file}: ${directory?.units.length ?? 0} units, general office ${directory?.generalOffice} (${office?.name ?? ''}), ` +
        `no problems${planFile ? `; every unit and group of ${planFile} is in it` : ''}`,
    );
    return 0;
  },
};

/** `duban directory convert FILE --out FILE [--force]`. */
export const directoryConvertCommand: Command = {
  path: ['directory', 'convert'],
  summary: 'convert a valid unit directory between JSON, CSV and XLSX',
  args: 'FILE',
  description: [
    'Reads a unit directory (JSON, CSV or XLSX), refusing it with every problem listed as check does, and writes it in',
    'the format of --out: e.g. the bundled JSON to XLSX for an office to edit, or an XLSX to JSON.',
  ],
  flags: [flag(OUT_FLAG, { required: true }), FORCE_FLAG],
  async run({ values, positionals }) {
    const [file, ...extra] = positionals;
    const out = String(values.out);
    if (!file || extra.length > 0) throw new UsageError('expected one directory FILE (duban directory convert --help)');
    if (!/\.(xlsx|csv|json)$/i.test(out)) throw new UsageError(`--out ${out}: write .xlsx, .csv or .json`);
    refuseOverwrite(out, values.force);
    let directory: Directory;
    try {
      directory = await loadDirectoryFile(file);
    } catch (err) {
      if (err instanceof DirectoryError) throw new UsageError(formatProblems(err.problems));
      throw err;
    }
    await writeDirectoryFile(out, directory);
    console.error(`duban directory convert: wrote ${directory.units.length} units to ${out}`);
    return 0;
  },
};

/** The `duban directory` commands, in help order. */
export const directoryCommands: Command[] = [directoryInitCommand, directoryCheckCommand, directoryConvertCommand];
