import { test } from 'node:test';
import assert from 'node:assert/strict';
import { externalBase, safeReturnTo } from './sign-in';

test('a path on this site is kept, with its query and fragment', () => {
  assert.equal(safeReturnTo('/incidents/42'), '/incidents/42');
  assert.equal(safeReturnTo('/alerts?state=firing#top'), '/alerts?state=firing#top');
  assert.equal(safeReturnTo('/a/../b'), '/b');
});

test('anything that could leave the site becomes /', () => {
  for (const bad of [
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/%0d%0aSet-Cookie:x=1'.replace('%0d%0a', '\r\n'),
    '/\tevil',
    '',
    '/' + 'a'.repeat(3000),
  ]) {
    assert.equal(safeReturnTo(bad), '/', JSON.stringify(bad));
  }
});

test('a repeated or missing return_to is /', () => {
  assert.equal(safeReturnTo(['/a', '/b']), '/');
  assert.equal(safeReturnTo(undefined), '/');
});

test('the external base is the configured URL without a trailing slash, else the request scheme and host', () => {
  assert.equal(externalBase('https://nines.example.com/', { protocol: 'http', host: 'ignored' }), 'https://nines.example.com');
  assert.equal(externalBase(undefined, { protocol: 'https', host: 'nines:8080' }), 'https://nines:8080');
  assert.equal(externalBase(undefined, { protocol: 'http', host: undefined }), 'http://localhost');
});
