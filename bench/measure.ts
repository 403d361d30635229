/** What the benches print: medians and ranges, and the CPU time of this process (every thread) and its servers. */
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

/** `median (range min–max)` of the values, or the single value. */
export function summary(values: number[], digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const f = (v: number) => v.toFixed(digits);
  return sorted.length === 1 ? f(median) : `${f(median)} (range ${f(sorted[0]!)}–${f(sorted[sorted.length - 1]!)})`;
}
