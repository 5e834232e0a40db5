import type { Channel } from '../../notify/src/notification';
import { RECEIVER_KINDS, type ReceiverConfig } from './schema';

/** The delivery channels a receiver has, in the order the config names the kinds. */
export function receiverChannels(r: ReceiverConfig): Channel[] {
  return RECEIVER_KINDS.filter((k) => r[k] !== undefined);
}

/** The secret values of a receiver's provider settings, for the scrubber. */
export function receiverSecrets(r: ReceiverConfig): string[] {
  const out: string[] = [];
  if (r.pagerduty) out.push(r.pagerduty.routing_key);
  if (r.opsgenie) out.push(r.opsgenie.api_key);
  if (r.slack) out.push(r.slack.token, ...(r.slack.signing_secret ? [r.slack.signing_secret] : []));
  if (r.telegram) out.push(r.telegram.bot_token);
  if (r.ntfy?.token) out.push(r.ntfy.token);
  if (r.twilio) out.push(r.twilio.auth_token, Buffer.from(`${r.twilio.account_sid}:${r.twilio.auth_token}`).toString('base64'));
  // A Teams workflow URL is a capability: its `sig` query parameter is the secret.
  if (r.teams) out.push(r.teams.url, ...[...new URL(r.teams.url).searchParams].filter(([k]) => /^(sig|code|token|key)$/i.test(k)).map(([, v]) => v));
  return out.filter((s) => s.length > 0);
}
