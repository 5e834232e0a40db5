import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DataSource } from 'typeorm';
import { SilenceRepository } from '../../libs/silences/src/silence.repository';
import type { RawSlo } from '../../libs/slo/src/definition';
import { SloDataRepository } from '../../libs/slo/src/slo-data.repository';
import { createDataSource, migrate } from '../../libs/storage/src/database';
import { freshDatabase } from '../support/env';

const HOUR = 3_600_000;

/**
 * limits.open_silences and limits.api_slos hold across replicas: three DataSources (three
 * processes' pools) on one PostgreSQL create at once, and exactly the limit gets through, because
 * the count and the insert happen in one transaction under an advisory lock, not in memory.
 */
describe('count limits hold across replicas (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  const replicas: DataSource[] = [];

  before(async () => {
    db = await freshDatabase('count_limits');
    for (let i = 0; i < 3; i++) {
      const ds = createDataSource(db.url, { poolSize: 8 });
      await ds.initialize();
      replicas.push(ds);
    }
    await migrate(replicas[0]);
  });

  after(async () => {
    for (const ds of replicas) await ds.destroy();
    await db?.drop();
  });

  it('open silences: 60 creations at once against a limit of 25 store exactly 25; expired ones do not count', async () => {
    const now = Date.now();
    const repos = replicas.map((ds) => new SilenceRepository(ds));
    const silence = (i: number) => ({ matchers: [{ name: 'system', op: '=' as const, value: `s${i}` }], startsAt: now, endsAt: now + HOUR, createdBy: 'test', comment: 'limit' });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => repos[i % 3].create(silence(i), 25)));
    const created = results.filter((r) => 'created' in r);
    assert.equal(created.length, 25);
    assert.ok(results.filter((r) => 'open' in r).every((r) => (r as { open: number }).open === 25));
    const [{ n }] = await replicas[0].query(`select count(*)::int as n from silences`);
    assert.equal(n, 25);

    // Expiring one makes room for exactly one more; a silence that has ended does not count either.
    const first = (created[0] as { created: { id: string } }).created.id;
    assert.equal(await repos[1].expire(first), true);
    await replicas[0].query(`update silences set starts_at = now() - interval '2 hours', ends_at = now() - interval '1 hour' where id = (select id from silences where expired_at is null order by created_at limit 1)`);
    const again = await Promise.all(Array.from({ length: 6 }, (_, i) => repos[i % 3].create(silence(100 + i), 25)));
    assert.equal(again.filter((r) => 'created' in r).length, 2);
  });

  it('API SLOs: 40 definitions at once against a limit of 15 store exactly 15, and a taken name stays a conflict', async () => {
    const repos = replicas.map((ds) => new SloDataRepository(ds));
    const slo = (name: string) => ({ name, selector: { system: 'orders' }, sli: { kind: 'availability' }, objective: 99.9, window: '30d', timezone: 'UTC', exclude: { drills: true, maintenance: true, silenced: false, maintenance_windows: [] } }) as unknown as RawSlo;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => repos[i % 3].createDefinition(slo(`api-${i}`), 'test', 15)));
    assert.equal(results.filter((r) => r === 'created').length, 15);
    assert.equal(results.filter((r) => typeof r === 'object').length, 25);
    const [{ n }] = await replicas[0].query(`select count(*)::int as n from slo_definitions`);
    assert.equal(n, 15);
    const taken = (await replicas[0].query(`select name from slo_definitions limit 1`))[0].name;
    assert.equal(await repos[2].createDefinition(slo(taken), 'test', 15), 'exists');
    assert.equal(await repos[2].deleteDefinition(taken), true);
    assert.equal(await repos[1].createDefinition(slo('after-delete'), 'test', 15), 'created');
  });
});
