import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePgHosts } from './pg-hosts';

describe('parsePgHosts', () => {
  it('reads a libpq host list, keeping credentials, database and parameters per host', () => {
    const p = parsePgHosts('postgres://nines:s3cret@db1:5432,db2:5433,[::1]/nines?sslmode=disable&target_session_attrs=read-write');
    assert.deepEqual(p.hosts, [
      { host: 'db1', port: 5432 },
      { host: 'db2', port: 5433 },
      { host: '[::1]', port: 5432 },
    ]);
    assert.equal(p.attrs, 'read-write');
    assert.equal(p.urlFor(p.hosts[1]), 'postgres://nines:s3cret@db2:5433/nines?sslmode=disable');
    assert.equal(p.first, 'postgres://nines:s3cret@db1:5432/nines?sslmode=disable');
  });

  it('a single host is any session; several default to read-write; a password with @ and , survives', () => {
    assert.equal(parsePgHosts('postgres://postgres@127.0.0.1:5432/nines').attrs, 'any');
    assert.equal(parsePgHosts('postgresql://h1,h2/nines').attrs, 'read-write');
    const p = parsePgHosts('postgres://u:p@ss,w@h1:1,h2:2/db');
    assert.deepEqual(p.hosts.map((h) => h.host), ['h1', 'h2']);
    assert.equal(p.urlFor(p.hosts[0]), 'postgres://u:p@ss,w@h1:1/db');
  });

  it('names the problem, never echoing the password', () => {
    for (const [url, why] of [
      ['mysql://h/db', /must be a postgres:\/\/ URL/],
      ['postgres://u:pw@h1,,h2/db', /empty host/],
      ['postgres://u:pw@h1:99999/db', /port 99999 of h1 is out of range/],
      ['postgres://u:pw@h1/db?target_session_attrs=standby', /must be any, read-write or primary/],
    ] as const) {
      assert.throws(() => parsePgHosts(url), (e: Error) => why.test(e.message) && !e.message.includes('pw'), url);
    }
  });
});
