import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseConfig } from '../../config/src/config';
import { importOpenSlo, toNinesYaml } from './openslo';

const slo = (spec: string, name = 'checkout') => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
${spec}`;

const ratio = `  indicator:
    metadata: { name: up }
    spec:
      ratioMetric:
        counter: false
        good: { metricSource: { type: Prometheus, spec: { query: 'probe_success{target="web"}' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'count(probe_success{target="web"})' } } }`;

describe('OpenSLO import: maps ratio/threshold indicators on Nines probes, rolling or calendar windows, objectives', () => {
  it('a ratio indicator on probe_success over a 28-day rolling window', () => {
    const r = importOpenSlo(slo(`${ratio}\n  timeWindow: [{ duration: 28d, isRolling: true }]\n  budgetingMethod: Occurrences\n  objectives: [{ target: 0.9995 }]`));
    assert.deepEqual(r.errors, []);
    assert.equal(r.slos.length, 1);
    assert.deepEqual(
      { name: r.slos[0].name, selector: r.slos[0].selector, sli: r.slos[0].sli, objective: r.slos[0].objective, window: r.slos[0].window },
      { name: 'checkout', selector: { target: 'web' }, sli: { kind: 'availability' }, objective: 99.95, window: '28d' },
    );
  });

  it('the output is a valid slos: section of nines.yaml', () => {
    const r = importOpenSlo(slo(`${ratio}\n  timeWindow: [{ duration: 1Q, isRolling: false, calendar: { timeZone: Europe/Berlin } }]\n  objectives: [{ targetPercent: 99.5 }]`));
    const yaml = toNinesYaml(r.slos);
    assert.deepEqual(parse(yaml), { slos: [{ name: 'checkout', selector: { target: 'web' }, objective: 99.5, window: 'quarter', timezone: 'Europe/Berlin' }] });
    const config = parseConfig(`targets: [{ name: web, probe: { kind: http, url: "http://127.0.0.1/" } }]\n${yaml}`, {});
    assert.equal(config.raw.slos[0].window, 'quarter');
  });

  it('a threshold on probe_duration_seconds becomes a latency SLI; one Nines SLO per objective', () => {
    const r = importOpenSlo(
      slo(`  indicator:
    metadata: { name: fast }
    spec:
      thresholdMetric: { metricSource: { type: Nines, spec: { system: orders-db, metric: probe_duration_seconds } } }
  timeWindow: [{ duration: 7d, isRolling: true }]
  objectives:
    - { displayName: Fast, op: lte, value: 0.25, target: 0.99 }
    - { displayName: Very fast, op: lte, value: 0.1, target: 0.9 }`),
    );
    assert.deepEqual(r.errors, []);
    assert.deepEqual(
      r.slos.map((s) => [s.name, s.sli, s.objective]),
      [
        ['checkout-fast', { kind: 'latency', threshold: '250ms' }, 99],
        ['checkout-very-fast', { kind: 'latency', threshold: '100ms' }, 90],
      ],
    );
  });

  it('what does not map is an error naming the document and field', () => {
    const text = [
      slo(`${ratio}\n  timeWindow: [{ duration: 1M, isRolling: true }]\n  objectives: [{ target: 0.99 }]`, 'a'),
      slo(`${ratio}\n  timeWindow: [{ duration: 30d, isRolling: true }]\n  budgetingMethod: Timeslices\n  objectives: [{ target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: 1m }]`, 'b'),
      slo(
        `  indicator:\n    spec:\n      thresholdMetric: { metricSource: { type: Prometheus, spec: { query: 'probe_duration_seconds{target="web"}' } } }\n  timeWindow: [{ duration: 30d, isRolling: true }]\n  objectives: [{ op: lte, value: 0.3, target: 0.99 }]`,
        'c',
      ),
      slo(`  indicator:\n    spec:\n      ratioMetric: { good: { metricSource: { type: Datadog, spec: { query: 'x' } } } }\n  timeWindow: [{ duration: 30d, isRolling: true }]\n  objectives: [{ target: 0.99 }]`, 'd'),
    ].join('\n---\n');
    const r = importOpenSlo(text);
    assert.deepEqual(r.slos, []);
    assert.deepEqual(
      r.errors.map((e) => `${e.doc}: ${e.path}: ${e.message}`),
      [
        'doc[0] (SLO a): spec.timeWindow[0].duration: a rolling window needs a fixed length in m, h, d or w (got 1M)',
        'doc[1] (SLO b): spec.budgetingMethod: Timeslices is not supported: Nines counts occurrences (probes, or minutes for a system without an endpoint)',
        'doc[1] (SLO b): spec.objectives[0].timeSliceTarget: time slices are not supported: Nines counts occurrences',
        'doc[2] (SLO c): spec.objectives[0].value: 0.3s is not one of the latency boundaries Nines counts: 5ms, 10ms, 25ms, 50ms, 100ms, 250ms, 500ms, 1s, 2.5s, 5s, 10s',
        'doc[3] (SLO d): spec.indicator.spec.ratioMetric.good.metricSource.type: "Datadog" is not a source Nines can map (use type Nines, or Prometheus with probe_success{target="…"})',
      ],
    );
  });

  it('references are checked when a config is given; alert policies are a note, not an error', () => {
    const text = slo(`${ratio}\n  timeWindow: [{ duration: 30d, isRolling: true }]\n  objectives: [{ target: 0.99 }]\n  alertPolicies: [fast-burn]`);
    const r = importOpenSlo(text, { targets: new Set(['homepage']), systems: new Set(), timeIntervals: new Set() });
    assert.deepEqual(r.errors.map((e) => `${e.path}: ${e.message}`), ['spec.objectives[0] → selector.target: unknown target "web"']);
    assert.deepEqual(r.notes.map((n) => n.path), ['spec.alertPolicies']);
  });
});
