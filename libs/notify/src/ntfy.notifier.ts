import type { Clock } from '../../common/src/clock';
import { alertLine, clip, headline, worstSeverity } from './alert-text';
import type { NotificationPayload, Notifier } from './notification';
import { endpointUrl, jsonObject, ProviderHttp, type ProviderEndpoint } from './provider-http';

/** Nines' severities onto ntfy's priorities 1 (min) to 5 (max, "urgent"). */
const PRIORITY: Record<string, number> = { page: 5, critical: 4, warning: 3, info: 2 };

/**
 * An ntfy JSON publish (docs.ntfy.sh, "Publish as JSON"), POSTed to the server's root: topic,
 * title, message, priority by severity (a resolution is low, 2), tags that ntfy shows as emojis,
 * `click` opening the incident, and a view action that opens the acknowledgement page.
 */
export function ntfyMessage(p: NotificationPayload, topic: string): Record<string, unknown> {
  const severity = worstSeverity(p);
  const actions = p.ackUrl && p.status === 'firing' ? [{ action: 'view', label: 'Acknowledge', url: p.ackUrl, clear: true }] : [];
  return {
    topic,
    title: clip(headline(p), 250),
    message: clip(p.alerts.map(alertLine).join('\n'), 4000),
    priority: p.status === 'firing' ? (PRIORITY[severity] ?? 3) : 2,
    tags: p.status === 'firing' ? [severity === 'page' ? 'rotating_light' : 'warning', severity] : ['white_check_mark', 'resolved'],
    ...(p.incidentUrl ? { click: p.incidentUrl } : {}),
    ...(actions.length ? { actions } : {}),
  };
}

/**
 * ntfy (ntfy.sh or a self-hosted server): JSON publish with an optional access token
 * (`Authorization: Bearer tk_…`). Errors are `{ code, http, error }`; 429 and 5xx are retried.
 */
export class NtfyNotifier implements Notifier {
  private readonly http: ProviderHttp;
  private readonly url: URL;

  constructor(
    private readonly cfg: { url: string; topic: string; token?: string } & ProviderEndpoint,
    clock?: Clock,
  ) {
    this.http = new ProviderHttp(cfg, cfg.token ? [cfg.token] : [], clock);
    this.url = endpointUrl(cfg.url, '/');
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cfg.token) headers.authorization = `Bearer ${this.cfg.token}`;
    const res = await this.http.send(this.url, { headers, body: JSON.stringify(ntfyMessage(p, this.cfg.topic)) }, signal);
    if (res.status >= 200 && res.status < 300) return;
    const err = jsonObject(res.text);
    throw this.http.fail(this.url, res, typeof err?.error === 'string' ? `${err.error}${err.code ? ` (${err.code})` : ''}` : undefined);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
