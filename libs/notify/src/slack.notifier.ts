import type { Clock } from '../../common/src/clock';
import { clip, firing, headline, worstSeverity } from './alert-text';
import type { NotificationPayload, Notifier } from './notification';
import { endpointUrl, jsonObject, ProviderHttp, type ProviderEndpoint } from './provider-http';

export const SLACK_URL = 'https://slack.com';
/** The Acknowledge button's action_id; its value is `incident:<id>`. */
export const SLACK_ACK_ACTION = 'nines_ack';

/** Slack's mrkdwn control characters (api.slack.com, "Formatting text": escape &, < and >). */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack errors that may pass: rate limits and Slack's own trouble. Anything else is a setup mistake. */
const RETRYABLE_ERRORS = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/**
 * A chat.postMessage body with Block Kit: a header, a section per alert (at most 10, the rest
 * counted), the incident link, and — while the group fires and its incident waits for an
 * acknowledgement — an Acknowledge button whose value names the incident. `text` is the
 * notification fallback Slack shows where blocks cannot be.
 */
export function slackMessage(p: NotificationPayload, channel: string, opts: { ackButton: boolean }): Record<string, unknown> {
  const shown = p.alerts.slice(0, 10);
  const icon = p.status === 'firing' ? (worstSeverity(p) === 'page' ? ':rotating_light:' : ':warning:') : ':white_check_mark:';
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${p.status === 'firing' ? `Firing: ${firing(p).length}` : 'Resolved'} · ${p.commonLabels.system ?? p.commonLabels.alertname ?? p.receiver}`, 150), emoji: true } },
    ...shown.map((a) => ({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`${a.status === 'firing' ? icon : ':white_check_mark:'} *${slackEscape(a.labels.alertname ?? 'alert')}*${a.labels.severity ? ` · ${slackEscape(a.labels.severity)}` : ''}${a.status === 'resolved' ? ' · resolved' : ''}\n${slackEscape(a.annotations.summary)}${a.flapping ? ` _(flapping ×${a.flapCount ?? 0})_` : ''}`, 3000),
      },
    })),
    ...(p.alerts.length > shown.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `and ${p.alerts.length - shown.length} more` }] }] : []),
  ];
  if (p.escalation) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Escalated: unacknowledged by ${slackEscape(p.escalation.from)} for ${Math.round(p.escalation.unacknowledgedForMs / 60_000)} min` }] });
  const buttons: Record<string, unknown>[] = [];
  if (opts.ackButton && p.status === 'firing' && p.incidentId !== undefined && p.ackUrl)
    buttons.push({ type: 'button', action_id: SLACK_ACK_ACTION, text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value: `incident:${p.incidentId}` });
  if (p.incidentUrl) buttons.push({ type: 'button', action_id: 'nines_open_incident', text: { type: 'plain_text', text: `Incident ${p.incidentId ?? ''}`.trim() }, url: p.incidentUrl });
  if (buttons.length) blocks.push({ type: 'actions', block_id: 'nines_actions', elements: buttons });
  return { channel, text: clip(headline(p), 3000), blocks, unfurl_links: false, unfurl_media: false };
}

/**
 * Slack Web API chat.postMessage with a bot token (`Authorization: Bearer xoxb-…`). Slack answers
 * 200 with `{ ok: false, error }` for most failures: `ratelimited` and Slack's internal errors are
 * retried, anything else (channel_not_found, not_in_channel, invalid_auth, …) is a mistake in the
 * setup and is dead-lettered. HTTP 429 carries Retry-After, which is honoured.
 */
export class SlackNotifier implements Notifier {
  private readonly http: ProviderHttp;
  private readonly url: URL;

  constructor(
    private readonly cfg: { token: string; channel: string; ackButton: boolean; url?: string } & ProviderEndpoint,
    clock?: Clock,
  ) {
    this.http = new ProviderHttp(cfg, [cfg.token], clock);
    this.url = endpointUrl(cfg.url ?? SLACK_URL, '/api/chat.postMessage');
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(slackMessage(p, this.cfg.channel, { ackButton: this.cfg.ackButton }));
    const res = await this.http.send(this.url, { headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${this.cfg.token}` }, body }, signal);
    const answer = jsonObject(res.text);
    if (res.status >= 200 && res.status < 300 && answer?.ok === true) return;
    if (res.status >= 200 && res.status < 300) {
      const error = typeof answer?.error === 'string' ? answer.error : 'an answer without ok: true';
      throw this.http.fail(this.url, res, error, RETRYABLE_ERRORS.has(error));
    }
    throw this.http.fail(this.url, res, typeof answer?.error === 'string' ? answer.error : undefined);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
