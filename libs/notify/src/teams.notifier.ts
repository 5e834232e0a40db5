import type { Clock } from '../../common/src/clock';
import { clip, firing, worstSeverity } from './alert-text';
import type { NotificationPayload, Notifier } from './notification';
import { jsonObject, ProviderHttp, type ProviderEndpoint } from './provider-http';

/**
 * The message a Teams Workflows webhook ("When a Teams webhook request is received", then "Post
 * card in a chat or channel") takes: a `message` whose one attachment is an Adaptive Card (schema
 * 1.4, which Teams renders): a title coloured by state, a fact per alert (at most 15), the
 * escalation if any, and buttons that open the incident and the acknowledgement page.
 */
export function teamsMessage(p: NotificationPayload): Record<string, unknown> {
  const f = firing(p);
  const title = p.status === 'firing' ? `Firing: ${f.length} alert${f.length === 1 ? '' : 's'} · ${p.commonLabels.system ?? p.commonLabels.alertname ?? p.receiver}` : `Resolved · ${p.commonLabels.system ?? p.commonLabels.alertname ?? p.receiver}`;
  const shown = p.alerts.slice(0, 15);
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: clip(title, 200), weight: 'Bolder', size: 'Medium', wrap: true, color: p.status === 'firing' ? (worstSeverity(p) === 'warning' ? 'Warning' : 'Attention') : 'Good' },
    {
      type: 'FactSet',
      facts: shown.map((a) => ({ title: `${a.labels.alertname ?? 'alert'}${a.status === 'resolved' ? ' (resolved)' : ''}`, value: clip(`${a.annotations.summary}${a.flapping ? ` (flapping ×${a.flapCount ?? 0})` : ''}`, 1000) })),
    },
  ];
  if (p.alerts.length > shown.length) body.push({ type: 'TextBlock', text: `and ${p.alerts.length - shown.length} more`, isSubtle: true, wrap: true });
  if (p.escalation) body.push({ type: 'TextBlock', text: `Escalated: unacknowledged by ${p.escalation.from} for ${Math.round(p.escalation.unacknowledgedForMs / 60_000)} min`, wrap: true, color: 'Attention' });
  const actions: Record<string, unknown>[] = [];
  if (p.incidentUrl) actions.push({ type: 'Action.OpenUrl', title: `Open incident ${p.incidentId ?? ''}`.trim(), url: p.incidentUrl });
  if (p.ackUrl && p.status === 'firing') actions.push({ type: 'Action.OpenUrl', title: 'Acknowledge', url: p.ackUrl });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, ...(actions.length ? { actions } : {}) },
      },
    ],
  };
}

/**
 * Microsoft Teams through a Workflows (Power Automate) webhook URL, which answers 202 Accepted.
 * The URL itself is the credential (its `sig` parameter), so it is masked in every error.
 */
export class TeamsNotifier implements Notifier {
  private readonly http: ProviderHttp;
  private readonly url: URL;

  constructor(cfg: { url: string } & ProviderEndpoint, clock?: Clock) {
    this.url = new URL(cfg.url);
    this.http = new ProviderHttp(cfg, [cfg.url, ...[...this.url.searchParams.values()].filter((v) => v.length >= 8)], clock);
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const res = await this.http.send(this.url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsMessage(p)) }, signal);
    if (res.status >= 200 && res.status < 300) return;
    const err = jsonObject(res.text);
    const inner = err?.error as { code?: string; message?: string } | undefined;
    throw this.http.fail(this.url, res, inner ? [inner.code, inner.message].filter(Boolean).join(': ') : undefined);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
