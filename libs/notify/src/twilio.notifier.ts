import type { Clock } from '../../common/src/clock';
import { alertLine, clip, firing, headline } from './alert-text';
import { NotifyError, type NotificationPayload, type Notifier } from './notification';
import { endpointUrl, jsonObject, ProviderHttp, type ProviderEndpoint } from './provider-http';

export const TWILIO_URL = 'https://api.twilio.com';

/** XML text content (TwiML). */
function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** An SMS body: the headline, a line per alert and the acknowledgement link, within 1600 characters. */
export function twilioSmsBody(p: NotificationPayload): string {
  const links = p.status === 'firing' && p.ackUrl ? `\nAck: ${p.ackUrl}` : '';
  const lines = p.alerts.length > 1 ? `\n${p.alerts.map(alertLine).join('\n')}` : '';
  return `${clip(`Nines ${headline(p)}${lines}`, 1600 - links.length)}${links}`;
}

/**
 * The TwiML of a call: the alert said twice (a person woken by the phone misses the first words),
 * in words rather than symbols, then a goodbye. Twilio's `Twiml` parameter takes at most 4000 characters.
 */
export function twilioCallTwiml(p: NotificationPayload): string {
  const f = firing(p);
  const spoken = clip(`Nines alert. ${f.length} firing. ${f.map((a) => a.annotations.summary).join('. ')}`.replace(/[_*#]/g, ' '), 1500);
  return `<Response><Say>${xmlEscape(spoken)}</Say><Pause length="1"/><Say>Again. ${xmlEscape(spoken)}</Say><Say>Acknowledge in Nines to stop the pages. Goodbye.</Say></Response>`;
}

/** The form a Messages or Calls create takes; null when there is nothing to send (a call is never made for a resolution). */
export function twilioForm(p: NotificationPayload, mode: 'sms' | 'voice', from: string, to: string): URLSearchParams | null {
  if (mode === 'voice') return p.status === 'firing' ? new URLSearchParams({ To: to, From: from, Twiml: twilioCallTwiml(p) }) : null;
  return new URLSearchParams({ To: to, From: from, Body: twilioSmsBody(p) });
}

/**
 * Twilio REST API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (SMS) or `…/Calls.json`
 * (voice, with inline TwiML), form-encoded, HTTP Basic auth as AccountSid:AuthToken. Each outbox
 * row carries one number (`recipient`), so a failed number is retried alone. Errors are
 * `{ code, message, more_info, status }`: 429 (20429) and 5xx are retried, other 4xx not.
 */
export class TwilioNotifier implements Notifier {
  private readonly http: ProviderHttp;
  private readonly auth: string;

  constructor(
    private readonly cfg: { accountSid: string; authToken: string; from: string; to: string[]; mode: 'sms' | 'voice'; receiver: string; url?: string } & ProviderEndpoint,
    clock?: Clock,
  ) {
    this.auth = Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64');
    this.http = new ProviderHttp(cfg, [cfg.authToken, this.auth], clock);
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const to = p.recipient ?? (this.cfg.to.length === 1 ? this.cfg.to[0] : undefined);
    if (!to) throw new NotifyError(`receiver ${this.cfg.receiver} has no number to ${this.cfg.mode === 'sms' ? 'text' : 'call'} (set twilio.to)`, false);
    const form = twilioForm(p, this.cfg.mode, this.cfg.from, to);
    if (!form) return;
    const url = endpointUrl(this.cfg.url ?? TWILIO_URL, `/2010-04-01/Accounts/${encodeURIComponent(this.cfg.accountSid)}/${this.cfg.mode === 'sms' ? 'Messages' : 'Calls'}.json`);
    const res = await this.http.send(url, { headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${this.auth}`, accept: 'application/json' }, body: form.toString() }, signal);
    if (res.status >= 200 && res.status < 300) return;
    const err = jsonObject(res.text);
    throw this.http.fail(url, res, err ? `${err.code ?? ''} ${err.message ?? ''}${err.more_info ? ` (${err.more_info})` : ''}`.trim() : undefined);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
