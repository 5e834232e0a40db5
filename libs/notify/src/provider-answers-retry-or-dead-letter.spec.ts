import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startProviderReceiver, type ProviderCredentials, type ProviderKind, type ProviderReceiver } from '../../../test/support/servers/provider-receivers';
import { NotifyError, type Notifier } from './notification';
import { firingPayload, resolvedPayload } from './notify-fixtures';
import { NtfyNotifier } from './ntfy.notifier';
import { OpsgenieNotifier } from './opsgenie.notifier';
import { PagerDutyNotifier } from './pagerduty.notifier';
import { SlackNotifier } from './slack.notifier';
import { TeamsNotifier } from './teams.notifier';
import { TelegramNotifier } from './telegram.notifier';
import { TwilioNotifier } from './twilio.notifier';

/**
 * Each notifier against its provider's local stand-in (test/support/servers/provider-receivers):
 * what it sends passes the provider's checks; the provider's rate limit and server errors are
 * worth retrying (after the provider's retry-after), its refusals are not; and no error message
 * carries a credential, even when the credential was wrong and the provider says so.
 */
const CREDS: Required<ProviderCredentials> = {
  pagerduty: { routingKey: 'R0123456789abcdef0123456789abcde' },
  opsgenie: { apiKey: '1f2e3d4c-5b6a-4789-8abc-def012345678' },
  slack: { token: 'xoxb-1111-2222-SlackSpecToken', channels: ['#oncall'] },
  teams: { sig: 'TeamsSpecSig0123456789abcdefghij' },
  telegram: { botToken: '123456:TelegramSpecToken-abcdefgh', chatIds: ['1234'] },
  ntfy: { token: 'tk_ntfyspectoken0123456789abc', topics: ['nines'] },
  twilio: { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'TwilioSpecAuthToken0123456789ab' },
};
const SECRETS = [CREDS.pagerduty.routingKey, CREDS.opsgenie.apiKey, CREDS.slack.token, CREDS.teams.sig, CREDS.telegram.botToken, CREDS.ntfy.token!, CREDS.twilio.authToken];
const KINDS: ProviderKind[] = ['pagerduty', 'opsgenie', 'slack', 'teams', 'telegram', 'ntfy', 'twilio'];
const ep = { allowPrivate: true, timeoutMs: 5000 };

function notifierFor(kind: ProviderKind, r: ProviderReceiver, wrong = false): Notifier {
  const bad = (s: string) => (wrong ? `${s.slice(0, -4)}WRNG` : s);
  switch (kind) {
    case 'pagerduty':
      return new PagerDutyNotifier({ routingKey: bad(CREDS.pagerduty.routingKey), url: r.url, ...ep });
    case 'opsgenie':
      return new OpsgenieNotifier({ apiKey: wrong ? '1f2e3d4c-5b6a-4789-8abc-000000000000' : CREDS.opsgenie.apiKey, url: r.url, ...ep });
    case 'slack':
      return new SlackNotifier({ token: bad(CREDS.slack.token), channel: '#oncall', ackButton: true, url: r.url, ...ep });
    case 'teams':
      return new TeamsNotifier({ url: wrong ? r.url.replace(CREDS.teams.sig, bad(CREDS.teams.sig)) : r.url, ...ep });
    case 'telegram':
      return new TelegramNotifier({ botToken: bad(CREDS.telegram.botToken), chatId: '1234', url: r.url, ...ep });
    case 'ntfy':
      return new NtfyNotifier({ url: r.url, topic: 'nines', token: bad(CREDS.ntfy.token!), ...ep });
    case 'twilio':
      return new TwilioNotifier({ accountSid: CREDS.twilio.accountSid, authToken: bad(CREDS.twilio.authToken), from: '+15550199', to: ['+15550100'], mode: 'sms', receiver: 'phone', url: r.url, ...ep });
  }
}

async function errorOf(p: Promise<void>): Promise<NotifyError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof NotifyError, `expected a NotifyError, got ${String(err)}`);
  return err;
}

const noSecret = (e: NotifyError) => {
  for (const s of SECRETS) assert.ok(!e.message.includes(s) && !e.message.includes(encodeURIComponent(s)), `leaked ${s.slice(0, 8)}… in: ${e.message}`);
};

describe('provider answers: delivered, retried or dead-lettered', () => {
  const receivers = {} as Record<ProviderKind, ProviderReceiver>;
  before(async () => {
    for (const k of KINDS) receivers[k] = await startProviderReceiver(k, CREDS);
  });
  after(async () => {
    await Promise.all(KINDS.map((k) => receivers[k].close()));
  });

  for (const kind of KINDS) {
    it(`${kind}: firing and resolved notifications pass the provider's checks and are accepted`, async () => {
      const r = receivers[kind];
      r.force(() => undefined);
      const n = notifierFor(kind, r);
      const before = r.hits.length;
      await n.send(firingPayload(), AbortSignal.timeout(5000));
      await n.send(resolvedPayload(), AbortSignal.timeout(5000));
      const hits = r.hits.slice(before);
      assert.equal(hits.length, 2);
      assert.ok(hits.every((h) => h.accepted), JSON.stringify(hits.map((h) => h.answer)));
      await n.close?.();
    });

    it(`${kind}: the provider's rate limit is retryable, after its retry-after; its server errors are retryable`, async () => {
      const r = receivers[kind];
      const n = notifierFor(kind, r);
      r.force(() => 'rate_limited');
      const limited = await errorOf(n.send(firingPayload(), AbortSignal.timeout(5000)));
      assert.equal(limited.retryable, true, limited.message);
      assert.equal(limited.status, 429);
      if (kind === 'slack' || kind === 'teams' || kind === 'telegram') assert.equal(limited.retryAfterMs, 1000, 'Retry-After / parameters.retry_after honoured');
      r.force(() => 'server_error');
      const broken = await errorOf(n.send(firingPayload(), AbortSignal.timeout(5000)));
      assert.equal(broken.retryable, true, broken.message);
      r.force(() => undefined);
      await n.close?.();
    });

    it(`${kind}: an invalid request is not retried`, async () => {
      const r = receivers[kind];
      const n = notifierFor(kind, r);
      r.force(() => 'bad_request');
      const e = await errorOf(n.send(firingPayload(), AbortSignal.timeout(5000)));
      r.force(() => undefined);
      assert.equal(e.retryable, false, e.message);
      noSecret(e);
      await n.close?.();
    });

    it(`${kind}: wrong credentials are refused, not retried, and the error names none`, async () => {
      const r = receivers[kind];
      r.force(() => undefined);
      const n = notifierFor(kind, r, true);
      const e = await errorOf(n.send(firingPayload(), AbortSignal.timeout(5000)));
      assert.equal(e.retryable, false, e.message);
      assert.ok(r.hits.at(-1)!.accepted === false);
      noSecret(e);
      for (const s of SECRETS.map((x) => `${x.slice(0, -4)}WRNG`)) assert.ok(!e.message.includes(s), `leaked the wrong credential in: ${e.message}`);
      await n.close?.();
    });
  }

  it('the refusals carry the provider\'s words: PagerDuty errors[], Opsgenie message, Slack error, Telegram description, Twilio code', async () => {
    const words: [ProviderKind, RegExp][] = [
      ['pagerduty', /answered 400: Event object is invalid; Invalid routing key/],
      ['opsgenie', /answered 401: Could not authenticate/],
      ['slack', /answered 200: invalid_auth/],
      ['telegram', /answered 401: Unauthorized/],
      ['ntfy', /answered 401: unauthorized \(40101\)/],
      ['twilio', /answered 401: 20003 Authenticate \(https:\/\/www\.twilio\.com\/docs\/errors\/20003\)/],
      ['teams', /answered 401: DirectApiInvalidAuthorizationSignature/],
    ];
    for (const [kind, re] of words) {
      const n = notifierFor(kind, receivers[kind], true);
      const e = await errorOf(n.send(firingPayload(), AbortSignal.timeout(5000)));
      assert.match(e.message, re);
      await n.close?.();
    }
  });

  it('Slack: channel_not_found is dead-lettered, ratelimited retried; a Twilio row without a number is dead-lettered', async () => {
    const r = receivers.slack;
    const n = new SlackNotifier({ token: CREDS.slack.token, channel: '#nowhere', ackButton: false, url: r.url, ...ep });
    const e = await errorOf(n.send(firingPayload(), AbortSignal.timeout(5000)));
    assert.equal(e.retryable, false);
    assert.match(e.message, /channel_not_found/);
    await n.close();
    const t = new TwilioNotifier({ accountSid: CREDS.twilio.accountSid, authToken: CREDS.twilio.authToken, from: '+15550199', to: [], mode: 'voice', receiver: 'phone', url: receivers.twilio.url, ...ep });
    const none = await errorOf(t.send(firingPayload(), AbortSignal.timeout(5000)));
    assert.equal(none.retryable, false);
    assert.match(none.message, /receiver phone has no number to call \(set twilio\.to\)/);
    await t.close();
  });

  it('a provider that is down is a retryable network error; private addresses are refused without allow_private', async () => {
    const r = await startProviderReceiver('pagerduty', CREDS);
    const url = r.url;
    await r.down();
    const n = new PagerDutyNotifier({ routingKey: CREDS.pagerduty.routingKey, url, ...ep });
    const e = await errorOf(n.send(firingPayload(), AbortSignal.timeout(5000)));
    assert.equal(e.retryable, true);
    assert.match(e.message, /ECONNREFUSED/);
    await n.close();
    const strict = new PagerDutyNotifier({ routingKey: CREDS.pagerduty.routingKey, url, allowPrivate: false, timeoutMs: 5000 });
    const refused = await errorOf(strict.send(firingPayload(), AbortSignal.timeout(5000)));
    assert.equal(refused.retryable, false);
    assert.match(refused.message, /refusing to send to private address 127\.0\.0\.1/);
    await strict.close();
  });
});
