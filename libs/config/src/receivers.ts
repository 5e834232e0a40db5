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

/** A person's contact methods beyond email, and the receiver kind that delivers each. */
export const PERSON_METHOD_KIND = { phone: 'twilio', sms: 'twilio', slack: 'slack', telegram: 'telegram' } as const;
export type PersonMethod = 'email' | keyof typeof PERSON_METHOD_KIND;

export interface PersonContacts {
  email?: string;
  phone?: string;
  slack?: string;
  telegram?: string;
  via?: Partial<Record<keyof typeof PERSON_METHOD_KIND, string>>;
}

/**
 * How a paged person is reached: each method they have an address for and Nines can deliver —
 * email through smtp; phone (a call) and sms through a Twilio receiver to their number; slack
 * through a Slack receiver to their user id (a direct message from the app); telegram through a
 * Telegram receiver to their chat id. The receiver is the one `via` names, else the first of that
 * kind; its credentials are used, the address is the person's.
 */
export function personDelivery(p: PersonContacts, receivers: ReceiverConfig[], smtp: boolean): { method: PersonMethod; address: string; receiver?: ReceiverConfig }[] {
  const out: { method: PersonMethod; address: string; receiver?: ReceiverConfig }[] = [];
  if (p.email && smtp) out.push({ method: 'email', address: p.email });
  const address = { phone: p.phone, sms: p.phone, slack: p.slack, telegram: p.telegram };
  for (const method of Object.keys(PERSON_METHOD_KIND) as (keyof typeof PERSON_METHOD_KIND)[]) {
    const to = address[method];
    if (!to) continue;
    const kind = PERSON_METHOD_KIND[method];
    const named = p.via?.[method];
    const receiver = receivers.find((r) => (named === undefined || r.name === named) && r[kind] !== undefined);
    if (receiver) out.push({ method, address: to, receiver });
  }
  return out;
}
