import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { interpretStubStatus, nginxSchema, parseStubStatus } from './nginx.driver';

// Recorded from nginx 1.22.1 (trailing spaces are nginx's own).
const IDLE = 'Active connections: 2 \nserver accepts handled requests\n 2 2 4 \nReading: 0 Writing: 1 Waiting: 1 \n';
// The example in the ngx_http_stub_status_module documentation.
const DOCS = 'Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 31070465 \nReading: 6 Writing: 179 Waiting: 106 \n';

test('stub_status is parsed into its seven counters', () => {
  assert.deepEqual(parseStubStatus(IDLE), { active: 2, accepts: 2, handled: 2, requests: 4, reading: 0, writing: 1, waiting: 1 });
  const obs = interpretStubStatus(DOCS);
  assert.equal(obs.up, true);
  assert.equal(obs.warning, undefined);
  assert.deepEqual(obs.details, { active: 291, accepts: 16630948, handled: 16630948, requests: 31070465, reading: 6, writing: 179, waiting: 106 });
});

test('handled below accepts means dropped connections: up with a warning', () => {
  const obs = interpretStubStatus(DOCS.replace(' 16630948 16630948 ', ' 16630948 16630900 '));
  assert.equal(obs.up, true);
  assert.equal(obs.warning, '48 accepted connections were dropped (worker_connections limit?)');
});

test('CRLF line ends are accepted', () => {
  assert.equal(interpretStubStatus(IDLE.replace(/\n/g, '\r\n')).up, true);
});

test('garbage is a failed probe', () => {
  for (const body of ['', '<html><h1>Welcome to nginx!</h1></html>', 'Active connections: lots\n', IDLE.replace('Waiting: 1', 'Waiting: x')]) {
    assert.deepEqual(interpretStubStatus(body), { up: false, reason: 'response is not nginx stub_status output' }, body);
  }
});

test('schema: strict, expect_status only with upstream_url', () => {
  assert.equal(nginxSchema.safeParse({ url: 'http://127.0.0.1/nginx_status' }).success, true);
  assert.equal(nginxSchema.safeParse({ url: 'http://h/s', upstream_url: 'http://h/app', expect_status: [200, 204] }).success, true);
  assert.equal(nginxSchema.safeParse({ url: 'http://h/s', expect_status: [200] }).success, false);
  assert.equal(nginxSchema.safeParse({ url: 'http://h/s', upstreams: 'x' }).success, false);
});
