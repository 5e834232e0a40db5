import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { NotificationRepository } from '../../libs/notify/src/notification.repository';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { freshDatabase } from '../support/env';

/**
 * The outbox rows' claim protocol against the real PostgreSQL: a row is claimed by one caller at
 * most, a claim goes stale after the given time, and a claim that waited in its receiver's lane
 * is renewed only if it is still the row's current claim.
 */
describe('notification claims: one owner per row', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let repo: NotificationRepository;

  before(async () => {
    db = await freshDatabase('notification_claims');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await migrate(ds);
    repo = new NotificationRepository(ds);
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await ds.query('delete from notifications');
    await ds.query(
      `insert into notifications (id, receiver, channel, kind, payload, state) select id, 'oncall', 'webhook', 'alerts', '{}'::jsonb, 'pending' from unnest($1::text[]) as id`,
      [['n1', 'n2', 'n3']],
    );
  });

  const age = (id: string, seconds: number) => ds.query(`update notifications set last_attempt_at = now() - make_interval(secs => $2) where id = $1`, [id, seconds]);

  it('claimMany gives each row once, even when asked twice at the same time', async () => {
    const [a, b] = await Promise.all([repo.claimMany(['n1', 'n2', 'n3'], 60_000), repo.claimMany(['n1', 'n2', 'n3'], 60_000)]);
    assert.deepEqual([...a.keys(), ...b.keys()].sort(), ['n1', 'n2', 'n3']);
    assert.equal(a.get('n1')?.attempts ?? b.get('n1')?.attempts, 1);
  });

  it('a fresh claim cannot be taken; a stale one can, and counts as another attempt', async () => {
    assert.equal((await repo.claim('n1', 60_000))?.attempts, 1);
    assert.equal(await repo.claim('n1', 60_000), undefined);
    await age('n1', 61);
    assert.equal((await repo.claim('n1', 60_000))?.attempts, 2);
  });

  it('renewClaim keeps a claim that is still the current one', async () => {
    const c = await repo.claim('n2', 60_000);
    await age('n2', 50);
    assert.equal(await repo.renewClaim('n2', c!.attempts), true);
    const [row] = await ds.query(`select extract(epoch from now() - last_attempt_at) as s, state from notifications where id = 'n2'`);
    assert.ok(Number(row.s) < 5, 'renewed: no longer close to stale');
    assert.equal(row.state, 'sending');
  });

  it('renewClaim refuses when another claim took the row after it went stale, or it was finished', async () => {
    const first = await repo.claim('n3', 60_000);
    await age('n3', 61);
    const second = await repo.claim('n3', 60_000);
    assert.equal(second?.attempts, 2);
    assert.equal(await repo.renewClaim('n3', first!.attempts), false, 'the waiting first claim must not send');
    assert.equal(await repo.renewClaim('n3', second!.attempts), true);
    await repo.sent('n3');
    assert.equal(await repo.renewClaim('n3', second!.attempts), false, 'a sent row is nobody’s claim');
  });

  it('releaseClaim gives back an unsent claim as it was (first attempt: pending; later: failed), and only the current one', async () => {
    const c1 = await repo.claim('n1', 60_000);
    assert.equal(await repo.releaseClaim('n1', c1!.attempts), true);
    assert.deepEqual(await ds.query(`select state, attempts from notifications where id = 'n1'`), [{ state: 'pending', attempts: 0 }]);
    await repo.claim('n1', 60_000);
    await repo.failed('n1', 'status 503');
    const c2 = await repo.claim('n1', 60_000);
    assert.equal(c2!.attempts, 2);
    assert.equal(await repo.releaseClaim('n1', c2!.attempts), true);
    assert.deepEqual(await ds.query(`select state, attempts from notifications where id = 'n1'`), [{ state: 'failed', attempts: 1 }]);
    const c3 = await repo.claim('n1', 60_000);
    await repo.sent('n1');
    assert.equal(await repo.releaseClaim('n1', c3!.attempts), false, 'a sent row stays sent');
    assert.deepEqual(await ds.query(`select state from notifications where id = 'n1'`), [{ state: 'sent' }]);
  });
});
