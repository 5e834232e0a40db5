import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskUrl, secretsOfUrl } from './secrets';

describe('maskUrl', () => {
  it('masks the password of URL userinfo and keeps the user', () => {
    assert.equal(maskUrl('postgres://app:hunter2@10.0.0.11:5432/orders'), 'postgres://app:***@10.0.0.11:5432/orders');
    assert.equal(maskUrl('redis://:s3cret@cache:6379/0'), 'redis://:***@cache:6379/0');
    assert.equal(maskUrl('smtps://mailer:pw@smtp.example.com:465'), 'smtps://mailer:***@smtp.example.com:465');
  });

  it('masks URLs inside free text, every one of them', () => {
    const text = 'connect to postgres://a:one@h1/db failed; fallback redis://b:two@h2:6379 failed too';
    assert.equal(maskUrl(text), 'connect to postgres://a:***@h1/db failed; fallback redis://b:***@h2:6379 failed too');
  });

  it('masks the whole password when it contains an unencoded "@"', () => {
    const masked = maskUrl('postgres://app:p@ss@db:5432/x');
    assert.equal(masked, 'postgres://app:***@db:5432/x');
  });

  it('does not swallow the rest of a JSON line after a URL without a path', () => {
    assert.equal(maskUrl('{"url":"postgres://u:pw@h","email":"a@b.example"}'), '{"url":"postgres://u:***@h","email":"a@b.example"}');
  });

  it('masks token-like query parameters, case-insensitively', () => {
    assert.equal(
      maskUrl('https://hooks.example.com/x?token=abc123&channel=ops&API_KEY=k-9&access_token=zzz#frag'),
      'https://hooks.example.com/x?token=***&channel=ops&API_KEY=***&access_token=***#frag',
    );
    assert.equal(maskUrl('http://h/?password=p&pwd=q&secret=r&key=s'), 'http://h/?password=***&pwd=***&secret=***&key=***');
  });

  it('leaves URLs without secrets, user-only userinfo and e-mail addresses alone', () => {
    for (const s of ['http://127.0.0.1:8080/healthz?verbose=1', 'https://user@git.example.com/repo', 'mail oncall@example.com now', 'monkey=1&keyboard=2']) {
      assert.equal(maskUrl(s), s);
    }
  });
});

describe('secretsOfUrl', () => {
  it('returns the password, raw and decoded, and token parameters', () => {
    assert.deepEqual(secretsOfUrl('postgres://app:p%40ss@db/x?sslmode=require'), ['p%40ss', 'p@ss']);
    assert.deepEqual(secretsOfUrl('https://h/hook?token=t0k3n&x=1'), ['t0k3n']);
  });

  it('keeps the password when it is not valid percent-encoding', () => {
    assert.deepEqual(secretsOfUrl('postgres://app:100%off@db/x'), ['100%off']);
  });

  it('returns nothing for URLs without secrets and for non-URLs', () => {
    assert.deepEqual(secretsOfUrl('redis://127.0.0.1:6379'), []);
    assert.deepEqual(secretsOfUrl('not a url'), []);
  });
});
