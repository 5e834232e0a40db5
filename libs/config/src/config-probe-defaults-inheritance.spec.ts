import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';

const yaml = `
defaults: { interval: 30s, timeout: 5s }
systems:
  - name: orders-db
    layer: storage
    kind: postgres
    interval: 20s
    labels: { team: db, tier: gold }
    endpoint:
      interval: 15s
      probe: { kind: tcp, address: "10.0.0.10:5432" }
    members:
      - name: from-system
        probe: { kind: tcp, address: "10.0.0.11:5432" }
      - name: member-overrides
        interval: 10s
        timeout: 2s
        labels: { tier: silver }
        probe: { kind: tcp, address: "10.0.0.12:5432" }
      - name: probe-overrides
        interval: 10s
        labels: { tier: silver }
        probe: { kind: tcp, address: "10.0.0.13:5432", interval: 4s, timeout: 1s, labels: { tier: bronze, rack: r7 } }
      - name: short-interval
        probe: { kind: tcp, address: "10.0.0.14:5432", interval: 2s }
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1/" }
  - name: api
    interval: 1m
    labels: { team: web }
    probe: { kind: http, url: "http://127.0.0.1/api", timeout: 10s }
`;

describe('config: probe timing and labels inherit defaults → system → member → probe', () => {
  const c = parseConfig(yaml, {});
  const t = (key: string) => {
    const found = c.targets.find((x) => x.key === key);
    assert.ok(found, `no target ${key}`);
    return found;
  };

  it('takes the system interval and the default timeout when the member sets neither', () => {
    assert.equal(t('orders-db/from-system').intervalMs, 20_000);
    assert.equal(t('orders-db/from-system').timeoutMs, 5_000);
    assert.deepEqual(t('orders-db/from-system').labels, { team: 'db', tier: 'gold' });
  });

  it('lets the member override interval, timeout and single labels', () => {
    assert.equal(t('orders-db/member-overrides').intervalMs, 10_000);
    assert.equal(t('orders-db/member-overrides').timeoutMs, 2_000);
    assert.deepEqual(t('orders-db/member-overrides').labels, { team: 'db', tier: 'silver' });
  });

  it('lets the probe override the member', () => {
    assert.equal(t('orders-db/probe-overrides').intervalMs, 4_000);
    assert.equal(t('orders-db/probe-overrides').timeoutMs, 1_000);
    assert.deepEqual(t('orders-db/probe-overrides').labels, { team: 'db', tier: 'bronze', rack: 'r7' });
  });

  it('shortens the default timeout to a shorter interval', () => {
    assert.equal(t('orders-db/short-interval').intervalMs, 2_000);
    assert.equal(t('orders-db/short-interval').timeoutMs, 2_000);
  });

  it('gives the endpoint its own interval and the system labels', () => {
    const e = t('orders-db/@endpoint');
    assert.equal(e.intervalMs, 15_000);
    assert.equal(e.timeoutMs, 5_000);
    assert.deepEqual(e.labels, { team: 'db', tier: 'gold' });
    assert.equal(e.isEndpoint, true);
  });

  it('uses the defaults for a standalone target, and its own settings over them', () => {
    assert.equal(t('homepage').intervalMs, 30_000);
    assert.equal(t('homepage').timeoutMs, 5_000);
    assert.deepEqual(t('homepage').labels, {});
    assert.equal(t('api').intervalMs, 60_000);
    assert.equal(t('api').timeoutMs, 10_000);
    assert.deepEqual(t('api').labels, { team: 'web' });
  });

  it('does not leak the common fields into the driver spec', () => {
    const probe = t('orders-db/probe-overrides').probe;
    assert.equal(probe.kind, 'tcp');
    assert.equal(probe.address, '10.0.0.13:5432');
    for (const common of ['interval', 'timeout', 'labels']) assert.equal(common in probe, false, common);
  });

  it('exposes the defaults themselves', () => {
    assert.deepEqual(c.defaults, { intervalMs: 30_000, timeoutMs: 5_000, failureThreshold: 1, recoveryThreshold: 1, concurrency: 1024 });
  });
});
