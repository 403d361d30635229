/**
 * The shape of a `duban` command: each flag is declared once, with its help and default, and both the parser
 * and the help text are generated from the declarations, so they cannot drift apart.
 */
import { parseArgs } from 'node:util';
import { oneLine } from '../service/inputs';
import { padEnd } from './table';

/** One flag of a command. */
export interface Flag {
  /** Without the dashes: `plan`, `occurred-at`. */
  name: string;
  type: 'string' | 'boolean';
  /** What the value looks like in help, e.g. `FILE|ID`. (Default: `VALUE` for strings) */
  value?: string;
  /** One line of help. */
  help: string;
  /** The default as help states it, e.g. `the bundled example plan`. (Default: none stated) */
  default?: string;
  /** Refused when absent, naming the flag. (Default: false) */
  required?: boolean;
}

/** A `duban` sub-command. Each lives in its own file under `src/cli/commands/`. */
export interface Command {
  /** Words after `duban`, e.g. `['plan', 'import']`. */
  path: string[];
  /** One line for `duban --help`. */
  summary: string;
  /** Positional arguments as help shows them, e.g. `FILE` or `quarterly|year-end`. (Default: none) */
  args?: string;
  /** Lines of the help text between the usage line and the options. */
  description: string[];
  flags: Flag[];
  /** A long-running process (start, serve) whose output is log lines: its last error is a log line too. (Default: false) */
  longRunning?: boolean;
  /** Returns the process exit code. */
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

/** The exit codes of every command, each with one meaning (`duban --help` and docs/cli.md list them). */
export const EXIT_CODES = {
  ok: 0,
  /** Something failed that is not the input's fault (a store that cannot be opened, a worker that lost its server). */
  failure: 1,
  /** Usage or bad input: a flag, a file, a setting; nothing changed. */
  usage: 2,
  /** A workflow (or the client layer for it) refused the change; nothing changed. */
  refused: 3,
  /** The Temporal server could not be reached. */
  unreachable: 4,
} as const;

/** A user error: printed without a stack trace, exit code 2 (or the one given). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

const HELP_FLAG: Flag = { name: 'help', type: 'boolean', help: 'show this help' };

function flagLabel(flag: Flag): string {
  return flag.type === 'boolean' ? `--${flag.name}` : `--${flag.name} ${flag.value ?? 'VALUE'}`;
}

/** The help text of a command, generated from its declarations. */
export function usageOf(command: Command): string {
  const synopsis = command.flags.map((f) => (f.required ? flagLabel(f) : `[${flagLabel(f)}]`));
  const head = `Usage: duban ${command.path.join(' ')}${command.args ? ` ${command.args}` : ''}`;
  // Wrap the synopsis under the command name, as man pages do.
  const lines: string[] = [];
  let line = head;
  for (const part of synopsis) {
    if (line.length + part.length + 1 > 110) {
      lines.push(line);
      line = ' '.repeat(head.length - (command.args ? command.args.length + 1 : 0));
    }
    line += ` ${part}`;
  }
  lines.push(line);
  const width = Math.max(...[...command.flags, HELP_FLAG].map((f) => flagLabel(f).length));
  const options = [...command.flags, HELP_FLAG].map((f) => {
    const notes = [f.required ? 'required' : '', f.default ? `default: ${f.default}` : ''].filter(Boolean);
    return `  ${padEnd(flagLabel(f), width)}  ${f.help}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  });
  return [
    ...lines,
    '',
    ...command.description,
    ...(command.description.length ? [''] : []),
    'Options:',
    ...options,
  ].join('\n');
}

/** Parses a command's arguments; unknown and missing required flags are {@link UsageError}s naming the flag. */
export function parseCommandArgs(
  command: Command,
  argv: string[],
): { values: Record<string, unknown>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        [...command.flags, { ...HELP_FLAG, short: 'h' }].map((f) => [
          f.name,
          { type: f.type, ...('short' in f ? { short: f.short } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${oneLine((err as Error).message)}\n\n${usageOf(command)}`);
  }
  if (parsed.values.help) return parsed;
  for (const flag of command.flags) {
    const value = parsed.values[flag.name];
    if (flag.required && (value === undefined || (typeof value === 'string' && value.trim() === '')))
      throw new UsageError(`--${flag.name}: ${flag.help} is required\n\n${usageOf(command)}`);
  }
  return parsed;
}
