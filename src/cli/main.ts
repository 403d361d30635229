import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, EXIT_CODES, UsageError, parseCommandArgs, usageOf } from './command';
import { commands } from './commands';
import { quoted } from '../service/inputs';
import { log } from '../telemetry/logger';
import { columns } from './table';

/** The version in package.json. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  return [
    'duban (督办) — deadline reminders and escalations for government task tables, on Temporal',
    '',
    'Usage: duban <command> [options]   (duban <command> --help for details; duban --version)',
    '',
    'Commands:',
    ...columns(
      commands.map((c) => [c.path.join(' '), c.summary]),
      { indent: '  ' },
    ),
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage or bad input, 3 refused by a workflow, 4 Temporal server unreachable',
  ].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const n = command.path.length;
    if (argv.length >= n && command.path.every((w, i) => argv[i] === w)) {
      if (!best || n > best.command.path.length) best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

/** Entry point of the `duban` command. Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(help());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    console.log(`duban ${version()}`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(`duban: unknown command ${quoted(argv.join(' '))}\n\n${help()}`);
    return 2;
  }
  try {
    const parsed = parseCommandArgs(found.command, found.rest);
    if (parsed.values.help) {
      console.log(usageOf(found.command));
      return 0;
    }
    return await found.command.run(parsed);
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (err instanceof UsageError || name === 'UsageError' || name === 'TemporalUnreachable') {
      const exitCode = name === 'TemporalUnreachable' ? EXIT_CODES.unreachable : ((err as UsageError).exitCode ?? 2);
      // A process whose output is JSON log lines ends with one more, not with a line a log reader cannot parse.
      if (found.command.longRunning && log().format === 'json') log().error((err as Error).message, { exitCode });
      else console.error(`duban ${found.command.path.join(' ')}: ${(err as Error).message}`);
      return exitCode;
    }
    if (found.command.longRunning && log().format === 'json')
      log().error((err as Error).message, { stack: (err as Error).stack, exitCode: EXIT_CODES.failure });
    else console.error(`duban ${found.command.path.join(' ')}: ${(err as Error).stack ?? String(err)}`);
    return EXIT_CODES.failure;
  }
}
