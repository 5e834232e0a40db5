import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { computeSlo, planSlo } from '../../libs/slo/src/engine';
import { MemoryCountSource } from '../../libs/slo/src/memory-source';
import { prometheusRules, sloRuleGroup } from '../../libs/slo/src/prometheus-rules';
import { selectSeries } from '../../libs/slo/src/selection';
import { noExclusions, registry, slo, target } from '../../libs/slo/src/slo-fixtures';

/**
 * The exported Prometheus rules against the built-in engine: the same probe histories go to
 * both, and promtool must see exactly the alerts Nines decides, at the same times — firing and
 * staying quiet. 20 targets probed once a minute (one scrape a minute) under a labels
 * selector, 99% over 30 days, so a 5% error rate (one target down) is a burn rate of 5.
 */
const MIN = 60_000;
const TARGETS = 20;
const MINUTES = 2880;
const reg = registry(Array.from({ length: TARGETS }, (_, i) => target(i + 1, `t${String(i).padStart(2, '0')}`, { labels: { team: 'shop' } })));
const def = slo({ name: 'shop', selector: { labels: { team: 'shop' } }, objective: 99, window: '30d' });
const selection = selectSeries(def.selector, reg);

type Value = 0 | 1 | null;
interface Scenario {
  name: string;
  value(minute: number, target: number): Value;
  checks: { at: number; expect: string[] }[];
}

const outage = (from: number, to: number) => (m: number) => (m >= from && m < to ? 0 : 1);
const SCENARIOS: Scenario[] = [
  { name: 'all good stays quiet', value: () => 1, checks: [{ at: 1440, expect: [] }, { at: 2879, expect: [] }] },
  {
    name: 'a 15-minute outage pages on 1h/5m, which resolves 10 minutes after',
    value: outage(2000, 2015),
    checks: [
      { at: 2012, expect: ['page 1h/5m'] },
      { at: 2025, expect: [] },
    ],
  },
  {
    name: 'a 30-minute outage pages on both pairs and opens the 3d ticket; 6h/30m holds after it ends',
    value: outage(2000, 2030),
    checks: [
      { at: 2029, expect: ['page 1h/5m', 'page 6h/30m', 'ticket 3d/6h'] },
      { at: 2040, expect: ['page 6h/30m', 'ticket 3d/6h'] },
    ],
  },
  {
    name: 'one target of 20 down (5% errors, burn 5) opens tickets, never a page',
    value: (m, t) => (t === 0 && m >= 720 ? 0 : 1),
    checks: [
      { at: 1000, expect: ['ticket 3d/6h'] },
      { at: 2879, expect: ['ticket 1d/2h', 'ticket 3d/6h'] },
    ],
  },
  { name: 'a 4-minute blip stays quiet', value: outage(2000, 2004), checks: [{ at: 2004, expect: [] }] },
  {
    name: 'two hours without data (Nines down) are neither good nor bad',
    value: (m) => (m >= 1000 && m < 1120 ? null : 1),
    checks: [
      { at: 1130, expect: [] },
      { at: 1200, expect: [] },
    ],
  },
];

function history(s: Scenario): MemoryCountSource {
  const src = new MemoryCountSource();
  for (let t = 0; t < TARGETS; t++)
    for (let m = 0; m < MINUTES; m++) {
      const v = s.value(m, t);
      if (v !== null) src.fill(t + 1, m * MIN, (m + 1) * MIN, { total: 1, good: v });
    }
  return src;
}

function builtIn(src: MemoryCountSource, at: number): string[] {
  const r = computeSlo(planSlo(def, reg, noExclusions, at * MIN), src);
  return r.alerts.filter((a) => a.firing).map((a) => `${a.severity} ${a.long}/${a.short}`);
}

/** Run-length encoded promtool series values: "1+0x9" is ten 1s, "_x3" three missing samples. */
function seriesValues(s: Scenario, t: number): string {
  const parts: string[] = [];
  let m = 0;
  while (m < MINUTES) {
    const v = s.value(m, t);
    let n = 1;
    while (m + n < MINUTES && s.value(m + n, t) === v) n++;
    parts.push(v === null ? `_x${n}` : `${v}+0x${n - 1}`);
    m += n;
  }
  return parts.join(' ');
}

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr })));
}

describe('exported Prometheus rules fire and stay quiet where the built-in engine does (promtool)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-slo-rules-'));
  const rulesFile = join(dir, 'slo-rules.yml');
  writeFileSync(rulesFile, prometheusRules([{ def, selection }]));
  const alertRules = sloRuleGroup(def, selection).rules.filter((r) => r.alert) as { labels: Record<string, string>; annotations: Record<string, string> }[];
  const seriesLabels = { sloth_id: 'shop', sloth_service: 'nines', sloth_slo: 'shop', slo: 'shop' };

  it('promtool check rules accepts the file', async () => {
    const r = await run('promtool', ['check', 'rules', rulesFile]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS: \d+ rules found/);
  });

  for (const s of SCENARIOS) {
    it(s.name, async () => {
      const tests = [];
      const src = history(s);
      for (const c of s.checks) {
        const got = builtIn(src, c.at);
        assert.deepEqual(got, c.expect, `built-in engine at ${c.at}m`);
        tests.push({
          eval_time: `${c.at}m`,
          alertname: 'SLOBurnRate',
          exp_alerts: got.map((id) => {
            const [severity, pair] = id.split(' ');
            const [long, short] = pair.split('/');
            const rule = alertRules.find((r) => r.labels.long_window === long && r.labels.short_window === short)!;
            assert.equal(rule.labels.severity, severity);
            return { exp_labels: { ...seriesLabels, ...rule.labels }, exp_annotations: rule.annotations };
          }),
        });
      }
      const testFile = join(dir, `${s.name.replace(/\W+/g, '-')}.test.yml`);
      writeFileSync(
        testFile,
        stringify(
          {
            rule_files: [rulesFile],
            evaluation_interval: '1m',
            tests: [
              {
                interval: '1m',
                input_series: Array.from({ length: TARGETS }, (_, t) => ({ series: `probe_success{target="t${String(t).padStart(2, '0')}",kind="http"}`, values: seriesValues(s, t) })),
                alert_rule_test: tests,
              },
            ],
          },
          { lineWidth: 0 },
        ),
      );
      const r = await run('promtool', ['test', 'rules', testFile]);
      assert.equal(r.code, 0, r.out);
    });
  }
});

describe('style: sloth rules fire where the built-in engine does, and pass promtool (Sloth users)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nines-slo-sloth-'));
  const slothDef = slo({ name: 'shop', selector: { labels: { team: 'shop' } }, objective: 99, window: '30d', prometheus_rules: { style: 'sloth', service: 'shop-svc', alerting: { name: 'ShopSLO' } } });
  const rulesFile = join(dir, 'sloth-rules.yml');
  writeFileSync(rulesFile, prometheusRules([{ def: slothDef, selection }]));
  const ids = { sloth_id: 'shop-svc-shop', sloth_service: 'shop-svc', sloth_slo: 'shop' };

  it('promtool check rules accepts Sloth-style files: 30d, 7d, 28d, custom windows, alerting off', async () => {
    const variants = [
      slothDef,
      slo({ name: 'week', window: '7d', prometheus_rules: { style: 'sloth', service: 'web' } }),
      slo({ name: 'fourweeks', window: '28d', prometheus_rules: { style: 'sloth', service: 'web', alerting: { page: false } } }),
      slo({ name: 'custom', window: '30d', prometheus_rules: { style: 'sloth', service: 'web', windows: [{ long: '30m', short: '2m', burn: 14.4 }, { long: '36h', short: '3h', burn: 1 }] } }),
      slo({ name: 'quiet', window: 'month', prometheus_rules: { style: 'sloth', service: 'web', alerting: false } }),
      slo({ name: 'nines-custom', window: '7d', prometheus_rules: { style: 'nines', windows: [{ long: '2h', short: '10m', burn: 6 }] } }),
    ];
    const file = join(dir, 'all.yml');
    writeFileSync(file, prometheusRules(variants.map((d) => ({ def: d, selection: selectSeries(d.selector, reg) }))));
    const r = await run('promtool', ['check', 'rules', file]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS: \d+ rules found/);
  });

  for (const s of SCENARIOS) {
    it(s.name, async () => {
      const src = history(s);
      // promtool compares every alert of a name at once: page and ticket share one.
      const tests = s.checks.map((c) => {
        const got = builtIn(src, c.at);
        return {
          eval_time: `${c.at}m`,
          alertname: 'ShopSLO',
          exp_alerts: (['page', 'ticket'] as const)
            .filter((severity) => got.some((g) => g.startsWith(`${severity} `)))
            .map((severity) => ({
              exp_labels: { ...ids, sloth_severity: severity },
              exp_annotations: {
                summary: 'shop-svc shop SLO error budget burn rate is over expected.',
                title: `(${severity}) shop-svc shop SLO error budget burn rate is too fast.`,
              },
            })),
        };
      });
      const testFile = join(dir, `${s.name.replace(/\W+/g, '-')}.test.yml`);
      const input_series = Array.from({ length: TARGETS }, (_, t) => ({ series: `probe_success{target="t${String(t).padStart(2, '0')}",kind="http"}`, values: seriesValues(s, t) }));
      writeFileSync(testFile, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests: [{ interval: '1m', input_series, alert_rule_test: tests }] }, { lineWidth: 0 }));
      const r = await run('promtool', ['test', 'rules', testFile]);
      assert.equal(r.code, 0, r.out);
    });
  }
});
