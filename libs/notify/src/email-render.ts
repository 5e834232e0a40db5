import type { NotificationPayload } from './notification';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Subject plus HTML and plain-text bodies that read well on a phone: one line per alert, links last. */
export function renderEmail(p: NotificationPayload, prefix = '[Nines]'): { subject: string; html: string; text: string } {
  const firing = p.alerts.filter((a) => a.status === 'firing');
  const resolved = p.alerts.filter((a) => a.status === 'resolved');
  const what = Object.entries(p.groupLabels).map(([, v]) => v).filter(Boolean).join(' ') || (p.alerts[0]?.labels.system ?? 'alerts');
  const head = p.status === 'firing' ? `FIRING ${firing.length}` : 'RESOLVED';
  const first = (firing[0] ?? resolved[0])?.annotations.summary ?? '';
  const subject = `${prefix} ${p.escalation ? 'ESCALATED ' : ''}${head} ${what}: ${first}`.slice(0, 200);
  const line = (a: NotificationPayload['alerts'][number]) =>
    `${a.status === 'firing' ? '🔴' : '✅'} ${a.labels.alertname ?? 'alert'} (${a.labels.severity ?? 'unknown'}): ${a.annotations.summary}${a.flapping ? ` — flapping ×${a.flapCount}` : ''}`;
  const textParts = [
    p.escalation ? `Escalated: not acknowledged by ${p.escalation.from} for ${Math.round(p.escalation.unacknowledgedForMs / 60000)} min.\n` : '',
    firing.length ? `Firing:\n${firing.map((a) => `  ${line(a)}\n    since ${a.startsAt}${a.annotations.reason ? `\n    reason: ${a.annotations.reason}` : ''}`).join('\n')}\n` : '',
    resolved.length ? `Resolved:\n${resolved.map((a) => `  ${line(a)}`).join('\n')}\n` : '',
    p.ackUrl ? `Acknowledge: ${p.ackUrl}` : '',
    p.incidentUrl ? `Incident: ${p.incidentUrl}` : '',
  ];
  const text = textParts.filter(Boolean).join('\n');
  const li = (a: NotificationPayload['alerts'][number]) =>
    `<li style="margin:0 0 12px 0"><b>${esc(a.labels.alertname ?? 'alert')}</b> <span style="color:#666">${esc(a.labels.severity ?? '')}</span><br>${esc(a.annotations.summary)}${a.flapping ? ` <i>(flapping ×${a.flapCount})</i>` : ''}<br><span style="color:#666;font-size:13px">since ${esc(a.startsAt)}${a.annotations.reason ? ` · ${esc(a.annotations.reason)}` : ''}</span></li>`;
  const button = (href: string, label: string, color: string) =>
    `<a href="${esc(href)}" style="display:inline-block;padding:12px 18px;margin:4px 8px 4px 0;background:${color};color:#fff;text-decoration:none;border-radius:6px;font-weight:bold">${label}</a>`;
  const html = `<!doctype html><html><head><meta name="viewport" content="width=device-width,initial-scale=1"><meta charset="utf-8"></head>
<body style="margin:0;padding:16px;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.4;color:#111;max-width:640px">
<h2 style="margin:0 0 12px 0;color:${p.status === 'firing' ? '#b00020' : '#0a7d32'}">${esc(head)} · ${esc(what)}</h2>
${p.escalation ? `<p><b>Escalated:</b> not acknowledged by ${esc(p.escalation.from)} for ${Math.round(p.escalation.unacknowledgedForMs / 60000)} min.</p>` : ''}
${firing.length ? `<h3 style="margin:16px 0 8px 0">Firing</h3><ul style="padding-left:18px;margin:0">${firing.map(li).join('')}</ul>` : ''}
${resolved.length ? `<h3 style="margin:16px 0 8px 0">Resolved</h3><ul style="padding-left:18px;margin:0">${resolved.map(li).join('')}</ul>` : ''}
<p style="margin-top:20px">${p.ackUrl ? button(p.ackUrl, 'Acknowledge', '#1a73e8') : ''}${p.incidentUrl ? button(p.incidentUrl, 'Open incident', '#444') : ''}</p>
</body></html>`;
  return { subject, html, text };
}
