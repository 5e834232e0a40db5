import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alert, firingPayload, resolvedPayload } from './notify-fixtures';
import { opsgenieRequest } from './opsgenie.notifier';

describe('Opsgenie Alert API requests', () => {
  it('a firing group creates an alert whose alias is the group key, with priority, tags, details and links', () => {
    const r = opsgenieRequest(firingPayload());
    assert.equal(r.path, '/v2/alerts');
    const b = r.body as any;
    assert.match(b.alias, /^nines-[0-9a-f]{40}$/);
    assert.equal(b.priority, 'P1');
    assert.equal(b.entity, 'orders-db');
    assert.equal(b.source, 'Nines');
    assert.deepEqual(b.tags, ['nines', 'page', 'SystemDown']);
    assert.equal(b.details.incident_url, 'https://nines.example.com/incidents/42');
    assert.ok(Object.values(b.details).every((v) => typeof v === 'string'), 'details is a map of strings');
    assert.match(b.description, /Acknowledge: https:\/\/nines\.example\.com\/api\/v1\/ack\//);
  });

  it('its resolution closes the same alert by alias (identifierType=alias)', () => {
    const create = opsgenieRequest(firingPayload()).body as any;
    const close = opsgenieRequest(resolvedPayload());
    assert.equal(close.path, `/v2/alerts/${create.alias}/close?identifierType=alias`);
    assert.equal((close.body as any).source, 'Nines');
    assert.match((close.body as any).note, /^Resolved: SystemDown \(resolved\)/);
  });

  it('the message stays within 130 characters', () => {
    const b = opsgenieRequest(firingPayload({ alerts: [alert({ annotations: { summary: 'y'.repeat(400) } })] })).body as any;
    assert.equal(b.message.length, 130);
  });
});
