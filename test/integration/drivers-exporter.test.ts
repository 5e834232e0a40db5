import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTinyHttp, type TinyHttp } from '../support/servers/processes';
import { timedProbe } from '../support/servers/probe';
import { KAFKA_EXPORTER, NODE_EXPORTER, recordedPages } from '../support/servers/recorded-exporters';

const probe = (fields: Record<string, unknown>) => timedProbe('exporter', fields, 2000).then((r) => r.obs);

describe('exporter driver against recorded exporter pages served over HTTP', () => {
  let srv: TinyHttp;
  const accepts: string[] = [];

  before(async () => {
    srv = await startTinyHttp((req, res) => {
      accepts.push(String(req.headers.accept));
      const send = (status: number, body: string, type = 'text/plain; version=0.0.4; charset=utf-8') => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      };
      const recorded = recordedPages().find((p) => req.url === `/recorded/${encodeURIComponent(p.name)}`);
      if (recorded) {
        res.writeHead(200, { 'content-type': recorded.contentType });
        return res.end(recorded.body);
      }
      switch (req.url) {
        case '/space-before-brace':
          return send(200, '# HELP metric A summary.\n  # TYPE metric summary\nmetric { quantile="1.0" } 8.3e-05\nmetric_sum 1\nmetric_count 2\n');
        case '/late-type':
          return send(200, 'up 1\nfoo 1\n# TYPE foo gauge\n');
        case '/bad-utf8':
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          return res.end(Buffer.concat([Buffer.from('up 1\nfoo{a="'), Buffer.from([0xc3, 0x28]), Buffer.from('"} 1\n')]));
        case '/openmetrics-as-text':
          return send(200, 'foo 1 1712345678.5\n# EOF\n');
        case '/node/metrics':
          return send(200, NODE_EXPORTER);
        case '/kafka/metrics':
          return send(200, KAFKA_EXPORTER);
        case '/openmetrics':
          return send(200, KAFKA_EXPORTER + '# EOF\n', 'application/openmetrics-text; version=1.0.0; charset=utf-8');
        case '/html':
          return send(200, '<!doctype html><title>Grafana</title>', 'text/html');
        case '/private':
          return req.headers.authorization === `Basic ${Buffer.from('scrape:Exp0rter-pw').toString('base64')}` ? send(200, NODE_EXPORTER) : send(401, 'Unauthorized');
        default:
          return send(503, 'collector failed');
      }
    });
  });

  after(() => srv?.close());

  test('kafka_exporter: an under-replicated partition makes the condition true, so the probe is down', async () => {
    const obs = await probe({ url: `${srv.origin}/kafka/metrics`, conditions: ['kafka_topic_partition_under_replicated_partition > 0', 'kafka_brokers < 3'] });
    assert.equal(obs.up, false);
    assert.equal(obs.reason, 'kafka_topic_partition_under_replicated_partition{partition="1",topic="orders"} = 1 (kafka_topic_partition_under_replicated_partition > 0)');
    assert.equal(obs.httpStatus, 200);
    assert.match(accepts.at(-1)!, /text\/plain;version=0\.0\.4/);
  });

  test('node_exporter: healthy conditions keep it up; OpenMetrics bodies ending in # EOF are read too', async () => {
    const node = await probe({ url: `${srv.origin}/node/metrics`, conditions: ['node_scrape_collector_success == 0', 'node_filesystem_readonly{mountpoint="/"} == 1'] });
    assert.equal(node.up, true);
    assert.equal(node.warning, undefined);
    const om = await probe({ url: `${srv.origin}/openmetrics`, conditions: ['kafka_consumergroup_lag{consumergroup="billing"} > 10000'] });
    assert.equal(om.up, false);
    assert.match(om.reason!, /partition="2",topic="orders"\} = 48210/);
  });

  test('every recorded real exporter page is read whole, as Prometheus scrapes it', async () => {
    for (const page of recordedPages()) {
      const obs = await probe({ url: `${srv.origin}/recorded/${encodeURIComponent(page.name)}`, conditions: [] });
      assert.equal(obs.up, true, `${page.name}: ${obs.reason}`);
      assert.ok((obs.details as { series: number }).series > 5, page.name);
    }
  });

  test('a space before the brace and an indented # TYPE are fine; a malformed line fails with its number', async () => {
    const ok = await probe({ url: `${srv.origin}/space-before-brace`, conditions: ['metric{quantile="1.0"} > 1'] });
    assert.equal(ok.up, true, ok.reason);
    assert.equal(ok.warning, undefined);
    assert.equal((await probe({ url: `${srv.origin}/late-type` })).reason, 'not Prometheus metrics: line 3: TYPE line for foo after its sample foo (TYPE must come before the family\'s first sample)');
    assert.equal((await probe({ url: `${srv.origin}/bad-utf8` })).reason, 'not Prometheus metrics: line 2: invalid UTF-8');
    assert.match((await probe({ url: `${srv.origin}/openmetrics-as-text` })).reason!, /^not Prometheus metrics: line 1: expected a timestamp in integer milliseconds/);
  });

  test('garbage, errors and dead ports are failed probes', async () => {
    assert.match((await probe({ url: `${srv.origin}/html` })).reason!, /^not Prometheus metrics: line 1/);
    assert.equal((await probe({ url: `${srv.origin}/gone` })).reason, 'metrics: status 503');
    assert.equal((await probe({ url: `${srv.origin}/private` })).reason, 'metrics: status 401 (check credentials)');
  });

  test('basic auth from the URL works and its password never shows', async () => {
    const u = new URL(srv.origin);
    const ok = await probe({ url: `http://scrape:Exp0rter-pw@${u.host}/private`, conditions: ['node_load1 > 1000'] });
    assert.equal(ok.up, true);
    const bad = await probe({ url: `http://scrape:Exp0rter-wrong@${u.host}/private` });
    assert.ok(!JSON.stringify(bad).includes('Exp0rter'));
  });
});
