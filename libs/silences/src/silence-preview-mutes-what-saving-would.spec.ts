import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../../common/src/errors';
import { isSilenced, parseSilenceMatchers, validateSilence, wouldMute } from './silence';

const alerts: { fingerprint: string; labels: Record<string, string> }[] = [
  { fingerprint: 'a', labels: { alertname: 'TargetDown', target: 'gone', severity: 'critical' } },
  { fingerprint: 'b', labels: { alertname: 'TargetDown', target: 'gone-too', severity: 'critical' } },
  { fingerprint: 'c', labels: { alertname: 'MemberDown', system: 'db', member: 'pg1', severity: 'page' } },
];

describe('silence preview', () => {
  it('lists exactly the alerts the saved silence mutes', () => {
    const texts = ['alertname="TargetDown"', 'target=~"gone"'];
    const previewed = wouldMute(parseSilenceMatchers(texts), alerts).map((a) => a.fingerprint);
    assert.deepEqual(previewed, ['a'], 'regexes are anchored: gone-too is not muted');
    const saved = validateSilence({ matchers: texts, ends_at: '2030-01-01T00:00:00Z', created_by: 'x', comment: 'y' }, Date.parse('2029-01-01T00:00:00Z'));
    assert.deepEqual(alerts.filter((a) => isSilenced([saved], a.labels)).map((a) => a.fingerprint), previewed);
  });

  it('refuses what saving refuses: bad syntax, and matchers that would mute everything', () => {
    assert.throws(() => parseSilenceMatchers(['alertname']), (e: unknown) => e instanceof DomainError && /matchers\[0\]/.test(e.message));
    assert.throws(() => parseSilenceMatchers(['severity=~".*"']), /must not match the empty string/);
    assert.throws(() => parseSilenceMatchers([]), /at least one matcher/);
  });
});
