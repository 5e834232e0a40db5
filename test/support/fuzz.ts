import { gzipSync } from 'node:zlib';

/**
 * Malformed requests for every route of the API, generated from a seeded PRNG so a failing run
 * can be replayed exactly (same seed, same requests in the same order).
 */
export interface FuzzRequest {
  method: string;
  /** Already percent-encoded where it has to be: sent as is. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What this request tries, for the report of a failure. */
  kind: string;
  /** The route it was made from (`POST /api/v1/silences`), for per-route figures. */
  route?: string;
}

/** mulberry32: small, fast and good enough to pick cases; the same seed gives the same stream. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Every route of apps/nines/src/**\/*.controller.ts, with a valid body or query to start mutating from. */
interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** A path with `:param` segments filled by the generator. */
  params?: string[];
  query?: Record<string, string>;
  body?: () => unknown;
}

export function routes(now: number): Route[] {
  return [
    { method: 'GET', path: '/healthz' },
    { method: 'GET', path: '/readyz' },
    { method: 'GET', path: '/metrics' },
    { method: 'GET', path: '/api/v1/sd' },
    { method: 'POST', path: '/api/v1/config/reload', body: () => ({}) },
    { method: 'GET', path: '/api/v1/incidents', query: { state: 'open', system: 'orders', since: iso(now - HOUR), until: iso(now), limit: '10' } },
    { method: 'GET', path: '/api/v1/incidents/:id', params: ['id'] },
    { method: 'GET', path: '/api/v1/incidents/:id/timeline', params: ['id'] },
    { method: 'POST', path: '/api/v1/incidents/:id/ack', params: ['id'], body: () => ({ by: 'fuzz' }) },
    { method: 'GET', path: '/api/v1/drills' },
    { method: 'POST', path: '/api/v1/drills', body: () => ({ system: 'orders', action: 'start', by: 'fuzz', note: 'n' }) },
    { method: 'GET', path: '/api/v1/alerts', query: { state: 'firing', alertname: 'SystemDown', system: 'orders', limit: '5' } },
    { method: 'GET', path: '/api/v1/alerts/history', query: { alertname: 'SystemDown', system: 'orders', fingerprint: 'abc', since: iso(now - HOUR), until: iso(now), limit: '5' } },
    { method: 'GET', path: '/api/v1/silences' },
    { method: 'POST', path: '/api/v1/silences', body: () => ({ matchers: ['system="orders"', 'severity=~"page|ticket"'], ends_at: iso(now + HOUR), created_by: 'fuzz', comment: 'fuzzing' }) },
    { method: 'DELETE', path: '/api/v1/silences/:id', params: ['id'] },
    { method: 'GET', path: '/api/v1/notifications', query: { state: 'sent', receiver: 'oncall', limit: '5' } },
    { method: 'GET', path: '/api/v1/ack/:token', params: ['token'] },
    { method: 'POST', path: '/api/v1/ack/:token', params: ['token'], body: () => ({ by: 'fuzz' }) },
    { method: 'POST', path: '/api/v1/events/keepalived', body: () => ({ type: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100, node: 'lb1', system: 'edge' }) },
    {
      method: 'POST',
      path: '/api/v1/events/alertmanager',
      body: () => ({
        version: '4',
        status: 'firing',
        alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', system: 'orders', severity: 'page' }, annotations: { summary: 'disk full' }, startsAt: iso(now), fingerprint: 'f00d' }],
      }),
    },
    { method: 'POST', path: '/api/v1/events/generic', body: () => ({ system: 'orders', message: 'something happened', severity: 'warning', at: iso(now) }) },
    { method: 'GET', path: '/api/v1/systems' },
    { method: 'GET', path: '/api/v1/systems/:name', params: ['name'] },
    { method: 'GET', path: '/api/v1/targets', query: { system: 'orders', state: 'up' } },
    { method: 'GET', path: '/api/v1/reports/weekly', query: { week: '2026-W47' } },
    { method: 'GET', path: '/api/v1/slos', query: { at: iso(now) } },
    { method: 'GET', path: '/api/v1/slos/prometheus-rules' },
    { method: 'GET', path: '/api/v1/slos/:name', params: ['name'], query: { at: iso(now) } },
    { method: 'POST', path: '/api/v1/slos', body: () => ({ name: 'fuzz-slo', selector: { system: 'orders' }, objective: 99.9, window: '30d', labels: { team: 'db' }, created_by: 'fuzz' }) },
    { method: 'DELETE', path: '/api/v1/slos/:name', params: ['name'] },
  ];
}

const REGEX_BOMBS = ['(a+)+$', '(a|aa)+$', '(.*a){20}', '(a*)*b', '(x+x+)+y', '^(([a-z])+.)+[A-Z]([a-z])+$', '(a)\\1', '(?=a)a', '(?<!b)a', 'a{1000}{1000}', '('.repeat(2000), `${'a|'.repeat(3000)}a`, '.{1000}'.repeat(12), '[', '\\'];

/** Values that have broken servers somewhere: wrong types, extremes, injections, prototype keys. */
function evilValue(rng: Rng): unknown {
  switch (int(rng, 0, 27)) {
    case 0: return null;
    case 1: return true;
    case 2: return int(rng, -1e9, 1e9);
    case 3: return 1e308;
    case 4: return -0.5;
    case 5: return '';
    case 6: return 'x'.repeat(int(rng, 1000, 300_000));
    case 7: return [];
    case 8: return {};
    case 9: return nested(rng, int(rng, 10, 60));
    case 10: return 'a\u0000b';
    case 11: return '\ud800\udfff\ud800';
    case 12: return '../../../../etc/passwd';
    case 13: return "'; drop table silences; --";
    case 14: return '${jndi:ldap://127.0.0.1/x}';
    case 15: return JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');
    case 16: return 'constructor';
    case 17: return pick(rng, REGEX_BOMBS);
    case 18: return '名前😀'.repeat(int(rng, 1, 2000));
    case 19: return Array.from({ length: int(rng, 100, 5000) }, (_, i) => `v${i}`);
    case 20: return Object.fromEntries(Array.from({ length: int(rng, 65, 3000) }, (_, i) => [`l${i}`, 'v']));
    case 21: return '+275760-09-13T00:00:00Z';
    case 22: return '2026-13-45T99:99:99Z';
    case 23: return Number.MAX_SAFE_INTEGER;
    case 24: return ['a="b"', 3, null];
    case 25: return '__proto__';
    case 26: return { toString: 'x', valueOf: 'y', length: 5 };
    default: return '%s%n%x\r\nX-Injected: 1';
  }
}

function nested(rng: Rng, depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = rng() < 0.5 ? [v] : { k: v };
  return v;
}

/** Replaces, adds or deletes one field somewhere in a JSON value. */
function mutate(value: unknown, rng: Rng): unknown {
  if (value === null || typeof value !== 'object' || rng() < 0.15) return evilValue(rng);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const r = rng();
  if (r < 0.1 || !keys.length) (copy as Record<string, unknown>)[pick(rng, ['extra', '__proto__', 'constructor', 'labels', 'x'.repeat(200), ''])] = evilValue(rng);
  else if (r < 0.2) delete (copy as Record<string, unknown>)[pick(rng, keys)];
  else {
    const k = pick(rng, keys);
    (copy as Record<string, unknown>)[k] = mutate((copy as Record<string, unknown>)[k], rng);
  }
  return copy;
}

/** Label sets and matchers where they are meant to be attacked. */
function targeted(route: Route, rng: Rng, body: unknown): unknown {
  const b = body as Record<string, any>;
  if (route.path.endsWith('/alertmanager')) {
    const alert = b.alerts[0];
    switch (int(rng, 0, 6)) {
      case 0: alert.labels = ['x', 'y']; break;
      case 1: alert.annotations = [1, 2]; break;
      case 2: alert.labels = Object.fromEntries(Array.from({ length: int(rng, 65, 20_000) }, (_, i) => [`label_${i}`, `value_${i}`])); break;
      case 3: alert.labels = { ['n'.repeat(int(rng, 129, 5000))]: 'v', system: 'orders' }; break;
      case 4: alert.labels = { system: 'orders', big: 'v'.repeat(int(rng, 2049, 100_000)) }; break;
      case 5: b.alerts = Array.from({ length: int(rng, 2, 1500) }, (_, i) => ({ ...alert, fingerprint: `f${i}` })); break;
      default: alert.labels = { 'bad-name': 'x', '0day': 'y', 'a b': 'z', system: 'orders' };
    }
  } else if (route.path === '/api/v1/silences' && route.method === 'POST') {
    const op = pick(rng, ['=~', '!~', '=', '!=']);
    b.matchers = rng() < 0.3 ? Array.from({ length: int(rng, 65, 2000) }, (_, i) => `l${i}="v"`) : [`alertname${op}"${pick(rng, REGEX_BOMBS).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`, ...(rng() < 0.5 ? ['system="orders"'] : [])];
    if (rng() < 0.2) b.matchers = [pick(rng, ['alertname=~".*"', 'foo=""', 'foo!~".+"', 'a=~"x|"'])];
  } else if (route.path === '/api/v1/slos' && route.method === 'POST') {
    b.name = `fuzz-${int(rng, 0, 40)}`;
    if (rng() < 0.5) b.labels = evilValue(rng);
    else b.selector = { labels: evilValue(rng) };
  }
  return b;
}

const PARAM_VALUES = [
  '1', '0', '-1', '999999999999999999999', '1e3', 'abc', '..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2f', '..', '.', '%00', 'a%00b', '%ff%fe', '%',
  '%E0%A4%A', '%c0%ae%c0%ae', 'orders', 'edge', 'fuzz-slo', '2f1b8c9e-0d4c-4a51-9a7e-3f0b6c1d2e3f', '00000000-0000-0000-0000-000000000000', "'%20or%20'1'='1", '%3Cscript%3E',
  'x'.repeat(5000), '%F0%9F%98%80', 'constructor', '__proto__', 'prometheus-rules', '%0d%0aX-Injected:%201',
];

const QUERY_VALUES = ['', '-1', '0', '1001', '1e99', 'NaN', '%00', '%ff', '%', '(a%2B)%2B%24', '(.*a){20}', 'x'.repeat(3000), '%2B275760-09-13T00:00:00Z', '2026-W99', '2026-W53', '9999-W01', 'open', 'firing', '[]', '{}', 'true'];

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/merge-patch+json', '', 'application/json; charset=nope', '*/*'];

function fillPath(route: Route, rng: Rng): string {
  let p = route.path;
  for (const name of route.params ?? []) p = p.replace(`:${name}`, pick(rng, PARAM_VALUES));
  return p;
}

function queryString(route: Route, rng: Rng): string {
  const q: [string, string][] = Object.entries(route.query ?? {}).map(([k, v]) => [k, encodeURIComponent(v)]);
  const r = rng();
  if (q.length && r < 0.5) q[int(rng, 0, q.length - 1)][1] = pick(rng, QUERY_VALUES);
  else if (q.length && r < 0.6) q.push([q[0][0], 'again']); // repeated: an array where a string is expected
  else if (r < 0.7) q.push([pick(rng, ['limit[]', 'limit[a]', 'a[b][c][d]', '__proto__', 'constructor[prototype][x]', '%ff', '%00']), '1']);
  else if (r < 0.75) q.push(['p', 'x'.repeat(int(rng, 1000, 20_000))]);
  return q.length ? `?${q.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null');

// 8 MB of spaces in about 8 kB: a gzip bomb, compressed once.
let zipBomb: Buffer | undefined;

/** The stream of requests for this seed, made one at a time (a huge body is not held longer than its send). */
export function* fuzzRequests(seed: number, count: number, now: number): Generator<FuzzRequest> {
  const rng = prng(seed);
  const all = routes(now);
  for (let n = 0; n < count; n++) {
    const route = pick(rng, all);
    let method: string = route.method;
    let path = fillPath(route, rng);
    let query = queryString(route, rng);
    const headers: Record<string, string> = {};
    let body: Buffer | undefined;
    let kind = 'mutated body';
    const base = route.body?.();
    switch (int(rng, 0, 13)) {
      case 0: // bad JSON
        kind = 'bad JSON';
        body = Buffer.from(pick(rng, ['{', '{"a":}', '{"a":1,}', "{'a':1}", 'nul', '[1,2', '{"a":"\\x"}', '\u00ff\u00fe', '{"a":1}{"b":2}', '"\\ud800"', '1e999', '-', '{"a":NaN}']));
        headers['content-type'] = 'application/json';
        break;
      case 1: // wrong types and evil values in a valid body
      case 2:
        body = json(mutate(base ?? {}, rng));
        headers['content-type'] = 'application/json';
        break;
      case 3: // huge body
        kind = 'huge body';
        body = Buffer.concat([Buffer.from('{"system":"'), Buffer.alloc(int(rng, 1_000_000, 1_300_000), 'a'), Buffer.from('","message":"m"}')]);
        headers['content-type'] = 'application/json';
        break;
      case 4: // deep body
        kind = 'deep body';
        {
          const d = rng() < 0.5 ? int(rng, 60, 1_000) : 100_000;
          body = Buffer.from(rng() < 0.5 ? `${'['.repeat(d)}${']'.repeat(d)}` : `{"alerts":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`);
        }
        headers['content-type'] = 'application/json';
        break;
      case 5: // NUL and invalid UTF-8
        kind = 'NUL / invalid UTF-8';
        body = Buffer.concat([Buffer.from(JSON.stringify(base ?? { system: 'orders', message: 'x' }).slice(0, -1)), Buffer.from(',"x":"'), Buffer.from(pick(rng, [[0xff, 0xfe], [0xc0, 0xae], [0xed, 0xa0, 0x80], [0x00], [0x5c, 0x75, 0x30, 0x30, 0x30, 0x30]])), Buffer.from('"}')]);
        if (rng() < 0.5 && base) body = json(JSON.parse(JSON.stringify(base).replace(/"orders"|"fuzz"|"DiskFull"/, '"or\\u0000ders"')));
        headers['content-type'] = 'application/json';
        break;
      case 6: // path traversal and odd paths
        kind = 'path';
        path = pick(rng, ['/api/v1/systems/..%2f..%2fetc%2fpasswd', '/api/v1/../../../../etc/passwd', '//api//v1//systems', '/api/v1/systems/%2e%2e', `/api/v1/${'a/'.repeat(2000)}`, '/api/v1/slos/%00', '/api/v1/incidents/1/../../silences', '/%ff', '/api/v1/events/..%5c..%5cwin.ini', '/docs/../../etc/passwd', '/api/v1/silences/%', '/api/v1/systems/%E0%A4%A', '/api/v1/reports/weekly/../../../etc']);
        query = '';
        break;
      case 7: // regex bombs and label floods where matchers and labels are read
        kind = 'targeted';
        body = json(targeted(route, rng, base ?? {}));
        headers['content-type'] = 'application/json';
        if (!route.body) query = `?alertname=${encodeURIComponent(pick(rng, REGEX_BOMBS))}&system=${encodeURIComponent(pick(rng, REGEX_BOMBS))}`;
        break;
      case 8: // huge headers
        kind = 'huge headers';
        if (rng() < 0.5) headers['x-fuzz'] = 'h'.repeat(int(rng, 8_000, 70_000));
        else for (let i = 0; i < int(rng, 100, 600); i++) headers[`x-fuzz-${i}`] = 'v'.repeat(50);
        body = base === undefined ? undefined : json(base);
        headers['content-type'] = 'application/json';
        break;
      case 9: // content types and encodings
        kind = 'content type';
        headers['content-type'] = pick(rng, CONTENT_TYPES);
        body = json(base ?? { a: 1 });
        {
          const enc = int(rng, 0, 5);
          if (enc === 1) {
            headers['content-encoding'] = 'gzip';
            body = rng() < 0.5 ? gzipSync(body) : (zipBomb ??= gzipSync(Buffer.alloc(8_000_000, 0x20)));
          } else if (enc === 2) {
            headers['content-encoding'] = pick(rng, ['gzip', 'deflate', 'br', 'x-nope']);
            body = Buffer.from('not compressed');
          }
        }
        break;
      case 10: // other methods on every path
        kind = 'method';
        method = pick(rng, ['PUT', 'PATCH', 'OPTIONS', 'HEAD', 'GET', 'POST', 'DELETE', 'TRACE']);
        body = method === 'GET' || method === 'HEAD' ? undefined : json(base ?? {});
        if (body) headers['content-type'] = 'application/json';
        break;
      case 11: // bad query strings
        kind = 'query';
        query = queryString(route, rng) + pick(rng, ['&%', '&a=%zz', '&=', '&&&', '&limit=1&limit=2', `&x=${'%41'.repeat(5000)}`]);
        body = base === undefined ? undefined : json(base);
        if (body) headers['content-type'] = 'application/json';
        break;
      case 12: // a valid request, so the stores fill and the happy paths run under the same load
        kind = 'valid';
        body = base === undefined ? undefined : json(base);
        if (body) headers['content-type'] = 'application/json';
        if (route.path === '/api/v1/silences' && body) body = json({ ...(base as object), matchers: [`system="s${int(rng, 0, 10_000)}"`] });
        if (route.path === '/api/v1/slos' && body) body = json({ ...(base as object), name: `fuzz-${int(rng, 0, 10_000)}` });
        break;
      default: // a body not the JSON the route expects
        kind = 'wrong body';
        body = json(pick(rng, [[], 'string', 42, null, true, { alerts: {} }, { matchers: 'a="b"' }, [base]]));
        headers['content-type'] = 'application/json';
    }
    yield { method, path: path + query, headers, body, kind, route: `${route.method} ${route.path}` };
  }
}
