import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { validateSlo } from './validate';
import { prometheusRules, promModelDuration } from './prometheus-rules';
import { selectSeries } from './selection';
import { registry, slo, target } from './slo-fixtures';
import type { RawSlo } from './definition';

// Expected strings are what Sloth (prometheus/v1 spec) writes for the same SLO: names, labels,
// group names and thresholds worked out from its window specs (google-30d, google-28d, the 7d
// example) and its getBurnRateFactor, and checked against its integration fixtures.
const reg = registry([target(1, 'web', { labels: { team: 'shop' } })]);
interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
function rules(over: Partial<RawSlo>): { name: string; rules: Rule[] }[] {
  const def = slo(over);
  return (parse(prometheusRules([{ def, selection: selectSeries(def.selector, reg) }])) as { groups: { name: string; rules: Rule[] }[] }).groups;
}
const sloth = (window: string, extra: Record<string, unknown> = {}) => rules({ name: 'slo1', objective: 99.9, window, prometheus_rules: { style: 'sloth', service: 'svc01', ...extra } });
const thresholds = (expr: string) => [...expr.matchAll(/ratio_rate(\w+)\{[^}]*\} > \(([\d.]+) \*/g)].map((m) => `${m[1]}>${m[2]}`);

describe('style: sloth writes Sloth\'s names and labels', () => {
  it('three groups named by sloth_id = <service>-<slo>', () => {
    assert.deepEqual(sloth('30d').map((g) => g.name), ['sloth-slo-sli-recordings-svc01-slo1', 'sloth-slo-meta-recordings-svc01-slo1', 'sloth-slo-alerts-svc01-slo1']);
  });

  it('recording rules carry sloth_id, sloth_service, sloth_slo and sloth_window', () => {
    const [sli, meta] = sloth('30d');
    const rate5m = sli.rules.find((r) => r.record === 'slo:sli_error:ratio_rate5m')!;
    assert.deepEqual(rate5m.labels, { sloth_id: 'svc01-slo1', sloth_service: 'svc01', sloth_slo: 'slo1', sloth_window: '5m' });
    assert.deepEqual(
      sli.rules.map((r) => r.record),
      ['slo:probe_good:ratio', ...['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`)],
    );
    assert.deepEqual(
      meta.rules.map((r) => r.record),
      ['slo:objective:ratio', 'slo:error_budget:ratio', 'slo:time_period:days', 'slo:current_burn_rate:ratio', 'slo:period_burn_rate:ratio', 'slo:period_error_budget_remaining:ratio', 'sloth_slo_info'],
    );
    assert.equal(meta.rules[0].expr, 'vector(0.9990000000000001)');
    assert.equal(meta.rules[1].expr, 'vector(1-0.9990000000000001)');
    assert.deepEqual(meta.rules[6].labels, { sloth_id: 'svc01-slo1', sloth_service: 'svc01', sloth_slo: 'slo1', sloth_mode: 'cli-gen-prom', sloth_objective: '99.9', sloth_spec: 'prometheus/v1', sloth_version: 'nines' });
  });

  it('two alerts, page and ticket, each the "or" of its pairs, short window first', () => {
    const alerts = sloth('30d')[2].rules;
    assert.deepEqual(alerts.map((a) => a.labels?.sloth_severity), ['page', 'ticket']);
    assert.equal(alerts[0].alert, 'SLOBurnRate_svc01_slo1', 'without alerting.name, a name of its own per SLO');
    assert.deepEqual(thresholds(alerts[0].expr), ['5m>14.4', '1h>14.4', '30m>6', '6h>6']);
    assert.deepEqual(thresholds(alerts[1].expr), ['2h>3', '1d>3', '6h>1', '3d>1']);
    assert.match(alerts[0].expr, /> \(14\.4 \* 0\.0009999999999999432\)\) without \(sloth_window\)/);
    assert.equal(alerts[0].annotations?.title, '(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.');
  });
});

describe('window pairs scale to the SLO period as Sloth\'s window specs do', () => {
  it('7 days: Sloth\'s 7d spec gives 13.44 for 1h/5m (not 3.36), and names the period 1w', () => {
    const groups = sloth('7d');
    assert.deepEqual(thresholds(groups[2].rules[0].expr), ['5m>13.44', '1h>13.44', '30m>3.5', '6h>3.5']);
    assert.deepEqual(thresholds(groups[2].rules[1].expr), ['2h>1.4000000000000001', '1d>1.4000000000000001', '6h>0.98', '3d>0.98']);
    assert.ok(groups[0].rules.some((r) => r.record === 'slo:sli_error:ratio_rate1w'));
  });

  it('28 days: the workbook percentages over 28 days, the period named 4w', () => {
    const groups = sloth('28d');
    // Sloth's own float text (its out-base-28d fixture prints the same numbers).
    assert.deepEqual(thresholds(groups[2].rules[0].expr), ['5m>13.44', '1h>13.44', '30m>5.6000000000000005', '6h>5.6000000000000005']);
    assert.deepEqual(thresholds(groups[2].rules[1].expr), ['2h>2.8000000000000003', '1d>2.8000000000000003', '6h>0.9333333333333333', '3d>0.9333333333333333']);
    assert.ok(groups[0].rules.some((r) => r.record === 'slo:sli_error:ratio_rate4w'));
  });

  it('Nines\' own style uses the same pairs', () => {
    const alerts = rules({ window: '7d' })[0].rules.filter((r) => r.alert);
    assert.deepEqual(alerts.map((a) => `${a.labels?.long_window}/${a.labels?.short_window}:${/> \(([\d.]+) \*/.exec(a.expr)![1]}`), ['1h/5m:13.44', '6h/30m:3.5', '1d/2h:1.4', '3d/6h:0.98']);
  });

  it('prints periods as Prometheus does', () => {
    assert.deepEqual([7, 28, 30, 90, 14].map((d) => promModelDuration(d * 86_400_000)), ['1w', '4w', '30d', '90d', '2w']);
  });
});

describe('alerting and custom windows per SLO', () => {
  it('alerting: false leaves the alerts out, in both styles', () => {
    assert.equal(sloth('30d', { alerting: false }).length, 2);
    assert.equal(rules({ prometheus_rules: { style: 'nines', alerting: false } })[0].rules.filter((r) => r.alert).length, 0);
  });

  it('page or ticket alone can be switched off; labels and annotations are added', () => {
    const alerts = sloth('30d', { alerting: { name: 'CheckoutBurn', labels: { team: 'shop' }, annotations: { runbook: 'https://runbooks/slo' }, page: false, ticket: { labels: { queue: 'jira' } } } })[2].rules;
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].alert, 'CheckoutBurn');
    assert.deepEqual(alerts[0].labels, { team: 'shop', queue: 'jira', sloth_severity: 'ticket' });
    assert.equal(alerts[0].annotations?.runbook, 'https://runbooks/slo');
  });

  it('custom window pairs replace the defaults (severity: page up to a 6h long window)', () => {
    const groups = sloth('30d', { windows: [{ long: '30m', short: '2m', burn: 14.4 }, { long: '3h', short: '15m', burn: 4.8 }, { long: '36h', short: '3h', burn: 1, severity: 'ticket' }] });
    assert.deepEqual(thresholds(groups[2].rules[0].expr), ['2m>14.4', '30m>14.4', '15m>4.8', '3h>4.8']);
    assert.deepEqual(thresholds(groups[2].rules[1].expr), ['3h>1', '1d12h>1']);
    assert.ok(groups[0].rules.some((r) => r.record === 'slo:sli_error:ratio_rate2m'));
  });

  it('the config refuses a short window not shorter than its long one, and unknown keys', () => {
    const base = { name: 'x', selector: { target: 'web' }, objective: 99.9, window: '30d' };
    const issues = (prometheus_rules: unknown) => {
      const r = validateSlo({ ...base, prometheus_rules });
      return 'slo' in r && r.slo ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    };
    assert.deepEqual(issues({ style: 'sloth', windows: [{ long: '5m', short: '1h', burn: 2 }] }), ['prometheus_rules.windows[0].short: short must be shorter than long']);
    assert.equal(issues({ style: 'pyrra' }).length, 1);
    assert.deepEqual(issues({ style: 'sloth', service: 'svc01', alerting: { page: false, ticket: { labels: { a: 'b' } } } }), []);
  });
});
