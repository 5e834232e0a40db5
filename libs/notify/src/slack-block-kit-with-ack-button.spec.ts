import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alert, firingPayload, resolvedPayload } from './notify-fixtures';
import { SLACK_ACK_ACTION, slackEscape, slackMessage } from './slack.notifier';

const buttons = (m: Record<string, unknown>) => ((m.blocks as any[]).find((b) => b.type === 'actions')?.elements ?? []) as any[];

describe('Slack chat.postMessage with Block Kit', () => {
  it('a firing group: channel, fallback text, header, a section per alert and an Acknowledge button naming the incident', () => {
    const m = slackMessage(firingPayload(), '#oncall', { ackButton: true });
    assert.equal(m.channel, '#oncall');
    assert.equal(m.text, '[FIRING:1] orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07');
    const blocks = m.blocks as any[];
    assert.equal(blocks[0].type, 'header');
    assert.equal(blocks[0].text.type, 'plain_text');
    assert.match(blocks[1].text.text, /\*SystemDown\* · page\norders-db: primary pg1 unreachable/);
    const ack = buttons(m).find((b) => b.action_id === SLACK_ACK_ACTION);
    assert.deepEqual(ack, { type: 'button', action_id: SLACK_ACK_ACTION, text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value: 'incident:42' });
    assert.ok(buttons(m).some((b) => b.url === 'https://nines.example.com/incidents/42'), 'a link button to the incident');
  });

  it('no Acknowledge button without a signing secret (nothing could verify the click), once resolved, or without an incident', () => {
    const ackOf = (m: Record<string, unknown>) => buttons(m).find((b) => b.action_id === SLACK_ACK_ACTION);
    assert.equal(ackOf(slackMessage(firingPayload(), 'C1', { ackButton: false })), undefined);
    assert.equal(ackOf(slackMessage(resolvedPayload(), 'C1', { ackButton: true })), undefined);
    assert.equal(ackOf(slackMessage(firingPayload({ incidentId: undefined, incidentUrl: undefined, ackUrl: undefined }), 'C1', { ackButton: true })), undefined);
  });

  it('mrkdwn control characters in a summary are escaped, so a label cannot inject a link or a mention', () => {
    const m = slackMessage(firingPayload({ alerts: [alert({ annotations: { summary: 'a <!channel> & <https://evil|click>' } })] }), 'C1', { ackButton: true });
    assert.match((m.blocks as any[])[1].text.text, /a &lt;!channel&gt; &amp; &lt;https:\/\/evil\|click&gt;/);
    assert.equal(slackEscape('<&>'), '&lt;&amp;&gt;');
  });

  it('at most 10 alert sections, the rest counted; the header within 150 characters', () => {
    const many = Array.from({ length: 14 }, (_, i) => alert({ fingerprint: `f${i}`, labels: { alertname: `A${i}`, severity: 'warning' } }));
    const m = slackMessage(firingPayload({ alerts: many, commonLabels: { system: 's'.repeat(400) } }), 'C1', { ackButton: true });
    const blocks = m.blocks as any[];
    assert.equal(blocks.filter((b) => b.type === 'section').length, 10);
    assert.ok(blocks.some((b) => b.type === 'context' && b.elements[0].text === 'and 4 more'));
    assert.ok(blocks[0].text.text.length <= 150);
  });
});
