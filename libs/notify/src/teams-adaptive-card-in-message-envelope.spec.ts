import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alert, firingPayload, resolvedPayload } from './notify-fixtures';
import { teamsMessage } from './teams.notifier';

describe('Teams Workflows webhook message', () => {
  it('is a message with one Adaptive Card 1.4 attachment: a title, a fact per alert, open-incident and acknowledge actions', () => {
    const m = teamsMessage(firingPayload()) as any;
    assert.equal(m.type, 'message');
    assert.equal(m.attachments.length, 1);
    const a = m.attachments[0];
    assert.equal(a.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(a.content.type, 'AdaptiveCard');
    assert.equal(a.content.version, '1.4');
    assert.equal(a.content.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
    assert.equal(a.content.body[0].type, 'TextBlock');
    assert.equal(a.content.body[0].text, 'Firing: 1 alert · orders-db');
    assert.equal(a.content.body[0].color, 'Attention');
    assert.deepEqual(a.content.body[1].facts, [{ title: 'SystemDown', value: 'orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07' }]);
    assert.deepEqual(a.content.actions.map((x: any) => [x.type, x.title]), [['Action.OpenUrl', 'Open incident 42'], ['Action.OpenUrl', 'Acknowledge']]);
  });

  it('a resolution is green and offers no acknowledgement', () => {
    const c = (teamsMessage(resolvedPayload()) as any).attachments[0].content;
    assert.equal(c.body[0].text, 'Resolved · orders-db');
    assert.equal(c.body[0].color, 'Good');
    assert.deepEqual(c.actions.map((x: any) => x.title), ['Open incident 42']);
  });

  it('at most 15 facts, the rest counted', () => {
    const many = Array.from({ length: 20 }, (_, i) => alert({ fingerprint: `f${i}` }));
    const c = (teamsMessage(firingPayload({ alerts: many })) as any).attachments[0].content;
    assert.equal(c.body[1].facts.length, 15);
    assert.equal(c.body[2].text, 'and 5 more');
  });
});
