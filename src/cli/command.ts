import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A `duban` sub-command. Each lives in its own file under `src/cli/commands/`. */
export interface Command {
  /** Words after `duban`, e.g. `['plan', 'import']`. */
  path: string[];
  /** One line for `duban --help`. */
  summary: string;
  /** Full help text printed by `duban <command> --help`. */
  usage: string;
  options?: ParseArgsConfig['options'];
  /** Returns the process exit code. */
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

/** A user error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Parses a command's arguments; unknown options are a {@link UsageError}. */
export function parseCommandArgs(command: Command, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${command.usage}`);
  }
}
