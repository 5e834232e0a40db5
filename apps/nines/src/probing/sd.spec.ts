import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProbeTarget } from '../../../../libs/probes/src/target';
import { discoveryGroups } from './sd.service';

const target = (key: string, probe: ProbeTarget['probe'], extra: Partial<ProbeTarget> = {}): ProbeTarget => ({
  key,
  name: key.split('/').pop()!,
  intervalMs: 10_000,
  timeoutMs: 3_000,
  labels: {},
  probe,
  ...extra,
});

const TARGETS: ProbeTarget[] = [
  target('node', { kind: 'exporter', url: 'https://scraper:s3cr3t-pw@10.0.0.5:9100/metrics?collect=cpu&token=tok-123' }, { labels: { team: 'infra' } }),
  target('lb/haproxy1', { kind: 'haproxy', url: 'http://127.0.0.1:8404/metrics' }, { system: 'lb', member: 'haproxy1', layer: 'access' }),
  target('lb/haproxy2', { kind: 'haproxy', url: 'http://127.0.0.1:8405/stats;csv' }, { system: 'lb', member: 'haproxy2', layer: 'access' }),
  target('orders-db/pg1', { kind: 'postgres', url: 'postgres://nines:pg-pass-42@10.0.0.1/postgres' }, { system: 'orders-db', member: 'pg1', layer: 'storage' }),
  target('homepage', { kind: 'http', url: 'https://user:http-pass-7@example.com/health?api_key=k-999&x=1' }),
  target('cache/@endpoint', { kind: 'redis-sentinel', sentinels: ['127.0.0.1:26379', '127.0.0.1:26380'], master: 'm' }, { system: 'cache', isEndpoint: true }),
  target('vip', { kind: 'vip', probe: { kind: 'tcp', address: '10.0.0.100:443' }, identify: { header: 'X-Node' } }),
  target('check', { kind: 'nagios', command: '/usr/lib/nagios/plugins/check_load', args: ['--password', 'np-1'] }),
];

describe('GET /api/v1/sd target groups', () => {
  it('lists Prometheus endpoints as exporter groups with scheme, path and params, and only those', () => {
    const groups = discoveryGroups(TARGETS, ['exporter']);
    assert.deepEqual(
      groups.map((g) => [g.labels.target, g.targets]),
      [
        ['lb/haproxy1', ['127.0.0.1:8404']],
        ['node', ['10.0.0.5:9100']],
      ],
    );
    const node = groups.find((g) => g.labels.target === 'node')!;
    assert.equal(node.labels.__scheme__, 'https');
    assert.equal(node.labels.__metrics_path__, '/metrics');
    assert.equal(node.labels.__param_collect, 'cpu');
    assert.equal(node.labels.__param_token, undefined);
    assert.equal(node.labels.__meta_nines_label_team, 'infra');
    assert.equal(groups[0].labels.system, 'lb');
    assert.equal(groups[0].labels.__meta_nines_sd_role, 'exporter');
  });

  it('lists every probe address for blackbox: URLs for http, host:port (default ports filled in) for the rest', () => {
    const groups = discoveryGroups(TARGETS, ['probe']);
    const byTarget = Object.fromEntries(groups.map((g) => [g.labels.__meta_nines_target, g.targets]));
    assert.deepEqual(byTarget['orders-db/pg1'], ['10.0.0.1:5432']);
    assert.deepEqual(byTarget['homepage'], ['https://example.com/health?x=1']);
    assert.deepEqual(byTarget['cache/@endpoint'], ['127.0.0.1:26379', '127.0.0.1:26380']);
    assert.deepEqual(byTarget['vip'], ['10.0.0.100:443']);
    assert.equal(byTarget['check'], undefined, 'a nagios command has no address');
    const pg = groups.find((g) => g.labels.__meta_nines_target === 'orders-db/pg1')!;
    assert.equal(pg.labels.__meta_nines_system, 'orders-db');
    assert.equal(pg.labels.system, undefined, 'only __meta_ labels: a blackbox job must not look like Nines series');
  });

  it('without a role, serves both, told apart by __meta_nines_sd_role', () => {
    const roles = new Set(discoveryGroups(TARGETS).map((g) => g.labels.__meta_nines_sd_role));
    assert.deepEqual([...roles].sort(), ['exporter', 'probe']);
  });

  it('never carries a credential', () => {
    const text = JSON.stringify(discoveryGroups(TARGETS));
    for (const secret of ['s3cr3t-pw', 'tok-123', 'pg-pass-42', 'http-pass-7', 'k-999', 'np-1', 'scraper', 'nines:']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  });
});
