import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createLogger } from '../../libs/common/src/logger';
import type { ProbeResult } from '../../libs/probes/src/observation';
import { createDataSource, ensureDatabase, initializeDataSource, migrate } from '../../libs/storage/src/database';
import { ResultRepository } from '../../libs/storage/src/result.repository';
import { ResultWriter } from '../../libs/storage/src/result-writer';
import { startPostgresPair, type PostgresPair } from '../support/servers/postgres-pair';
import { waitFor } from '../support/wait';

const result = (scheduledAt: number): ProbeResult => ({ targetKey: 'w', scheduledAt, startedAt: scheduledAt, durationMs: 1, up: true });

describe('Nines on a PostgreSQL primary + standby (multi-host DATABASE_URL, real servers)', () => {
  let pair: PostgresPair;
  let ds: DataSource;
  let url: string;
  const found: string[] = [];

  before(async () => {
    pair = await startPostgresPair();
    // The standby first: the URL's order must not decide, the servers' roles do.
    url = `postgres://postgres@127.0.0.1:${pair.replicaPort},127.0.0.1:${pair.primaryPort}/nines?target_session_attrs=read-write`;
  });

  after(async () => {
    await ds?.destroy().catch(() => undefined);
    await pair?.stop();
  });

  it('creates the database and migrates on the primary, whichever host is listed first', async () => {
    await ensureDatabase(url);
    ds = createDataSource(url, { poolSize: 4, locatorEvents: { found: (h) => found.push(`${h.host}:${h.port}`) } });
    await initializeDataSource(ds, url);
    assert.ok((await migrate(ds)).length > 5);
    const [{ port }] = await ds.query(`select inet_server_port() as port`);
    assert.equal(port, pair.primaryPort);
    assert.deepEqual(found, [`127.0.0.1:${pair.primaryPort}`]);
  });

  it('the primary stops and the standby is promoted: the same DataSource writes to the new primary, and buffered results are all written', async () => {
    const [{ id }] = await ds.query(`insert into targets (key, name, kind, interval_ms, timeout_ms) values ('w', 'w', 'http', 1000, 500) returning id`);
    const writer = new ResultWriter(new ResultRepository(ds), createLogger({ level: 'silent' }), undefined, { flushMs: 60_000, maxBatch: 5000, maxBuffered: 500_000 });
    writer.setTargetIds(new Map([['w', id]]));
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 10; i++) writer.add(result(t0 + i * 100), { status: 'up', since: t0, consecutiveFailures: 0, consecutiveSuccesses: 1 });
    await writer.flush();
    assert.equal(writer.pending(), 0);

    await pair.stopServer(pair.primaryPort);
    // Probing goes on while there is no primary: results wait in the writer.
    for (let i = 10; i < 20; i++) writer.add(result(t0 + i * 100), { status: 'up', since: t0, consecutiveFailures: 0, consecutiveSuccesses: 1 });
    await writer.flush();
    assert.equal(writer.pending(), 10, 'a write with no primary fails and keeps its rows');
    await assert.rejects(ds.query('select 1'), /no PostgreSQL primary among the DATABASE_URL hosts|ECONNREFUSED|terminat/);

    await pair.promoteReplica();
    const t = Date.now();
    await waitFor('a write on the promoted standby', async () => {
      await writer.flush();
      return writer.pending() === 0;
    }, 30_000, 200);
    console.log(`own PostgreSQL failover: writes resumed ${Date.now() - t} ms after the promotion`);
    const [{ port }] = await ds.query(`select inet_server_port() as port`);
    assert.equal(port, pair.replicaPort);
    assert.equal(found.at(-1), `127.0.0.1:${pair.replicaPort}`);
    const c = new Client({ connectionString: pair.url(pair.replicaPort).replace(/\/postgres$/, '/nines') });
    await c.connect();
    try {
      const { rows } = await c.query(`select count(*)::int as n from probe_results where target_id = $1`, [id]);
      assert.equal(rows[0].n, 20, 'every result, before and during the switch, is on the new primary');
    } finally {
      await c.end();
    }
  });

  it('no primary at start: one line naming each host and why, never a password', async () => {
    const bad = `postgres://postgres:Pw0rdS3cret@127.0.0.1:${pair.primaryPort}/nines?target_session_attrs=read-write`;
    await assert.rejects(ensureDatabase(bad), (e: Error & { hint?: string }) => {
      assert.match(e.message, /no PostgreSQL primary among the DATABASE_URL hosts \(127\.0\.0\.1:\d+: ECONNREFUSED\)/);
      assert.ok(!e.message.includes('Pw0rdS3cret'));
      assert.match(e.hint ?? '', /promote a primary/);
      return true;
    });
  });
});
