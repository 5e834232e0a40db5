import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alert, firingPayload, resolvedPayload } from './notify-fixtures';
import { twilioCallTwiml, twilioForm, twilioSmsBody } from './twilio.notifier';

describe('Twilio SMS and voice requests', () => {
  it('an SMS is To, From and a Body with the headline and the acknowledgement link', () => {
    const f = twilioForm(firingPayload(), 'sms', '+15550199', '+15550100')!;
    assert.equal(f.get('To'), '+15550100');
    assert.equal(f.get('From'), '+15550199');
    assert.equal(f.get('Body'), `Nines [FIRING:1] orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07\nAck: ${firingPayload().ackUrl}`);
    assert.equal(new URLSearchParams(f.toString()).get('Body'), f.get('Body'), 'form-encoded round trip');
  });

  it('an SMS body stays within 1600 characters and keeps the acknowledgement link whole', () => {
    const many = Array.from({ length: 40 }, (_, i) => alert({ fingerprint: `f${i}`, annotations: { summary: `member ${i} down ${'z'.repeat(60)}` } }));
    const body = twilioSmsBody(firingPayload({ alerts: many }));
    assert.ok(body.length <= 1600, `${body.length}`);
    assert.ok(body.endsWith(`Ack: ${firingPayload().ackUrl}`));
  });

  it('a call says the alert twice in TwiML, XML-escaped, within 4000 characters', () => {
    const t = twilioCallTwiml(firingPayload({ alerts: [alert({ annotations: { summary: 'lag > 5s & "r1" <down>' } })] }));
    assert.match(t, /^<Response><Say>Nines alert\. 1 firing\. lag &gt; 5s &amp; &quot;r1&quot;/);
    assert.equal((t.match(/<Say>/g) ?? []).length, 3);
    assert.ok(t.length <= 4000);
    const f = twilioForm(firingPayload(), 'voice', '+15550199', '+15550100')!;
    assert.equal(f.get('Twiml'), twilioCallTwiml(firingPayload()));
    assert.equal(f.get('Url'), null);
  });

  it('a resolution is texted, but nobody is called to hear that it is over', () => {
    assert.match(twilioForm(resolvedPayload(), 'sms', '+15550199', '+15550100')!.get('Body') ?? '', /^Nines \[RESOLVED\]/);
    assert.equal(twilioForm(resolvedPayload(), 'voice', '+15550199', '+15550100'), null);
  });
});
