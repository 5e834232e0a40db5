import type { Clock } from '../../common/src/clock';
import { alertLine, clip, groupDedupKey, headline, sourceOf, worstSeverity } from './alert-text';
import type { NotificationPayload, Notifier } from './notification';
import { endpointUrl, jsonObject, ProviderHttp, type ProviderEndpoint } from './provider-http';

export const OPSGENIE_URL = 'https://api.opsgenie.com';

/** Nines' severities onto Opsgenie's priorities P1 (highest) to P5. */
const PRIORITY: Record<string, string> = { page: 'P1', critical: 'P2', warning: 'P3', info: 'P5' };

export interface OpsgenieRequest {
  path: string;
  body: Record<string, unknown>;
}

/**
 * The Alert API request of a notification (docs.opsgenie.com, Alert API): a firing group creates
 * an alert whose `alias` is the group's key — Opsgenie keeps one open alert per alias, so a repeat
 * only raises its count — and a resolved group closes it by alias (`identifierType=alias`).
 * Limits: message 130 characters, alias 512, description 15,000, tags 20 of 50 characters.
 */
export function opsgenieRequest(p: NotificationPayload): OpsgenieRequest {
  const alias = groupDedupKey(p);
  if (p.kind === 'acknowledged') {
    return { path: `/v2/alerts/${encodeURIComponent(alias)}/acknowledge?identifierType=alias`, body: { source: 'Nines', ...(p.acknowledgedBy ? { user: clip(p.acknowledgedBy, 100) } : {}), note: 'Acknowledged in Nines' } };
  }
  if (p.status === 'resolved') {
    return { path: `/v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`, body: { source: 'Nines', note: clip(`Resolved: ${p.alerts.map(alertLine).join('; ')}`, 25_000) } };
  }
  const severity = worstSeverity(p);
  const details: Record<string, string> = { ...p.commonLabels };
  if (p.incidentUrl) details.incident_url = p.incidentUrl;
  if (p.ackUrl) details.ack_url = p.ackUrl;
  const description = [
    ...p.alerts.map(alertLine),
    ...(p.incidentUrl ? [`Incident: ${p.incidentUrl}`] : []),
    ...(p.ackUrl ? [`Acknowledge: ${p.ackUrl}`] : []),
  ].join('\n');
  const tags = ['nines', severity, ...(p.commonLabels.alertname ? [p.commonLabels.alertname] : [])].map((t) => clip(t, 50)).slice(0, 20);
  return {
    path: '/v2/alerts',
    body: {
      message: clip(headline(p), 130),
      alias,
      description: clip(description, 15_000),
      tags,
      details,
      entity: clip(sourceOf(p), 512),
      source: 'Nines',
      priority: PRIORITY[severity] ?? 'P3',
    },
  };
}

/**
 * Opsgenie Alert API with `Authorization: GenieKey <api_key>`. Requests are processed
 * asynchronously: 202 means accepted. 429 and 5xx are retried; 401/403/422 and other 4xx not.
 */
export class OpsgenieNotifier implements Notifier {
  private readonly http: ProviderHttp;

  constructor(
    private readonly cfg: { apiKey: string; url?: string } & ProviderEndpoint,
    clock?: Clock,
  ) {
    this.http = new ProviderHttp(cfg, [cfg.apiKey], clock);
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const r = opsgenieRequest(p);
    const url = endpointUrl(this.cfg.url ?? OPSGENIE_URL, r.path.split('?')[0]);
    url.search = r.path.includes('?') ? r.path.slice(r.path.indexOf('?')) : '';
    const res = await this.http.send(url, { headers: { 'content-type': 'application/json', authorization: `GenieKey ${this.cfg.apiKey}` }, body: JSON.stringify(r.body) }, signal);
    if (res.status >= 200 && res.status < 300) return;
    const err = jsonObject(res.text);
    const detail = err ? [err.message, err.errors ? JSON.stringify(err.errors) : undefined].filter(Boolean).join(' ') : undefined;
    throw this.http.fail(url, res, detail);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
