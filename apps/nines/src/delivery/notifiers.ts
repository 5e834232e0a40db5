import { systemClock, type Clock } from '../../../../libs/common/src/clock';
import type { NinesConfig } from '../../../../libs/config/src/config';
import { parseDuration } from '../../../../libs/common/src/duration';
import { EmailNotifier } from '../../../../libs/notify/src/email.notifier';
import type { Notifier } from '../../../../libs/notify/src/notification';
import { WebhookNotifier } from '../../../../libs/notify/src/webhook.notifier';
import { personReceiver } from '../../../../libs/alerting/src/routing-config';
import { WEEKLY_REPORT_RECEIVER } from '../../../../libs/reports/src/weekly-report';

/** One notifier per (receiver, channel), rebuilt on every config load. */
export function buildNotifiers(c: NinesConfig, clock: Clock = systemClock): Map<string, Notifier> {
  const out = new Map<string, Notifier>();
  const smtp = c.raw.smtp;
  for (const r of c.raw.alerting.receivers) {
    if (r.webhook) {
      out.set(`${r.name}/webhook`, new WebhookNotifier({
        url: r.webhook.url,
        format: r.webhook.format,
        secret: r.webhook.secret,
        allowPrivate: r.webhook.allow_private,
        headers: r.webhook.headers,
        timeoutMs: parseDuration(r.webhook.timeout)!,
      }, clock));
    }
    if (r.email && smtp) {
      out.set(`${r.name}/email`, new EmailNotifier(
        { url: smtp.url, from: smtp.from, starttls: smtp.starttls, tlsVerify: smtp.tls_verify, username: smtp.username, password: smtp.password },
        r.email.to,
        { from: r.email.from, subjectPrefix: r.email.subject_prefix },
      ));
    }
  }
  // People paged by an escalation policy: by email (their other methods come with their receivers).
  for (const p of c.raw.people) {
    if (!p.email || !smtp) continue;
    out.set(`${personReceiver(p.name)}/email`, new EmailNotifier(
      { url: smtp.url, from: smtp.from, starttls: smtp.starttls, tlsVerify: smtp.tls_verify, username: smtp.username, password: smtp.password },
      [p.email],
    ));
  }
  // The weekly report goes through the same outbox and queue as alerts, to reports.weekly.to.
  const weekly = c.raw.reports.weekly;
  if (weekly && smtp) {
    out.set(`${WEEKLY_REPORT_RECEIVER}/email`, new EmailNotifier(
      { url: smtp.url, from: smtp.from, starttls: smtp.starttls, tlsVerify: smtp.tls_verify, username: smtp.username, password: smtp.password },
      weekly.to,
    ));
  }
  return out;
}
