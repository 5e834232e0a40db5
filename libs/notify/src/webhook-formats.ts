import type { NotificationPayload } from './notification';

/**
 * Body formats. `standard` is Nines' own stable schema (version 1); `alertmanager` is the
 * Alertmanager webhook v4 payload so existing receivers work unchanged; `slack` is an incoming
 * webhook message.
 */
export function renderBody(format: 'standard' | 'alertmanager' | 'slack', p: NotificationPayload): unknown {
  if (format === 'alertmanager') {
    return {
      version: '4',
      groupKey: p.groupKey,
      truncatedAlerts: 0,
      status: p.status,
      receiver: p.receiver,
      groupLabels: p.groupLabels,
      commonLabels: p.commonLabels,
      commonAnnotations: p.commonAnnotations,
      externalURL: p.externalUrl,
      alerts: p.alerts.map((a) => ({
        status: a.status,
        labels: a.labels,
        annotations: { ...a.annotations, ...(a.incidentUrl ? { incident_url: a.incidentUrl } : {}), ...(p.ackUrl ? { ack_url: p.ackUrl } : {}) },
        startsAt: a.startsAt,
        endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: a.incidentUrl ?? p.externalUrl,
        fingerprint: a.fingerprint,
      })),
    };
  }
  if (format === 'slack') {
    const firing = p.alerts.filter((a) => a.status === 'firing');
    const icon = p.status === 'firing' ? ':rotating_light:' : ':white_check_mark:';
    const head = `${icon} ${p.status === 'firing' ? `${firing.length} firing` : 'resolved'}${p.escalation ? ` (escalated: unacknowledged by ${p.escalation.from})` : ''}`;
    const lines = p.alerts.map((a) => `• *${a.labels.alertname ?? 'alert'}* ${a.status === 'resolved' ? '(resolved) ' : ''}${a.annotations.summary}${a.flapping ? ` _(flapping ×${a.flapCount})_` : ''}`);
    const links = [p.incidentUrl ? `<${p.incidentUrl}|incident>` : undefined, p.ackUrl ? `<${p.ackUrl}|acknowledge>` : undefined].filter(Boolean).join(' · ');
    return { text: `${head}\n${lines.join('\n')}${links ? `\n${links}` : ''}` };
  }
  return {
    schema: 'nines.notification.v1',
    id: p.id,
    status: p.status,
    receiver: p.receiver,
    group_key: p.groupKey,
    group_labels: p.groupLabels,
    common_labels: p.commonLabels,
    alerts: p.alerts.map((a) => ({
      fingerprint: a.fingerprint,
      status: a.status,
      labels: a.labels,
      summary: a.annotations.summary,
      reason: a.annotations.reason,
      starts_at: a.startsAt,
      ends_at: a.endsAt,
      incident_id: a.incidentId,
      incident_url: a.incidentUrl,
      flapping: a.flapping,
      flap_count: a.flapCount,
    })),
    incident_url: p.incidentUrl,
    ack_url: p.ackUrl,
    escalation: p.escalation ? { from: p.escalation.from, unacknowledged_for_seconds: Math.round(p.escalation.unacknowledgedForMs / 1000) } : undefined,
  };
}
