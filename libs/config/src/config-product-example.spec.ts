import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { ConfigError } from './errors';

// The config example of PRODUCT.md, verbatim.
const PRODUCT_EXAMPLE = `
defaults: { interval: 10s, timeout: 3s }
systems:                       # an HA group: the unit of failover and of incidents
  - name: orders-db
    layer: storage             # access | proxy | gateway | service | registry | coordination | cache | search | queue | storage | network
    kind: postgres             # how roles and lag are read: postgres | mysql | redis | redis-sentinel | redis-cluster | zookeeper | kafka | elasticsearch | haproxy | nginx | keepalived | …
    depends_on: [ ]            # other systems this one needs (correlation, inhibition)
    endpoint:                  # optional: the service as its users reach it (VIP, LB, sentinel name)
      probe: { kind: tcp, address: 127.0.0.1:5432 }
    expect: { primaries: 1, min_replicas: 1, max_lag: 5s }
    members:
      - name: pg1
        probe: { kind: postgres, url: postgres://postgres@127.0.0.1:55432/postgres }
      - name: pg2
        probe: { kind: postgres, url: postgres://postgres@127.0.0.1:55433/postgres }
targets:                       # standalone checks, not part of a system
  - name: homepage
    probe: { kind: http, url: http://127.0.0.1:8080/, expect_status: [200] }
    interval: 5s
    labels: { team: web }
slos:
  - name: orders-db-availability
    selector: { system: orders-db }      # or { target: NAME } or { labels: {…} }
    objective: 99.95                     # percent
    window: 30d                          # rolling; or calendar: month | quarter
alerting:
  receivers:
    - name: oncall
      email: { to: [oncall@example.com] }
    - name: chatops
      webhook: { url: http://127.0.0.1:9000/hook, format: standard, secret: "\${WEBHOOK_SECRET}", allow_private: true }  # format: standard | alertmanager | slack; private/loopback targets refused unless allow_private
  route: { receiver: oncall, group_by: [system], group_wait: 0s, group_interval: 1m, repeat_interval: 4h,
           routes: [ { matchers: ['severity="page"'], receiver: chatops } ] }
  inhibit_rules: [ { source_matchers: ['alertname="SystemDown"'], target_matchers: ['severity=~"warning|info"'], equal: [system] } ]
smtp: { url: "smtp://127.0.0.1:2525", from: "nines@example.com" }
reports: { weekly: { cron: "0 9 * * 1", timezone: UTC, to: [sre@example.com] } }
`;

describe('config: the PRODUCT.md example', () => {
  const c = parseConfig(PRODUCT_EXAMPLE, { WEBHOOK_SECRET: 'wh-s3cret-value' });

  it('parses into one system with an endpoint and two members', () => {
    assert.equal(c.systems.length, 1);
    const s = c.systems[0];
    assert.equal(s.name, 'orders-db');
    assert.equal(s.layer, 'storage');
    assert.equal(s.endpointKey, 'orders-db/@endpoint');
    assert.deepEqual(s.members, [
      { name: 'pg1', key: 'orders-db/pg1' },
      { name: 'pg2', key: 'orders-db/pg2' },
    ]);
    assert.deepEqual(s.expect, { primaries: 1, minReplicas: 1, maxLagMs: 5000, maxLagBytes: undefined });
  });

  it('makes one probe target per endpoint, member and standalone target, with inherited timing', () => {
    assert.deepEqual(
      c.targets.map((t) => [t.key, t.probe.kind, t.intervalMs, t.timeoutMs, t.isEndpoint ?? false]),
      [
        ['orders-db/@endpoint', 'tcp', 10_000, 3_000, true],
        ['orders-db/pg1', 'postgres', 10_000, 3_000, false],
        ['orders-db/pg2', 'postgres', 10_000, 3_000, false],
        ['homepage', 'http', 5_000, 3_000, false],
      ],
    );
    assert.deepEqual(c.targets[3].labels, { team: 'web' });
    assert.equal(c.targets[1].member, 'pg1');
    assert.equal(c.targets[1].system, 'orders-db');
  });

  it('reads SLOs, routing, smtp and reports', () => {
    assert.equal(c.raw.slos[0].objective, 99.95);
    assert.equal(c.raw.alerting.route?.routes?.[0].receiver, 'chatops');
    assert.equal(c.raw.alerting.receivers[1].webhook?.secret, 'wh-s3cret-value');
    assert.equal(c.raw.reports.weekly?.cron, '0 9 * * 1');
    assert.equal(c.storage.rawRetentionMs, 14 * 86_400_000);
  });

  it('registers the webhook secret for scrubbing', () => {
    assert.ok(c.secrets.includes('wh-s3cret-value'));
  });

  it('fails, naming the field, without WEBHOOK_SECRET', () => {
    assert.throws(
      () => parseConfig(PRODUCT_EXAMPLE, {}),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.issues.length === 1 &&
        e.issues[0].path === 'alerting.receivers[1].webhook.secret' &&
        e.issues[0].message.startsWith('environment variable WEBHOOK_SECRET is not set'),
    );
  });
});
