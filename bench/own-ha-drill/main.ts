import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { runOwnHaDrill } from '../../test/support/own-ha-drill';

/**
 * bench/own-ha-drill (issue 16): Nines' own HA in one drill, with the timings the e2e test does
 * not assert. Three replicas on Redis master + replica + 3 Sentinels and a PostgreSQL primary +
 * standby; an alert storm; a replica, the Redis master and the PostgreSQL primary fail over.
 *
 *   node dist/bench/own-ha-drill/main.js [--targets 200] [--failing 50] [--interval 1000] [--runs 1] [--out bench/results/own-ha-drill.json]
 */
function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const targets = arg('targets', 200);
  const failing = arg('failing', 50);
  const intervalMs = arg('interval', 1000);
  const runs = arg('runs', 1);
  const outAt = process.argv.indexOf('--out');
  const out = outAt >= 0 ? process.argv[outAt + 1] : resolve(__dirname, '../../../bench/results/own-ha-drill.json');
  const results = [];
  for (let r = 0; r < runs; r++) {
    const load = loadavg()[0];
    const f = await runOwnHaDrill({ targets, failing, intervalMs, log: (l) => process.stderr.write(`  ${l}\n`) });
    const { logs: _logs, ...figures } = f;
    results.push({ load_before: load, ...figures });
    console.log(`\nrun ${r + 1}/${runs} (load ${load.toFixed(2)}): ${targets} targets, ${failing} failing at once, probes every ${intervalMs} ms, 3 replicas`);
    console.log(`  notifications expected ${f.expected}, delivered ${f.delivered}; lost ${f.lost.length}; duplicated ${f.duplicated.length} (webhook ids seen twice: ${f.duplicateWebhookIds})`);
    console.log(`  false alarms (probes timed out on a starved machine; not duplicates): ${f.falseAlarms.length}${f.falseAlarms.length ? ` e.g. ${f.falseAlarms.slice(0, 3).join('; ')}` : ''}`);
    console.log(`  longest gap between two probes of one target: ${f.longestProbeGap.ms} ms (${f.longestProbeGap.target})`);
    console.log(`  delivering again (failover -> firing notification of a target broken at that moment):`);
    console.log(`    replica killed (SIGKILL)          ${f.deliveringAgainMs.replicaKilled} ms`);
    console.log(`    Redis master killed (SIGKILL)     ${f.deliveringAgainMs.redisMasterKilled} ms (Sentinel promoted the replica after ${f.redisPromotionMs} ms)`);
    console.log(`    PostgreSQL standby promoted       ${f.deliveringAgainMs.postgresPromoted} ms (no primary for ${f.postgresOutageMs} ms)`);
    console.log(`  storm start -> every failing target notified: ${f.stormToAllFiringMs} ms`);
    console.log(`  /readyz while PostgreSQL had no primary: ${f.readyzDuringPostgresOutage.status} ${JSON.stringify((f.readyzDuringPostgresOutage.body as { dependencies?: unknown }).dependencies)}`);
  }
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), targets, failing, intervalMs, runs: results }, null, 2)}\n`);
  console.log(`\nwritten to ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
