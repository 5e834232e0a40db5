import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { identifyHolder, interpretVip, vipSchema } from './vip.driver';

test('holder from a header, case-insensitively, first value of a repeated header', () => {
  assert.equal(identifyHolder({ header: 'X-Served-By' }, { 'x-served-by': ' web2 ' }, ''), 'web2');
  assert.equal(identifyHolder({ header: 'X-Node' }, { 'x-node': ['lb1', 'lb2'] }, ''), 'lb1');
  assert.equal(identifyHolder({ header: 'X-Node' }, {}, 'node=web1'), undefined);
});

test('holder from the body: named group "node", else first group, else the whole match', () => {
  assert.equal(identifyHolder({ body_regex: 'node=(\\w+)' }, {}, 'ok node=pg2 lsn=0/3000'), 'pg2');
  assert.equal(identifyHolder({ body_regex: 'served by (?<node>[\\w-]+)' }, {}, 'served by pg-2'), 'pg-2');
  assert.equal(identifyHolder({ body_regex: 'web\\d' }, {}, 'hello from web3'), 'web3');
  assert.equal(identifyHolder({ body_regex: 'node=(\\w+)' }, {}, 'nothing here'), undefined);
});

test('up needs the nested probe up and a holder; the holder is the leader', () => {
  const id = { header: 'X-Served-By' };
  assert.deepEqual(interpretVip({ up: true, httpStatus: 200 }, 'web1', id), {
    up: true,
    leader: 'web1',
    httpStatus: 200,
    details: { holder: 'web1', identified_by: 'header X-Served-By' },
  });
  const anonymous = interpretVip({ up: true, httpStatus: 200 }, undefined, id);
  assert.deepEqual([anonymous.up, anonymous.reason, anonymous.leader], [false, 'VIP answered but no node marker', undefined]);
  const down = interpretVip({ up: false, reason: 'status 503', httpStatus: 503 }, 'web2', id);
  assert.deepEqual([down.up, down.reason, down.leader, down.details?.holder], [false, 'status 503', 'web2', 'web2']);
});

test('schema: nested probe validated by its own driver, identify strict, header needs http', () => {
  const ok = vipSchema.safeParse({ probe: { kind: 'http', url: 'http://10.0.0.100/health' }, identify: { header: 'X-Served-By' } });
  assert.equal(ok.success, true);
  assert.equal((ok.data?.probe as { method?: string }).method, 'GET'); // the http driver's defaults are applied
  const badNested = vipSchema.safeParse({ probe: { kind: 'http', url: 'http://h/', bogus: 1 }, identify: { header: 'X' } });
  assert.equal(badNested.success, false);
  assert.deepEqual(badNested.error?.issues.map((i) => i.path.join('.')), ['probe']);
  assert.equal(vipSchema.safeParse({ probe: { kind: 'dns', name: 'x' }, identify: { header: 'X' } }).success, false);
  assert.equal(vipSchema.safeParse({ probe: { kind: 'tcp', address: '10.0.0.100:5432' }, identify: { header: 'X' } }).success, false);
  assert.equal(vipSchema.safeParse({ probe: { kind: 'tcp', address: '10.0.0.100:25', expect: '^220' }, identify: { body_regex: '^220 (\\S+)' } }).success, true);
  assert.equal(vipSchema.safeParse({ probe: { kind: 'http', url: 'http://h/' }, identify: { body_regex: '(' } }).success, false);
  assert.equal(vipSchema.safeParse({ probe: { kind: 'http', url: 'http://h/' }, identify: { header: 'X', body_regex: 'y' } }).success, false);
});
