import { systemClock, type Clock } from '../../../../libs/common/src/clock';
import type { NinesConfig } from '../../../../libs/config/src/config';
import { parseDuration } from '../../../../libs/common/src/duration';
import { EmailNotifier } from '../../../../libs/notify/src/email.notifier';
import type { Notifier } from '../../../../libs/notify/src/notification';
import { NtfyNotifier } from '../../../../libs/notify/src/ntfy.notifier';
import { OpsgenieNotifier } from '../../../../libs/notify/src/opsgenie.notifier';
import { PagerDutyNotifier } from '../../../../libs/notify/src/pagerduty.notifier';
import { SlackNotifier } from '../../../../libs/notify/src/slack.notifier';
import { TeamsNotifier } from '../../../../libs/notify/src/teams.notifier';
import { TelegramNotifier } from '../../../../libs/notify/src/telegram.notifier';
import { TwilioNotifier } from '../../../../libs/notify/src/twilio.notifier';
import { WebhookNotifier } from '../../../../libs/notify/src/webhook.notifier';
import { personReceiver } from '../../../../libs/alerting/src/routing-config';
import { personDelivery, type PersonContacts } from '../../../../libs/config/src/receivers';
import { WEEKLY_REPORT_RECEIVER } from '../../../../libs/reports/src/weekly-report';

/** A provider receiver's endpoint settings as the notifiers take them. */
const endpoint = (e: { url?: string; allow_private: boolean; timeout: string }) => ({ url: e.url, allowPrivate: e.allow_private, timeoutMs: parseDuration(e.timeout)! });

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
    if (r.pagerduty) out.set(`${r.name}/pagerduty`, new PagerDutyNotifier({ routingKey: r.pagerduty.routing_key, ...endpoint(r.pagerduty) }, clock));
    if (r.opsgenie) out.set(`${r.name}/opsgenie`, new OpsgenieNotifier({ apiKey: r.opsgenie.api_key, ...endpoint(r.opsgenie) }, clock));
    if (r.slack) out.set(`${r.name}/slack`, new SlackNotifier({ token: r.slack.token, channel: r.slack.channel, ackButton: !!r.slack.signing_secret, ...endpoint(r.slack) }, clock));
    if (r.teams) out.set(`${r.name}/teams`, new TeamsNotifier({ ...endpoint(r.teams), url: r.teams.url }, clock));
    if (r.telegram) out.set(`${r.name}/telegram`, new TelegramNotifier({ botToken: r.telegram.bot_token, chatId: r.telegram.chat_id, ...endpoint(r.telegram) }, clock));
    if (r.ntfy) out.set(`${r.name}/ntfy`, new NtfyNotifier({ topic: r.ntfy.topic, token: r.ntfy.token, ...endpoint(r.ntfy), url: r.ntfy.url }, clock));
    if (r.twilio) {
      const t = r.twilio;
      out.set(`${r.name}/twilio`, new TwilioNotifier({ accountSid: t.account_sid, authToken: t.auth_token, from: t.from, to: t.to ?? [], mode: t.mode, receiver: r.name, ...endpoint(t) }, clock));
    }
  }
  for (const [k, n] of personNotifiers(c.raw.people, c, clock)) out.set(k, n);
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

/**
 * People paged by an escalation policy (the config's, or those made over the API): each method
 * through its receiver's credentials, to the person's own address.
 */
export function personNotifiers(people: readonly (PersonContacts & { name: string })[], c: NinesConfig, clock: Clock = systemClock): Map<string, Notifier> {
  const out = new Map<string, Notifier>();
  const smtp = c.raw.smtp;
  for (const p of people) {
    for (const d of personDelivery(p, c.raw.alerting.receivers, !!smtp)) {
      const key = `${personReceiver(p.name)}/${d.method}`;
      const r = d.receiver;
      if (d.method === 'email' && smtp) {
        out.set(key, new EmailNotifier(
          { url: smtp.url, from: smtp.from, starttls: smtp.starttls, tlsVerify: smtp.tls_verify, username: smtp.username, password: smtp.password },
          [d.address],
        ));
      } else if ((d.method === 'phone' || d.method === 'sms') && r?.twilio) {
        const t = r.twilio;
        out.set(key, new TwilioNotifier({ accountSid: t.account_sid, authToken: t.auth_token, from: t.from, to: [d.address], mode: d.method === 'phone' ? 'voice' : 'sms', receiver: personReceiver(p.name), ...endpoint(t) }, clock));
      } else if (d.method === 'slack' && r?.slack) {
        // chat.postMessage to a user id posts in the app's direct message with that person.
        out.set(key, new SlackNotifier({ token: r.slack.token, channel: d.address, ackButton: !!r.slack.signing_secret, ...endpoint(r.slack) }, clock));
      } else if (d.method === 'telegram' && r?.telegram) {
        out.set(key, new TelegramNotifier({ botToken: r.telegram.bot_token, chatId: d.address, ...endpoint(r.telegram) }, clock));
      }
    }
  }
  return out;
}
