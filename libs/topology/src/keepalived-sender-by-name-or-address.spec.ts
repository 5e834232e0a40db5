import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NinesConfig, SystemDef } from '../../config/src/config';
import type { ProbeTarget } from '../../probes/src/target';
import { keepalivedSender } from './ingest-rules';

const system = (name: string, kind: string, members: [string, string][]): SystemDef => ({
  name,
  layer: 'edge',
  kind,
  dependsOn: [],
  expect: {},
  members: members.map(([m]) => ({ name: m, key: `${name}/${m}` })),
  labels: {},
});
const target = (key: string, probe: ProbeTarget['probe']): ProbeTarget => ({ key, name: key, intervalMs: 1000, timeoutMs: 500, labels: {}, probe });

// Two keepalived pairs and a database; lb1 and db1 share a host.
const config: Pick<NinesConfig, 'systems' | 'targets'> = {
  systems: [
    system('edge-vip', 'keepalived', [['lb1', '10.0.0.11'], ['lb2', '10.0.0.12']]),
    system('admin-vip', 'vip', [['adm1', '10.0.0.21']]),
    system('orders', 'postgres', [['db1', '10.0.0.11']]),
  ],
  targets: [
    target('edge-vip/lb1', { kind: 'tcp', address: '10.0.0.11:80' }),
    target('edge-vip/lb2', { kind: 'tcp', address: '10.0.0.12:80' }),
    target('admin-vip/adm1', { kind: 'http', url: 'http://10.0.0.21:8080/health' }),
    target('orders/db1', { kind: 'postgres', url: 'postgres://nines@10.0.0.11/orders' }),
  ],
};

describe('which member sent a keepalived notify', () => {
  it('the member named, in the keepalived or vip system that has it', () => {
    assert.deepEqual(keepalivedSender(config, 'lb2', undefined, '10.9.9.9'), { system: 'edge-vip', member: 'lb2' });
    assert.deepEqual(keepalivedSender(config, 'adm1', undefined, undefined), { system: 'admin-vip', member: 'adm1' });
  });

  it('no name: the member probed at the sender address (IPv4-mapped too), among keepalived and vip systems only', () => {
    assert.deepEqual(keepalivedSender(config, undefined, undefined, '::ffff:10.0.0.12'), { system: 'edge-vip', member: 'lb2' });
    // db1 is probed at 10.0.0.11 too, but a postgres system sends no keepalived notify.
    assert.deepEqual(keepalivedSender(config, undefined, undefined, '10.0.0.11'), { system: 'edge-vip', member: 'lb1' });
    assert.deepEqual(keepalivedSender(config, undefined, undefined, '10.0.0.21'), { system: 'admin-vip', member: 'adm1' });
  });

  it('a name that is no member ($(hostname)): falls back to the sender address', () => {
    assert.deepEqual(keepalivedSender(config, 'lb-02.example.net', undefined, '10.0.0.12'), { system: 'edge-vip', member: 'lb2' });
  });

  it('an explicit system limits the address match to it, whatever its kind', () => {
    assert.deepEqual(keepalivedSender(config, undefined, 'orders', '10.0.0.11'), { system: 'orders', member: 'db1' });
  });

  it('neither a member name nor a member at the address: the name error, asking for node or system', () => {
    assert.throws(() => keepalivedSender(config, 'lb-9', undefined, '10.9.9.9'), { code: 'bad_request', message: 'cannot tell which system node "lb-9" belongs to; pass "system"' });
    assert.throws(() => keepalivedSender(config, undefined, undefined, '10.9.9.9'), { code: 'bad_request', message: 'node is required (the keepalived host reporting): no member of a keepalived or vip system is probed at 10.9.9.9' });
    assert.throws(() => keepalivedSender(config, undefined, undefined, undefined), { message: "node is required (the keepalived host reporting): no member of a keepalived or vip system is probed at the sender's address" });
  });

  it('an unknown explicit system is not found', () => {
    assert.throws(() => keepalivedSender(config, 'lb1', 'nope', undefined), { code: 'not_found', message: 'no system named "nope"' });
  });
});
