import { readdirSync, readFileSync } from 'node:fs';

/** Nearest-rank percentile of an ascending array (Infinity stands for a timeout). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Distribution {
  n: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

export function distribution(samples: number[]): Distribution {
  const s = [...samples].sort((a, b) => a - b);
  const finite = s.filter(Number.isFinite);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1] : NaN,
    min: s.length ? s[0] : NaN,
    mean: finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN,
  };
}

export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** utime + stime of a process (all threads) in seconds; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** Busy fraction of the whole machine between two readings of /proc/stat. */
export function machineBusy(): { busy: number; total: number } {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - v[3] - (v[4] ?? 0), total };
}

export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export const fmtMs = (ms: number) => (Number.isFinite(ms) ? (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`) : ms === Infinity ? 'timeout' : 'n/a');

/** CPU seconds of every process whose command line matches, by pid. */
export function cpuOfMatching(re: RegExp): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (re.test(readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' '))) out.set(Number(e), cpuSeconds(Number(e)));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** CPU used between two snapshots (a process that exited in between counts what it had at the first). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let d = 0;
  for (const [pid, cpu] of after) d += cpu - (before.get(pid) ?? 0);
  return d;
}
