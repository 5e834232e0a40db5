import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { problems } from './testing/problems';


const withUrl = (url: string) => `
targets:
  - name: homepage
    probe: { kind: http, url: "${url}" }
`;

const urlOf = (yaml: string, env: NodeJS.ProcessEnv) => parseConfig(yaml, env).targets[0].probe.url;

describe('config: ${ENV} substitution', () => {
  it('replaces ${VAR} with the variable', () => {
    assert.equal(urlOf(withUrl('http://${WEB_HOST}:8080/'), { WEB_HOST: '10.0.0.5' }), 'http://10.0.0.5:8080/');
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty, and the variable when set', () => {
    const yaml = withUrl('http://127.0.0.1:${WEB_PORT:-8080}/${PATH_PREFIX:-}');
    assert.equal(urlOf(yaml, {}), 'http://127.0.0.1:8080/');
    assert.equal(urlOf(yaml, { WEB_PORT: '' }), 'http://127.0.0.1:8080/');
    assert.equal(urlOf(yaml, { WEB_PORT: '9090', PATH_PREFIX: 'api' }), 'http://127.0.0.1:9090/api');
  });

  it('reports a missing variable once, at the path that uses it', () => {
    assert.deepEqual(problems(withUrl('http://${WEB_HOST}/')), [
      'targets[0].probe.url: environment variable WEB_HOST is not set (use ${WEB_HOST:-default} for a default)',
    ]);
  });

  it('reports every missing variable, each at its own path', () => {
    const yaml = `${withUrl('http://${WEB_HOST}/')}
alerting:
  receivers: [{ name: hook, webhook: { url: "http://127.0.0.1:9000/", secret: "\${HOOK_SECRET}" } }]
  route: { receiver: hook }
`;
    assert.deepEqual(problems(yaml), [
      'targets[0].probe.url: environment variable WEB_HOST is not set (use ${WEB_HOST:-default} for a default)',
      'alerting.receivers[0].webhook.secret: environment variable HOOK_SECRET is not set (use ${HOOK_SECRET:-default} for a default)',
    ]);
  });

  it('keeps $${ as a literal ${', () => {
    const yaml = `
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1/", headers: { x-template: "$\${NOT_A_VAR}" } }
`;
    const c = parseConfig(yaml, { NOT_A_VAR: 'substituted' });
    assert.deepEqual(c.targets[0].probe.headers, { 'x-template': '${NOT_A_VAR}' });
  });

  it('substitutes inside lists and nested mappings, but not in keys', () => {
    const yaml = `
targets:
  - name: homepage
    probe: { kind: http, url: "http://127.0.0.1/", expect_status: [200], headers: { "\${HDR}": "\${TOKEN}" } }
    labels: { team: "\${TEAM}" }
`;
    const c = parseConfig(yaml, { HDR: 'x-h', TOKEN: 't0k', TEAM: 'web' });
    assert.deepEqual(c.targets[0].probe.headers, { '${HDR}': 't0k' });
    assert.deepEqual(c.targets[0].labels, { team: 'web' });
  });

  it('does not read process.env when given an env', () => {
    process.env.NINES_SPEC_ONLY_IN_PROCESS = 'leaked';
    try {
      assert.deepEqual(problems(withUrl('http://${NINES_SPEC_ONLY_IN_PROCESS}/')), [
        'targets[0].probe.url: environment variable NINES_SPEC_ONLY_IN_PROCESS is not set (use ${NINES_SPEC_ONLY_IN_PROCESS:-default} for a default)',
      ]);
    } finally {
      delete process.env.NINES_SPEC_ONLY_IN_PROCESS;
    }
  });
});
