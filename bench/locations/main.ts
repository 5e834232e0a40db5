import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOCATIONS, startLocationLab, type Location, type LocationLab } from '../../test/support/location-lab';
import { alerts, locationsConfig, sampleValue, scrape, startLocationsNines, type LocationsNines } from '../../test/support/locations-nines';
import { sleep, waitUntil } from '../../test/support/wait';
import { cpuSeconds, loadAverage, machineCpu, percentile } from '../probe-throughput/proc';

/**
 * bench/locations (issue 17): probing from several locations, on the location lab.
 *
 * 1. Time to the quorum verdict: a target's server is killed (timestamped), and /metrics is polled
 *    every 25 ms until probe_success{target} flips to 0; the TargetDown alert's own fired_at is read
 *    too (no polling delay). Three locations, quorum 2, 1 s interval. Goal: interval + timeout + 200 ms.
 * 2. Extra CPU per location: the same N targets probed from 1, 2 and 3 locations for the same time;
 *    CPU seconds (utime + stime from /proc) of the prober processes, and of the api process that
 *    serves /metrics and the API.
 *
 *   node dist/bench/locations/main.js [--trials 12] [--targets 12 (at least one per trial)] [--cpu-targets 50] [--cpu-seconds 30] [--interval 1000] [--timeout 700] [--out bench/results/locations.json]
 */
function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const log = (l: string) => process.stderr.write(`  ${l}\n`);

interface Trial {
  target: string;
  /** Kill → probe_success 0 seen on /metrics (polled every 25 ms). */
  metricMs: number;
  /** Kill → the TargetDown alert's fired_at (the verdict's own time). */
  alertMs: number | null;
}

async function timeToVerdict(lab: LocationLab, trials: number, intervalMs: number, timeoutMs: number, stuck: string[]): Promise<Trial[]> {
  const yaml = locationsConfig({ lab, intervalMs, timeoutMs, explicit: lab.targets.map((t) => t.name) });
  const nines = await startLocationsNines(lab, yaml, 'locations_bench_verdict', LOCATIONS);
  const out: Trial[] = [];
  try {
    const api = nines.api.url;
    const allUp = async () => {
      const m = await scrape(api);
      return lab.targets.every((t) => sampleValue(m, 'probe_success', { target: t.name }) === 1) || false;
    };
    await waitUntil('every target up by quorum', async () => (await allUp()) || 'not yet', 90_000, 250);
    for (let i = 0; i < trials; i++) {
      const target = lab.targets[i % lab.targets.length].name;
      // A random phase against the probers' schedules, so the trials sample it evenly.
      await sleep(Math.random() * intervalMs);
      const killedAt = await lab.failTarget(target);
      let seenAt = 0;
      await waitUntil(`probe_success{target=${target}} 0`, async () => {
        if (sampleValue(await scrape(api), 'probe_success', { target }) === 0) {
          seenAt = Date.now();
          return true;
        }
        return 'still 1';
      }, 30_000, 25);
      let firedAt: number | null = null;
      await waitUntil(`TargetDown{target=${target}} firing`, async () => {
        const a = (await alerts(api, 'TargetDown')).find((x) => x.labels.target === target && x.state === 'firing');
        if (a?.fired_at) firedAt = Date.parse(a.fired_at);
        return a ? true : 'not firing';
      }, 30_000, 100).catch((e) => log(`trial ${i + 1}: ${(e as Error).message}`));
      out.push({ target, metricMs: seenAt - killedAt, alertMs: firedAt === null ? null : firedAt - killedAt });
      log(`trial ${i + 1}/${trials} ${target}: probe_success 0 after ${seenAt - killedAt} ms; TargetDown fired_at +${firedAt === null ? 'n/a' : firedAt - killedAt} ms`);
      await lab.restoreTarget(target);
      await waitUntil('every target up by quorum again', async () => (await allUp()) || 'not yet', 60_000, 100);
      // A TargetDown left firing once every location says up again is a finding, printed, not a stop.
      await waitUntil(`TargetDown{target=${target}} resolved`, async () => {
        const open = (await alerts(api, 'TargetDown')).filter((x) => x.labels.target === target && x.state === 'firing');
        if (!open.length) return true;
        const m = await scrape(api);
        const seen = LOCATIONS.map((l) => `${l}=${sampleValue(m, 'nines_location_probe_success', { target, location: l })}`);
        return `firing ${JSON.stringify(open)}; probe_success ${sampleValue(m, 'probe_success', { target })}, per location ${seen.join(' ')}`;
      }, 20_000, 100).catch((e: Error) => {
        stuck.push(`trial ${i + 1} ${target}: ${e.message}`);
        log(`trial ${i + 1}: ${e.message}`);
      });
    }
    if (stuck.length) writeFileSync('/tmp/nines-locations-bench.log', nines.logs());
  } catch (err) {
    writeFileSync('/tmp/nines-locations-bench.log', nines.logs());
    throw new Error(`${(err as Error).message}\n(Nines' logs: /tmp/nines-locations-bench.log)`);
  } finally {
    await nines.stop();
  }
  return out;
}

interface CpuRun {
  /** 0: one prober without NINES_LOCATION (the classic single vantage point), the baseline. */
  locations: number;
  seconds: number;
  probersCpu: number;
  perProber: number[];
  apiCpu: number;
  machineBusy: number;
  load: string;
}

async function cpuWith(lab: LocationLab, locs: readonly Location[], seconds: number, intervalMs: number, timeoutMs: number, classic = false): Promise<CpuRun> {
  const yaml = locationsConfig({ lab, intervalMs, timeoutMs });
  const nines: LocationsNines = await startLocationsNines(lab, yaml, `locations_bench_cpu${classic ? 0 : locs.length}`, locs, classic ? { NINES_LOCATION: '' } : undefined);
  try {
    const api = nines.api.url;
    await waitUntil(`every target up from ${locs.join(', ')}`, async () => {
      const m = await scrape(api);
      const missing = lab.targets.filter((t) =>
        classic ? sampleValue(m, 'probe_success', { target: t.name }) !== 1 : locs.some((l) => sampleValue(m, 'nines_location_probe_success', { target: t.name, location: l }) !== 1),
      );
      return missing.length ? `${missing.length} targets not yet up from every location` : true;
    }, 120_000, 500);
    await sleep(5000); // past start-up work (first ticks, caches)
    const pids = locs.map((l) => lab.probers.get(l)!.proc.pid!);
    const apiPid = nines.api.proc.pid!;
    const before = { probers: pids.map(cpuSeconds), api: cpuSeconds(apiPid), machine: machineCpu() };
    await sleep(seconds * 1000);
    const perProber = pids.map((p, i) => cpuSeconds(p) - before.probers[i]);
    return {
      locations: classic ? 0 : locs.length,
      seconds,
      probersCpu: perProber.reduce((a, b) => a + b, 0),
      perProber,
      apiCpu: cpuSeconds(apiPid) - before.api,
      machineBusy: machineCpu().busy - before.machine.busy,
      load: loadAverage(),
    };
  } finally {
    await nines.stop();
  }
}

async function main(): Promise<void> {
  const trials = arg('trials', 12);
  // One target per trial: failing the same target again and again makes it flap, and flap damping
  // then holds its alert firing (seen: flips_in_window 7 after four rounds on one target).
  const verdictTargets = Math.max(arg('targets', 6), trials);
  const cpuTargets = arg('cpu-targets', 50);
  const cpuSecondsWindow = arg('cpu-seconds', 30);
  const intervalMs = arg('interval', 1000);
  const timeoutMs = arg('timeout', 700);
  const outAt = process.argv.indexOf('--out');
  const out = outAt >= 0 ? process.argv[outAt + 1] : resolve(__dirname, '../../../bench/results/locations.json');
  const goalMs = intervalMs + timeoutMs + 200;

  const names = (n: number) => Array.from({ length: n }, (_, i) => `t${String(i + 1).padStart(3, '0')}`);
  let lab = await startLocationLab({ targets: names(verdictTargets) });
  let verdict: Trial[];
  const stuck: string[] = [];
  try {
    verdict = await timeToVerdict(lab, trials, intervalMs, timeoutMs, stuck);
  } finally {
    await lab.teardown();
  }
  const metric = verdict.map((t) => t.metricMs).sort((a, b) => a - b);
  const fired = verdict.map((t) => t.alertMs).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const line = (s: number[]) => `median ${percentile(s, 50)} ms, p95 ${percentile(s, 95)} ms, max ${s.at(-1)} ms (n=${s.length})`;
  console.log(`\ntime from a real target failure (server killed) to the quorum verdict, 3 locations, quorum 2, interval ${intervalMs} ms, timeout ${timeoutMs} ms`);
  console.log(`  probe_success 0 on /metrics (polled every 25 ms): ${line(metric)}`);
  console.log(`  TargetDown fired_at:                             ${line(fired)}`);
  console.log(`  TargetDown left firing 20 s after the target answered every location again: ${stuck.length} of ${trials}${stuck.length ? ` (Nines' logs: /tmp/nines-locations-bench.log)\n    ${stuck.join('\n    ')}` : ''}`);
  console.log(`  goal: under interval + timeout + 200 ms = ${goalMs} ms → ${percentile(metric, 95) < goalMs ? 'met' : 'MISSED'} at p95 (metrics), max ${metric.at(-1)! < goalMs ? 'within' : 'over'}`);

  lab = await startLocationLab({ targets: names(cpuTargets) });
  const cpu: CpuRun[] = [];
  let classic: CpuRun;
  try {
    log(`CPU: ${cpuTargets} targets from one prober without NINES_LOCATION for ${cpuSecondsWindow} s (baseline)`);
    classic = await cpuWith(lab, ['dc1'], cpuSecondsWindow, intervalMs, timeoutMs, true);
    for (const k of [1, 2, 3]) {
      log(`CPU: ${cpuTargets} targets from ${k} location(s) for ${cpuSecondsWindow} s`);
      cpu.push(await cpuWith(lab, LOCATIONS.slice(0, k), cpuSecondsWindow, intervalMs, timeoutMs));
    }
  } finally {
    await lab.teardown();
  }
  console.log(`\nCPU of probing ${cpuTargets} targets every ${intervalMs} ms from 1, 2 and 3 locations, ${cpuSecondsWindow} s each (utime + stime):`);
  console.log(`  no location (classic prober): ${classic.probersCpu.toFixed(2)} s, ${(100 * classic.probersCpu / classic.seconds).toFixed(1)}% of a core; api ${classic.apiCpu.toFixed(2)} s`);
  for (const c of cpu) {
    console.log(
      `  ${c.locations} location(s): probers ${c.probersCpu.toFixed(2)} s (${c.perProber.map((p) => p.toFixed(2)).join(' + ')}), ${(100 * c.probersCpu / c.seconds).toFixed(1)}% of a core; ` +
        `api ${c.apiCpu.toFixed(2)} s; ×${(c.probersCpu / cpu[0].probersCpu).toFixed(2)} of one location (load ${c.load})`,
    );
  }
  console.log(`  voting and location series, one location against the classic prober: ×${(cpu[0].probersCpu / classic.probersCpu).toFixed(2)} (${(cpu[0].probersCpu - classic.probersCpu).toFixed(2)} s per ${cpuSecondsWindow} s)`);
  const extra = [1, 2].map((i) => cpu[i].probersCpu + cpu[i].apiCpu - (cpu[i - 1].probersCpu + cpu[i - 1].apiCpu));
  console.log(`  extra per added location (probers + api): ${extra.map((e) => `${e.toFixed(2)} s`).join(', ')} per ${cpuSecondsWindow} s = ${extra.map((e) => `${(100 * e / cpuSecondsWindow).toFixed(1)}%`).join(', ')} of a core`);

  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), intervalMs, timeoutMs, goalMs, verdict: { trials: verdict, stuck, metric: { p50: percentile(metric, 50), p95: percentile(metric, 95), max: metric.at(-1) }, fired: { p50: percentile(fired, 50), p95: percentile(fired, 95), max: fired.at(-1) } }, cpu: { targets: cpuTargets, classic, runs: cpu } }, null, 2)}\n`,
  );
  console.log(`\nwritten to ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
