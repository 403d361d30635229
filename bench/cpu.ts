/** CPU time of a bench's sides: this process (every thread: client, worker, workflow threads) and its servers. */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) of this process (every thread) and of its child processes (the test server). */
export interface CpuSplit {
  node: number;
  server: number;
}

function procCpuSeconds(pid: number | string): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of this process's children so far (Linux /proc; 0 elsewhere). Read before they exit. */
export function childrenCpuSeconds(): number {
  let total = 0;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
        if (Number(stat[1]) === process.pid) total += procCpuSeconds(entry);
      } catch {
        // The process ended between listing and reading.
      }
    }
  } catch {
    return 0;
  }
  return total;
}

export function nodeCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
