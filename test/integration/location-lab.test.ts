import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { LOC_NET, LOCATIONS, startLocationLab, type LocationLab } from '../support/location-lab';

/**
 * The location lab itself (issue 17), with no Nines: what each location can reach, before and
 * after a cut, a split VIP, and after teardown. The e2e test and the benchmark rely on each of these.
 */
function connectFromHost(host: string, port: number): Promise<{ code: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ code: 'TIMEOUT', ms: Date.now() - t0 });
    }, 3000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ code: 'CONNECTED', ms: Date.now() - t0 });
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: e.code ?? e.message, ms: Date.now() - t0 });
    });
  });
}

describe('location lab: three locations, targets, a VRRP pair, cuts and splits', () => {
  let lab: LocationLab | undefined;
  const TARGETS = ['web1', 'web2', 'web3'];

  before(async () => {
    lab = await startLocationLab({ targets: TARGETS });
  });

  after(async () => {
    await lab?.teardown();
  });

  it('every target and the VIP answer from every location, with one holder', async () => {
    for (const loc of LOCATIONS) {
      for (const t of lab!.targets) {
        const seen = await lab!.httpFrom(loc, t.url);
        assert.equal(seen.status, 200, `${t.name} from ${loc}: ${JSON.stringify(seen)}`);
        assert.equal(seen.body?.trim(), t.name);
      }
    }
    const holders = await Promise.all(LOCATIONS.map(async (loc) => (await lab!.httpFrom(loc, lab!.vipUrl)).node));
    assert.equal(new Set(holders).size, 1, `one holder seen: ${holders}`);
    assert.deepEqual(await lab!.vipHolders(), [holders[0]]);
  });

  it('cut(dc2): dc2 cannot reach the targets (a timeout, not a refusal) while dc1 and dc3 can; Redis and PostgreSQL still answer dc2', async () => {
    await lab!.cut('dc2');
    try {
      for (const t of lab!.targets) {
        const seen = await lab!.httpFrom('dc2', t.url, 800);
        assert.equal(seen.error, 'timeout', `${t.name} from cut dc2: ${JSON.stringify(seen)}`);
        for (const loc of ['dc1', 'dc3'] as const) assert.equal((await lab!.httpFrom(loc, t.url)).status, 200, `${t.name} from ${loc}`);
      }
      assert.equal((await lab!.httpFrom('dc2', lab!.vipUrl, 800)).error, 'timeout', 'the VIP is behind the cut too');
      const ping = await lab!.runIn('dc2', 'redis-cli', ['-h', LOC_NET.host, '-p', String(lab!.redis.port), 'ping']);
      assert.equal(ping.stdout.trim(), 'PONG', JSON.stringify(ping));
      const pg = await lab!.runIn('dc2', 'pg_isready', ['-h', LOC_NET.host, '-p', String(lab!.postgres.port), '-t', '3']);
      assert.equal(pg.code, 0, JSON.stringify(pg));
    } finally {
      await lab!.heal('dc2');
    }
    for (const t of lab!.targets) assert.equal((await lab!.httpFrom('dc2', t.url)).status, 200, `${t.name} from dc2 after heal`);
  });

  it('cutTarget(dc3, web1): only dc3 loses only web1', async () => {
    await lab!.cutTarget('dc3', 'web1');
    try {
      assert.equal((await lab!.httpFrom('dc3', lab!.targets[0].url, 800)).error, 'timeout');
      assert.equal((await lab!.httpFrom('dc3', lab!.targets[1].url)).status, 200, 'web2 from dc3');
      assert.equal((await lab!.httpFrom('dc1', lab!.targets[0].url)).status, 200, 'web1 from dc1');
    } finally {
      await lab!.healTarget('dc3', 'web1');
    }
    assert.equal((await lab!.httpFrom('dc3', lab!.targets[0].url)).status, 200, 'web1 from dc3 after heal');
  });

  it('failTarget refuses connections from every location; restoreTarget brings it back', async () => {
    await lab!.failTarget('web2');
    for (const loc of LOCATIONS) {
      const seen = await lab!.httpFrom(loc, lab!.targets[1].url);
      assert.match(seen.error ?? '', /^connect/, `web2 from ${loc}: ${JSON.stringify(seen)}`);
      assert.equal((await lab!.httpFrom(loc, lab!.targets[0].url)).status, 200, `web1 from ${loc} unaffected`);
    }
    await lab!.restoreTarget('web2');
    for (const loc of LOCATIONS) assert.equal((await lab!.httpFrom(loc, lab!.targets[1].url)).status, 200);
  });

  it('splitVip(): both nodes MASTER, dc1 and dc3 see lb1, dc2 sees lb2; healVip() makes one holder again', async () => {
    await lab!.splitVip();
    assert.deepEqual(await lab!.vipHolders(), ['lb1', 'lb2']);
    // Several times: which holder a location reaches is fixed, not ARP luck.
    for (let i = 0; i < 5; i++) {
      assert.equal((await lab!.httpFrom('dc1', lab!.vipUrl)).node, 'lb1');
      assert.equal((await lab!.httpFrom('dc2', lab!.vipUrl)).node, 'lb2');
      assert.equal((await lab!.httpFrom('dc3', lab!.vipUrl)).node, 'lb1');
    }
    await lab!.healVip();
    const holders = await lab!.vipHolders();
    assert.equal(holders.length, 1);
    for (const loc of LOCATIONS) assert.equal((await lab!.httpFrom(loc, lab!.vipUrl)).node, holders[0], loc);
  });

  it('teardown: namespaces gone, and a connect to a lab address fails here at once; safe to run twice', async () => {
    const { port } = lab!.targets[0];
    await lab!.teardown();
    await lab!.teardown();
    for (const [host, p] of [[LOC_NET.targetAddr, port], [LOC_NET.host, 6379], [LOC_NET.vip, LOC_NET.vipPort]] as const) {
      const r = await connectFromHost(host, p);
      assert.ok(['EHOSTUNREACH', 'ENETUNREACH'].includes(r.code), `${host}:${p} after teardown: ${r.code}`);
      assert.ok(r.ms < 500, `${host}:${p} failed locally in ${r.ms} ms`);
    }
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('nl-'));
    assert.deepEqual(left, []);
    assert.match(execFileSync('ip', ['route', 'show', 'type', 'unreachable'], { encoding: 'utf8' }), new RegExp(LOC_NET.guard.replace(/\./g, '\\.')), 'the guard route stays');
    lab = undefined;
  });
});
