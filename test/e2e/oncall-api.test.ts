import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from '../support/env';
import { startNinesProcess, writeConfig, type NinesProcess } from '../support/nines-process';
import { startRedis, type RedisNode } from '../support/servers/redis-ha';
import { tempDir } from '../support/servers/spawned';
import { getJson, getText } from '../support/wait';

const HOUR = 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');
/** "YYYY-MM-DD HH:MM" in UTC. */
const local = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};

describe('on-call API: who is on call, feeds and shift swaps (real process)', () => {
  const dir = tempDir('oncall');
  let redis: RedisNode;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let nines: NinesProcess;
  // An hourly rota that began 10 hours ago on the hour: shift k is participants[k mod 3].
  const start = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;

  before(async () => {
    redis = await startRedis(dir.path);
    db = await freshDatabase('oncall_api');
    const config = writeConfig(`
people:
  - { name: alice, email: alice@example.com, phone: "+15550100" }
  - { name: bob, email: bob@example.com }
  - { name: carol, email: carol@example.com }
schedules:
  - name: primary
    timezone: UTC
    layers: [ { rotation: { every: 1h }, start: "${local(start)}", participants: [alice, bob, carol] } ]
escalation_policies:
  - { name: db-page, steps: [ { notify: { schedule: primary }, after: 5m }, { notify: { person: carol }, after: 10m } ], repeat: 1 }
`);
    nines = await startNinesProcess({ configPath: config, databaseUrl: db.url, redisUrl: `redis://${redis.address}/0`, roles: 'api' });
  });

  after(async () => {
    await nines?.stop();
    await redis?.kill();
    await db?.drop();
    dir.remove();
  });

  const who = (t: number) => ['alice', 'bob', 'carol'][Math.floor((t - start) / HOUR) % 3];

  it('now and next follow the rota', async () => {
    const t = Date.now();
    const r = await getJson(`${nines.url}/api/v1/oncall/now?schedule=primary`);
    assert.equal(r.status, 200);
    // The answer is for the moment the server read its clock, which may be the next hour already.
    const shiftStart = Date.parse(r.body.now.from);
    assert.ok(shiftStart === Math.floor(t / HOUR) * HOUR || shiftStart === Math.floor(t / HOUR) * HOUR + HOUR, r.body.now.from);
    assert.deepEqual(r.body, {
      schedule: 'primary',
      now: { person: who(shiftStart), from: new Date(shiftStart).toISOString(), until: new Date(shiftStart + HOUR).toISOString() },
      next: { person: who(shiftStart + HOUR), from: new Date(shiftStart + HOUR).toISOString(), until: new Date(shiftStart + 2 * HOUR).toISOString() },
    });
  });

  it('a swap over the API wins, is listed with its author, audited, and can be removed', async () => {
    const from = Math.floor(Date.now() / HOUR) * HOUR + 2 * HOUR;
    const body = { person: 'alice', from: new Date(from).toISOString(), until: new Date(from + 3 * HOUR).toISOString() };
    const made = await getJson(`${nines.url}/api/v1/schedules/primary/overrides`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const rota = (await getJson(`${nines.url}/api/v1/schedules/primary?days=1`)).body;
    const covering = rota.rota.filter((s: { from: string; until: string }) => Date.parse(s.from) < from + 3 * HOUR && Date.parse(s.until) > from);
    assert.deepEqual(covering.map((s: { person: string }) => s.person), ['alice'], 'alice holds the three swapped hours, merged into one shift');
    assert.equal(rota.overrides[0].source, 'api');
    assert.equal(rota.overrides[0].created_by, 'anonymous');
    const audit = await getJson(`${nines.url}/api/v1/audit?action=schedule.`);
    assert.equal(audit.body[0].action, 'schedule.override.create');
    assert.equal(audit.body[0].after.person, 'alice');
    assert.equal((await getJson(`${nines.url}/api/v1/schedules/primary/overrides/${made.body.id}`, { method: 'DELETE' })).status, 200);
    assert.equal((await getJson(`${nines.url}/api/v1/schedules/primary/overrides/${made.body.id}`, { method: 'DELETE' })).status, 404);
  });

  it('iCalendar feeds per schedule and per person', async () => {
    const feed = await getText(`${nines.url}/api/v1/schedules/primary.ics`);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type') ?? '', /^text\/calendar/);
    assert.ok(feed.text.startsWith('BEGIN:VCALENDAR\r\n'));
    // A week back and 60 days ahead of hourly shifts, the first from the rota's start.
    const events = feed.text.split('BEGIN:VEVENT').length - 1;
    assert.ok(events >= 60 * 24 && events <= 61 * 24 + 11, `${events} events`);
    const bob = await getText(`${nines.url}/api/v1/people/bob.ics`);
    assert.ok(bob.text.includes('SUMMARY:On call: bob (primary)'));
    assert.ok(!bob.text.includes('alice'));
  });

  it('bad input is a 4xx naming the field', async () => {
    assert.equal((await getJson(`${nines.url}/api/v1/oncall/now`)).body.error.details.field, 'schedule');
    assert.equal((await getJson(`${nines.url}/api/v1/oncall/now?schedule=nope`)).status, 404);
    assert.equal((await getJson(`${nines.url}/api/v1/people/nobody.ics`)).status, 404);
    const bad = await getJson(`${nines.url}/api/v1/schedules/primary/overrides`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person: 'mallory', from: '2026-12-01T00:00:00Z', until: '2026-12-02T00:00:00Z' }) });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details.field, 'person');
    const backwards = await getJson(`${nines.url}/api/v1/schedules/primary/overrides`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ person: 'bob', from: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' }) });
    assert.equal(backwards.body.error.details.field, 'until');
    assert.deepEqual((await getJson(`${nines.url}/api/v1/escalation-policies`)).body.escalation_policies[0].steps[1].notify, { person: 'carol' });
  });
});
