import type { Clock } from '../../common/src/clock';
import { alertLine, headline } from './alert-text';
import type { NotificationPayload, Notifier } from './notification';
import { endpointUrl, jsonObject, ProviderHttp, type ProviderEndpoint } from './provider-http';

export const TELEGRAM_URL = 'https://api.telegram.org';
/** sendMessage's limit on text after entity parsing. */
const MAX_TEXT = 4096;

/**
 * The Bot API's HTML style: every <, > and & that is not markup must be an entity (and " inside
 * an attribute value).
 */
export function telegramEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A sendMessage body with `parse_mode: HTML`: the headline in bold, a line per alert, and links to
 * the incident and the acknowledgement page. Lines are dropped from the end (and counted) rather
 * than cutting a tag in half when the text would pass 4096 characters.
 */
export function telegramMessage(p: NotificationPayload, chatId: string): Record<string, unknown> {
  const head = `<b>${telegramEscape(headline(p))}</b>`;
  const links = [
    ...(p.incidentUrl ? [`<a href="${telegramEscape(p.incidentUrl)}">Incident ${p.incidentId ?? ''}</a>`] : []),
    ...(p.ackUrl && p.status === 'firing' ? [`<a href="${telegramEscape(p.ackUrl)}">Acknowledge</a>`] : []),
  ].join(' · ');
  const lines = p.alerts.map((a) => `• ${telegramEscape(alertLine(a))}`);
  const build = (n: number) => [head, ...lines.slice(0, n), ...(n < lines.length ? [`and ${lines.length - n} more`] : []), ...(links ? [links] : [])].join('\n');
  let n = lines.length;
  let text = build(n);
  while (text.length > MAX_TEXT && n > 0) text = build(--n);
  return { chat_id: chatId, text, parse_mode: 'HTML', link_preview_options: { is_disabled: true } };
}

/**
 * Telegram Bot API `POST /bot<token>/sendMessage`. Answers `{ ok, result }` or `{ ok: false,
 * error_code, description, parameters? }`; 429 carries `parameters.retry_after` (seconds), which
 * is honoured. The token travels in the path, so it is masked in every error.
 */
export class TelegramNotifier implements Notifier {
  private readonly http: ProviderHttp;
  private readonly url: URL;

  constructor(
    private readonly cfg: { botToken: string; chatId: string; url?: string } & ProviderEndpoint,
    clock?: Clock,
  ) {
    this.http = new ProviderHttp(cfg, [cfg.botToken], clock);
    this.url = endpointUrl(cfg.url ?? TELEGRAM_URL, `/bot${cfg.botToken}/sendMessage`);
  }

  async send(p: NotificationPayload, signal: AbortSignal): Promise<void> {
    const res = await this.http.send(this.url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(telegramMessage(p, this.cfg.chatId)) }, signal);
    const answer = jsonObject(res.text);
    if (res.status >= 200 && res.status < 300 && answer?.ok === true) return;
    const params = answer?.parameters as { retry_after?: number } | undefined;
    const retryAfter = typeof params?.retry_after === 'number' ? params.retry_after * 1000 : undefined;
    throw this.http.fail(this.url, res, typeof answer?.description === 'string' ? answer.description : undefined, undefined, retryAfter);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
