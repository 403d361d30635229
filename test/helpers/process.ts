import { type ChildProcess, execFile, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `duban …` as a child process to its end: exit code, stdout and stderr. */
export function execDuban(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.resolve(__dirname, '../../bin/duban.js'), ...args],
      { env: { ...process.env, ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, out: stdout, err: stderr }),
    );
  });
}

/** The `duban` command as a child process, with its output collected. */
export interface DubanProcess {
  child: ChildProcess;
  output: () => string;
  /** What the process wrote to stdout alone. */
  stdout: () => string;
  /** Resolves when the output contains `text`; rejects after `timeoutMs`. */
  waitFor: (text: string, timeoutMs?: number) => Promise<void>;
  exit: Promise<number | null>;
}

export function spawnDuban(args: string[], env: NodeJS.ProcessEnv): DubanProcess {
  const child = spawn(process.execPath, [path.resolve(__dirname, '../../bin/duban.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of [...waiters]) {
      if (out.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onData(chunk);
  });
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stdout: () => stdout,
    exit,
    waitFor: (text, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for '${text}'. Output:\n${out}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exit.then(() => {
          clearTimeout(timer);
          if (!out.includes(text)) reject(new Error(`exited before '${text}'. Output:\n${out}`));
        });
      }),
  };
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
