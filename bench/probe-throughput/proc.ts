import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * What the benchmark reads about a process from /proc: CPU (user + system, every thread) and
 * memory. Both sides are measured the same way, from outside, so neither reports on itself.
 */
let clkTck: number | undefined;

function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime + stime of a process and all its threads, in seconds (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.system;
}

/** User and system CPU seconds of a process and all its threads (zeros once it is gone). */
export function cpuTimes(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; fields are counted after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[11]) / ticksPerSecond(), system: Number(f[12]) / ticksPerSecond() };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** VmHWM (peak resident set) and VmRSS of a process, in MB. */
export function memoryMb(pid: number): { peakRssMb: number; rssMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return { peakRssMb: 0, rssMb: 0 };
  }
}

/** Busy and total CPU seconds of the whole machine (all cores), to see what else was running. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // user nice system idle iowait irq softirq steal; guest time is already inside user.
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / ticksPerSecond(), total: total / ticksPerSecond() };
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** The pids a process started (used to find the exporter under its `timeout` wrapper). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** p50/p99/max of samples (lags, durations), in ms. */
export function distribution(samples: number[]): { p50: number; p99: number; max: number; n: number } {
  const s = Float64Array.from(samples).sort();
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN, n: s.length };
}

/** CPU seconds of every process on the machine, to name what else ran during a measurement. */
export function allProcessCpu(): Map<number, { name: string; cpu: number }> {
  const out = new Map<number, { name: string; cpu: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), { name, cpu: (Number(f[11]) + Number(f[12])) / ticksPerSecond() });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** CPU used between two snapshots by processes not in `ours`, summed and the busiest named. */
export function otherProcessesCpu(
  before: Map<number, { name: string; cpu: number }>,
  after: Map<number, { name: string; cpu: number }>,
  ours: Set<number>,
): { seconds: number; top: { name: string; pid: number; seconds: number }[] } {
  const used: { name: string; pid: number; seconds: number }[] = [];
  for (const [pid, a] of after) {
    if (ours.has(pid)) continue;
    const d = a.cpu - (before.get(pid)?.cpu ?? 0);
    if (d > 0) used.push({ name: a.name, pid, seconds: d });
  }
  used.sort((x, y) => y.seconds - x.seconds);
  return { seconds: used.reduce((s, u) => s + u.seconds, 0), top: used.slice(0, 3) };
}
