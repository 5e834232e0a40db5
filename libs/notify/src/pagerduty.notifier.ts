import type { Clock } from '../../common/src/clock';
import { alertLine, clip, groupDedupKey, headline, sourceOf, worstSeverity } from './alert-text';
import type { NotificationPayload, Notifier } from './notification';
import { endpointUrl, jsonObject, ProviderHttp, type ProviderEndpoint } from './provider-http';

export const PAGERDUTY_URL = 'https://events.pagerduty.com';

/** Nines' severities onto the Events API's four (critical, error, warning, info). */
const SEVERITY: Record<string, string> = { page: 'critical', critical: 'error', warning: 'warning', info: 'info' };

/**
 * One Events API v2 event for a notification (developer.pagerduty.com, "Send an Alert Event"):
 * a firing group triggers, a resolved one resolves; both carry the group's dedup_key, so
 * PagerDuty folds repeats into the alert the first trigger opened and the resolve closes it.
 * Only a trigger has a payload (summary ≤ 1024 characters, source, severity).
 */
export function pagerdutyEvent(p: NotificationPayload, routingKey: string): Record<string, unknown> {
  const dedup_key = groupDedupKey(p);
  if (p.kind === 'acknowledged') return { routing_key: routingKey, event_action: 'acknowledge', dedup_key };
  if (p.status === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key };
  const first = p.alerts.find((a) => a.status === 'firing') ?? p.alerts[0];
  const links = [
    ...(p.incidentUrl ? [{ href: p.incidentUrl, text: `Nines incident ${p.incidentId ?? ''}`.trim() }] : []),
    ...(p.ackUrl ? [{ href: p.ackUrl, text: 'Acknowledge in Nines' }] : []),
  ];
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: clip(headline(p), 1024),
      source: sourceOf(p),
      severity: SEVERITY[worstSeverity(p)] ?? 'warning',
      timestamp: first?.startsAt,
      component: p.commonLabels.member ?? p.commonLabels.target,
      group: p.commonLabels.system,
      class: p.commonLabels.alertname,
      custom_details: {
        alerts: p.alerts.map(alertLine),
        labels: p.commonLabels,
        ...(p.escalation ? { escalated_from: p.escalation.from } : {}),
      },
    },
    client: 'Nines',
    client_url: p.incidentUrl ?? p.externalUrl,
    links,
  };
}

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): 202 is accepted; 400 is an invalid event (not
 * retried); 429 and 5xx are retried, as PagerDuty's retry guidance asks.
 */
export class PagerDutyNotifier implements Notifier {
  private readonly http: ProviderHttp;
  private readonly url: URL;

  constructor(
    private readonly cfg: { routingKey: string; url?: string } & ProviderEndpoint,
    clock?: Clock,
  ) {
    this.http = new ProviderHttp(cfg, [cfg.routingKey], clock);
    this.url = endpointUrl(cfg.url ?? PAGERDUTY_URL, '/v2/enqueue');
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(pagerdutyEvent(p, this.cfg.routingKey));
    const res = await this.http.send(this.url, { headers: { 'content-type': 'application/json' }, body }, signal);
    if (res.status >= 200 && res.status < 300) return; // 202: accepted for processing
    const err = jsonObject(res.text);
    const detail = err ? [err.message, ...(Array.isArray(err.errors) ? err.errors : [])].filter(Boolean).join('; ') : undefined;
    throw this.http.fail(this.url, res, detail);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

