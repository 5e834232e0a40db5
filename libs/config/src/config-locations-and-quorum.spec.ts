import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';
import { problems } from './testing/problems';
import { readSettings, SettingsError } from './settings';


describe('config: where targets are probed from (issue 17)', () => {
  it('targets and systems take locations and a quorum; members and the endpoint inherit the system', () => {
    const c = parseConfig(
      `
locations: { partition: { min_targets: 5, share: 0.6 } }
targets:
  - { name: web, probe: { kind: http, url: "http://127.0.0.1/" }, locations: [dc1, dc2, dc3], quorum: 2 }
  - { name: plain, probe: { kind: http, url: "http://127.0.0.1/" } }
systems:
  - name: edge
    layer: access
    kind: keepalived
    locations: [dc1, dc2]
    quorum: 1
    endpoint: { probe: { kind: http, url: "http://127.0.0.1/" } }
    members: [ { name: lb1, probe: { kind: tcp, address: "127.0.0.1:1" } } ]
`,
      {},
    );
    const by = new Map(c.targets.map((t) => [t.key, t]));
    assert.deepEqual([by.get('web')?.locations, by.get('web')?.quorum], [['dc1', 'dc2', 'dc3'], 2]);
    assert.equal('locations' in by.get('plain')!, false, 'unset: every location present');
    assert.deepEqual([by.get('edge/@endpoint')?.locations, by.get('edge/lb1')?.locations, by.get('edge/lb1')?.quorum], [['dc1', 'dc2'], ['dc1', 'dc2'], 1]);
    assert.deepEqual(c.locations, { partition: { minTargets: 5, share: 0.6 } });
    assert.deepEqual(parseConfig('targets: []', {}).locations, { partition: { minTargets: 3, share: 0.5 } });
  });

  it('a quorum beyond the locations, a repeated or badly named location, a share out of range: each named', () => {
    assert.deepEqual(
      problems(`
locations: { partition: { share: 1.5 } }
targets:
  - { name: c, probe: { kind: http, url: "http://127.0.0.1/" }, locations: ["DC 1"], quorum: 0 }
`).sort(),
      [
        'locations.partition.share: must be at most 1',
        'targets[0].locations[0]: must be lower-case letters, digits, "-" or "_", up to 32, as NINES_LOCATION',
        'targets[0].quorum: must be at least 1',
      ],
    );
    assert.deepEqual(
      problems(`
targets:
  - { name: a, probe: { kind: http, url: "http://127.0.0.1/" }, locations: [dc1, dc2], quorum: 3 }
  - { name: b, probe: { kind: http, url: "http://127.0.0.1/" }, locations: [dc1, dc1] }
`),
      ['targets[0].quorum: must not exceed the number of locations (3 > 2): the target could never be down', 'targets[1].locations[1]: duplicate location "dc1" (first at index 0)'],
    );
  });

  it('NINES_LOCATION names the prober\'s location, or says what is wrong with it', () => {
    assert.equal(readSettings({ NINES_LOCATION: 'dc-1' }).location, 'dc-1');
    assert.equal(readSettings({}).location, undefined);
    assert.throws(() => readSettings({ NINES_LOCATION: 'Frankfurt 1' }), (e: Error) => e instanceof SettingsError && /^NINES_LOCATION: "Frankfurt 1" is not a location name/.test(e.message));
  });
});
