import { createHmac, timingSafeEqual } from 'node:crypto';
import { SLACK_ACK_ACTION } from './slack.notifier';

/** The path Slack's interactivity Request URL points at (the body parsers keep its body raw for the signature). */
export const SLACK_INTERACTIONS_PATH = '/api/v1/integrations/slack/interactions';

/** How far a request's timestamp may be from now (Slack: "more than five minutes" is a replay). */
export const SLACK_MAX_SKEW_MS = 5 * 60_000;

/** `v0=` and the hex HMAC-SHA256 of `v0:{timestamp}:{body}` under the signing secret. */
export function slackSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

export type SlackVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Slack's request signing ("Verifying requests from Slack"): the timestamp must be within five
 * minutes of now, and the signature must equal the HMAC of the exact bytes received under one of
 * the configured signing secrets, compared in constant time.
 */
export function verifySlackRequest(secrets: string[], timestamp: string | undefined, signature: string | undefined, body: Buffer, now: number): SlackVerdict {
  if (!secrets.length) return { ok: false, reason: 'no slack receiver has a signing_secret' };
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed X-Slack-Request-Timestamp' };
  if (Math.abs(now - Number(timestamp) * 1000) > SLACK_MAX_SKEW_MS) return { ok: false, reason: 'X-Slack-Request-Timestamp is more than 5 minutes away' };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'missing or malformed X-Slack-Signature' };
  const given = Buffer.from(signature);
  const match = secrets.some((s) => {
    const expected = Buffer.from(slackSignature(s, timestamp, body));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return match ? { ok: true } : { ok: false, reason: 'X-Slack-Signature does not match' };
}

export interface SlackAck {
  incidentId: number;
  /** Who pressed the button, as the audit log and the incident record it. */
  user: string;
}

/**
 * The acknowledgement a `block_actions` interaction asks for: the form field `payload` holds the
 * JSON, and our button's value is `incident:<id>`. Anything else (another button, another
 * interaction type) asks for nothing.
 */
export function slackAckOf(body: Buffer): SlackAck | undefined {
  const raw = new URLSearchParams(body.toString('utf8')).get('payload');
  if (!raw) return undefined;
  let p: { type?: string; user?: { id?: string; username?: string; name?: string }; actions?: { action_id?: string; value?: string }[] };
  try {
    p = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (p?.type !== 'block_actions' || !Array.isArray(p.actions)) return undefined;
  const action = p.actions.find((a) => a?.action_id === SLACK_ACK_ACTION);
  const m = /^incident:(\d{1,15})$/.exec(action?.value ?? '');
  if (!m) return undefined;
  const name = p.user?.username ?? p.user?.name ?? p.user?.id ?? 'unknown';
  return { incidentId: Number(m[1]), user: `slack:${String(name).slice(0, 100)}` };
}
