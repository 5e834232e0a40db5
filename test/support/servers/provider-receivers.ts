import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { startRestartableServer } from './restartable-server';

/**
 * Local stand-ins for the providers Nines notifies, written from each provider's published API
 * reference (not from any client library): each checks a request's path, auth and body against
 * that API's rules and answers as the API documents, with its own success and error bodies.
 *
 * - PagerDuty Events API v2: `POST /v2/enqueue`, routing_key (32 characters) in the body, 202
 *   `{status: "success", message: "Event processed", dedup_key}`, 400 `{status: "invalid event",
 *   message: "Event object is invalid", errors: [...]}`, 429 without a body.
 * - Opsgenie Alert API: `Authorization: GenieKey <key>`, `POST /v2/alerts`, `POST
 *   /v2/alerts/{id}/close|acknowledge?identifierType=id|alias|tiny`; 202 `{result: "Request will
 *   be processed", took, requestId}`; 422 for a key of the wrong format or a semantic error, 401
 *   for a wrong key.
 * - Slack Web API: `POST /api/chat.postMessage`, `Authorization: Bearer xoxb-…`; HTTP 200 with `{ok:
 *   false, error}` (not_authed, invalid_auth, channel_not_found, invalid_blocks, no_text); 429
 *   with Retry-After and `{ok: false, error: "ratelimited"}`.
 * - Teams Workflows webhook: the URL's `sig` query parameter is the credential; the body is a
 *   `message` with an Adaptive Card attachment; 202 Accepted.
 * - Telegram Bot API: `POST /bot<token>/sendMessage`; `{ok: true, result}` or `{ok: false,
 *   error_code, description, parameters?}`; HTML entities parsed as the Bot API describes.
 * - ntfy: JSON publish to `/`, optional `Authorization: Bearer`; errors `{code, http, error, link}`.
 * - Twilio REST API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json|Calls.json`,
 *   form-encoded, HTTP Basic AccountSid:AuthToken; 201 with the resource; errors `{code,
 *   message, more_info, status}` (20003 Authenticate, 21211 invalid To, 21602 no Body, 20429).
 */
export type ProviderKind = 'pagerduty' | 'opsgenie' | 'slack' | 'teams' | 'telegram' | 'ntfy' | 'twilio';

export interface ProviderHit {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: string;
  /** The parsed body: JSON, or the form's fields for Twilio. */
  body: any;
  status: number;
  answer: any;
  /** True when the provider would have acted on it (accepted: 2xx with ok). */
  accepted: boolean;
}

/** A forced answer for the n-th request: the provider's own rate-limit, server-error or invalid-request answer. */
export type Forced = 'rate_limited' | 'server_error' | 'bad_request' | undefined;

export interface ProviderReceiver {
  kind: ProviderKind;
  port: number;
  /** The base URL to put in the receiver's `url` (Teams: the whole workflow URL, signed). */
  url: string;
  hits: ProviderHit[];
  accepted(): ProviderHit[];
  /** Forces answers: called with the request's index (0-based) among all requests. */
  force(fn: (n: number) => Forced): void;
  /** Stops listening (connections refused) until up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface ProviderCredentials {
  pagerduty?: { routingKey: string };
  opsgenie?: { apiKey: string };
  slack?: { token: string; channels: string[] };
  teams?: { sig: string };
  telegram?: { botToken: string; chatIds: string[] };
  ntfy?: { token?: string; topics: string[] };
  twilio?: { accountSid: string; authToken: string };
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });

// ---------------------------------------------------------------------------------------------
// PagerDuty Events API v2

const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'];
const PD_ACTIONS = ['trigger', 'acknowledge', 'resolve'];

function pagerduty(c: NonNullable<ProviderCredentials['pagerduty']>, h: ProviderHit, forced: Forced): Reply {
  const invalid = (...errors: string[]) => json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
  if (forced === 'rate_limited') return { status: 429 };
  if (forced === 'server_error') return json(500, { status: 'unavailable', message: 'internal error' });
  if (forced === 'bad_request') return invalid("'payload.summary' is missing or blank");
  if (h.method !== 'POST' || h.path !== '/v2/enqueue') return json(404, { status: 'not found' });
  const e = h.body;
  if (!e || typeof e !== 'object') return json(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid JSON'] });
  const errors: string[] = [];
  if (typeof e.routing_key !== 'string' || !e.routing_key) errors.push("'routing_key' is missing or blank");
  else if (e.routing_key.length !== 32) errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (e.routing_key !== c.routingKey) errors.push('Invalid routing key');
  if (!PD_ACTIONS.includes(e.event_action)) errors.push("'event_action' is missing or invalid");
  if (e.dedup_key !== undefined && (typeof e.dedup_key !== 'string' || e.dedup_key.length > 255)) errors.push("'dedup_key' must be a string of at most 255 characters");
  if (e.event_action !== 'trigger' && !e.dedup_key) errors.push("'dedup_key' is required for acknowledge and resolve");
  if (e.event_action === 'trigger') {
    const p = e.payload;
    if (!p || typeof p !== 'object') errors.push("'payload' is missing");
    else {
      if (typeof p.summary !== 'string' || !p.summary) errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
      if (typeof p.source !== 'string' || !p.source) errors.push("'payload.source' is missing or blank");
      if (!PD_SEVERITIES.includes(p.severity)) errors.push("'payload.severity' must be critical, error, warning or info");
      if (p.timestamp !== undefined && Number.isNaN(Date.parse(p.timestamp))) errors.push("'payload.timestamp' is not ISO 8601");
    }
  }
  if (errors.length) return invalid(...errors);
  return json(202, { status: 'success', message: 'Event processed', dedup_key: e.dedup_key ?? randomUUID().replace(/-/g, '') });
}

// ---------------------------------------------------------------------------------------------
// Opsgenie Alert API

function opsgenie(c: NonNullable<ProviderCredentials['opsgenie']>, h: ProviderHit, forced: Forced): Reply {
  const took = 0.01;
  const requestId = randomUUID();
  if (forced === 'rate_limited') return json(429, { message: 'You are making too many requests! To avoid errors, we recommend you limit requests.', took, requestId });
  if (forced === 'server_error') return json(500, { message: 'Internal Server Error', took, requestId });
  if (forced === 'bad_request') return json(422, { message: 'Request body is not processable. Please check the errors.', errors: { message: 'Message can not be empty.' }, took, requestId });
  const auth = String(h.headers.authorization ?? '');
  const m = /^GenieKey (\S+)$/.exec(auth);
  if (!m) return json(401, { message: 'Could not authenticate', took, requestId });
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(m[1])) return json(422, { message: 'Key format is not valid!', took, requestId });
  if (m[1] !== c.apiKey) return json(401, { message: 'Could not authenticate', took, requestId });
  if (h.method !== 'POST') return json(405, { message: 'Method not allowed', took, requestId });
  const unprocessable = (errors: Record<string, string>) => json(422, { message: 'Request body is not processable. Please check the errors.', errors, took, requestId });
  if (h.body === undefined) return json(400, { message: 'Invalid JSON body', took, requestId });
  if (h.path === '/v2/alerts') {
    const a = h.body;
    const errors: Record<string, string> = {};
    if (typeof a.message !== 'string' || !a.message.trim()) errors.message = 'Message can not be empty.';
    else if (a.message.length > 130) errors.message = 'Message can not be longer than 130 characters.';
    if (a.alias !== undefined && (typeof a.alias !== 'string' || a.alias.length > 512)) errors.alias = 'Alias can not be longer than 512 characters.';
    if (a.description !== undefined && String(a.description).length > 15000) errors.description = 'Description can not be longer than 15000 characters.';
    if (a.priority !== undefined && !/^P[1-5]$/.test(a.priority)) errors.priority = 'Priority should be one of [P1, P2, P3, P4, P5]';
    if (a.tags !== undefined && (!Array.isArray(a.tags) || a.tags.length > 20 || a.tags.some((t: unknown) => typeof t !== 'string' || t.length > 50))) errors.tags = 'Tags can have at most 20 entries of 50 characters.';
    if (a.details !== undefined && (typeof a.details !== 'object' || Object.values(a.details).some((v) => typeof v !== 'string'))) errors.details = 'Details must be a map of strings.';
    if (Object.keys(errors).length) return unprocessable(errors);
    return json(202, { result: 'Request will be processed', took, requestId });
  }
  const action = /^\/v2\/alerts\/([^/]+)\/(close|acknowledge)$/.exec(h.path);
  if (action) {
    const type = h.query.get('identifierType') ?? 'id';
    if (!['id', 'alias', 'tiny'].includes(type)) return unprocessable({ identifierType: 'identifierType should be one of [id, alias, tiny]' });
    if (decodeURIComponent(action[1]).length > 512) return unprocessable({ identifier: 'Identifier can not be longer than 512 characters.' });
    return json(202, { result: 'Request will be processed', took, requestId });
  }
  return json(404, { message: 'Could not find handler', took, requestId });
}

// ---------------------------------------------------------------------------------------------
// Slack Web API chat.postMessage (Block Kit)

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'actions', 'divider', 'image', 'rich_text']);

function blocksError(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > 50) return 'no more than 50 blocks';
  for (const [i, b] of blocks.entries()) {
    const where = `[json-pointer:/blocks/${i}]`;
    if (!b || typeof b !== 'object' || !BLOCK_TYPES.has(b.type)) return `unsupported type ${where}`;
    if (b.block_id !== undefined && (typeof b.block_id !== 'string' || b.block_id.length > 255)) return `block_id too long ${where}`;
    if (b.type === 'header' && (b.text?.type !== 'plain_text' || typeof b.text.text !== 'string' || b.text.text.length > 150)) return `header text must be plain_text of at most 150 characters ${where}`;
    if (b.type === 'section' && (!['plain_text', 'mrkdwn'].includes(b.text?.type) || typeof b.text.text !== 'string' || !b.text.text || b.text.text.length > 3000)) return `section text must be 1-3000 characters ${where}`;
    if (b.type === 'context' && (!Array.isArray(b.elements) || !b.elements.length || b.elements.length > 10)) return `context needs 1-10 elements ${where}`;
    if (b.type === 'actions') {
      if (!Array.isArray(b.elements) || !b.elements.length || b.elements.length > 25) return `actions needs 1-25 elements ${where}`;
      for (const e of b.elements) {
        if (e.type !== 'button') return `unsupported element ${where}`;
        if (e.text?.type !== 'plain_text' || typeof e.text.text !== 'string' || e.text.text.length > 75) return `button text must be plain_text of at most 75 characters ${where}`;
        if (e.action_id !== undefined && (typeof e.action_id !== 'string' || e.action_id.length > 255)) return `action_id too long ${where}`;
        if (e.value !== undefined && (typeof e.value !== 'string' || e.value.length > 2000)) return `value too long ${where}`;
        if (e.url !== undefined && (typeof e.url !== 'string' || e.url.length > 3000)) return `url too long ${where}`;
        if (e.style !== undefined && !['primary', 'danger'].includes(e.style)) return `style must be primary or danger ${where}`;
      }
      const ids = b.elements.map((e: { action_id?: string }) => e.action_id).filter(Boolean);
      if (new Set(ids).size !== ids.length) return `action_id must be unique in a block ${where}`;
    }
  }
  return undefined;
}

function slack(c: NonNullable<ProviderCredentials['slack']>, h: ProviderHit, forced: Forced): Reply {
  if (forced === 'rate_limited') return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
  if (forced === 'server_error') return json(503, { ok: false, error: 'service_unavailable' });
  if (forced === 'bad_request') return json(200, { ok: false, error: 'channel_not_found' });
  if (h.path !== '/api/chat.postMessage') return json(404, { ok: false, error: 'unknown_method' });
  const auth = String(h.headers.authorization ?? '');
  if (!auth) return json(200, { ok: false, error: 'not_authed' });
  if (auth !== `Bearer ${c.token}`) return json(200, { ok: false, error: 'invalid_auth' });
  if (!/^application\/json/.test(String(h.headers['content-type'] ?? ''))) return json(200, { ok: false, error: 'invalid_form_data' });
  const m = h.body;
  if (!m || typeof m !== 'object') return json(200, { ok: false, error: 'invalid_json' });
  if (!c.channels.includes(m.channel)) return json(200, { ok: false, error: 'channel_not_found' });
  if (!m.text && !m.blocks) return json(200, { ok: false, error: 'no_text' });
  if (typeof m.text === 'string' && m.text.length > 40000) return json(200, { ok: false, error: 'msg_too_long' });
  if (m.blocks !== undefined) {
    const bad = blocksError(m.blocks);
    if (bad) return json(200, { ok: false, error: 'invalid_blocks', errors: [bad] });
  }
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  return json(200, { ok: true, channel: 'C0NINES01', ts, message: { type: 'message', text: m.text, blocks: m.blocks, ts, bot_id: 'B0NINES01' } });
}

// ---------------------------------------------------------------------------------------------
// Microsoft Teams Workflows webhook (Adaptive Card)

function cardError(m: any): string | undefined {
  if (m?.type !== 'message') return "the body's type must be message";
  if (!Array.isArray(m.attachments) || !m.attachments.length) return 'attachments must hold the card';
  for (const a of m.attachments) {
    if (a.contentType !== 'application/vnd.microsoft.card.adaptive') return `unsupported contentType ${a.contentType}`;
    const c = a.content;
    if (c?.type !== 'AdaptiveCard') return 'content.type must be AdaptiveCard';
    if (typeof c.version !== 'string' || !/^1\.[0-6]$/.test(c.version)) return 'content.version must be 1.0-1.6';
    if (!Array.isArray(c.body)) return 'content.body must be an array';
    for (const el of c.body) {
      if (!['TextBlock', 'FactSet', 'ColumnSet', 'Container', 'Image', 'RichTextBlock'].includes(el?.type)) return `unknown element ${el?.type}`;
      if (el.type === 'TextBlock' && typeof el.text !== 'string') return 'TextBlock needs text';
      if (el.type === 'FactSet' && (!Array.isArray(el.facts) || el.facts.some((f: any) => typeof f.title !== 'string' || typeof f.value !== 'string'))) return 'FactSet facts need title and value strings';
    }
    for (const act of c.actions ?? []) {
      if (act.type !== 'Action.OpenUrl' || typeof act.url !== 'string' || typeof act.title !== 'string') return 'actions must be Action.OpenUrl with title and url';
    }
  }
  return undefined;
}

function teams(c: NonNullable<ProviderCredentials['teams']>, h: ProviderHit, forced: Forced): Reply {
  if (forced === 'rate_limited') return json(429, { error: { code: 'WorkflowTriggerIsThrottled', message: 'The workflow trigger is throttled.' } }, { 'retry-after': '1' });
  if (forced === 'server_error') return json(502, { error: { code: 'BadGateway', message: 'The server did not receive a response from an upstream server.' } });
  if (forced === 'bad_request') return json(400, { error: { code: 'InvalidRequestContent', message: 'The request content is not valid.' } });
  if (h.query.get('sig') !== c.sig) return json(401, { error: { code: 'DirectApiInvalidAuthorizationSignature', message: 'The provided authorization signature is not valid.' } });
  if (h.body === undefined) return json(400, { error: { code: 'InvalidRequestContent', message: 'The request content is not valid JSON.' } });
  const bad = cardError(h.body);
  if (bad) return json(400, { error: { code: 'InvalidRequestContent', message: bad } });
  return { status: 202 };
}

// ---------------------------------------------------------------------------------------------
// Telegram Bot API sendMessage (parse_mode HTML)

const TG_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/** Parses Bot API HTML as the docs describe; answers the error description on the first problem. */
export function telegramHtmlError(text: string): string | undefined {
  const stack: string[] = [];
  const bytes = (i: number) => Buffer.byteLength(text.slice(0, i));
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(text.slice(i));
      if (!m) return `Bad Request: can't parse entities: Unsupported HTML entity at byte offset ${bytes(i)}`;
      i += m[0].length - 1;
    } else if (ch === '<') {
      const m = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/i.exec(text.slice(i));
      if (!m) return `Bad Request: can't parse entities: Unsupported start tag at byte offset ${bytes(i)}`;
      const [whole, close, tag] = m;
      if (!TG_TAGS.has(tag.toLowerCase())) return `Bad Request: can't parse entities: Unsupported start tag "${tag}" at byte offset ${bytes(i)}`;
      if (close) {
        if (stack.pop() !== tag.toLowerCase()) return `Bad Request: can't parse entities: Unexpected end tag at byte offset ${bytes(i)}`;
      } else stack.push(tag.toLowerCase());
      i += whole.length - 1;
    } else if (ch === '>') {
      return `Bad Request: can't parse entities: Unexpected end of name token at byte offset ${bytes(i)}`;
    }
  }
  if (stack.length) return `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "${stack.at(-1)}"`;
  return undefined;
}

function telegram(c: NonNullable<ProviderCredentials['telegram']>, h: ProviderHit, forced: Forced): Reply {
  if (forced === 'rate_limited') return json(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
  if (forced === 'server_error') return json(502, { ok: false, error_code: 502, description: 'Bad Gateway' });
  if (forced === 'bad_request') return json(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
  const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(h.path);
  if (!m) return json(404, { ok: false, error_code: 404, description: 'Not Found' });
  if (decodeURIComponent(m[1]) !== c.botToken) return json(401, { ok: false, error_code: 401, description: 'Unauthorized' });
  if (m[2] !== 'sendMessage') return json(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
  const b = h.body;
  if (!b || typeof b !== 'object') return json(400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
  if (b.chat_id === undefined || b.chat_id === '') return json(400, { ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' });
  if (!c.chatIds.includes(String(b.chat_id))) return json(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
  if (typeof b.text !== 'string' || !b.text.trim()) return json(400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
  if (b.parse_mode !== undefined && !['HTML', 'Markdown', 'MarkdownV2'].includes(b.parse_mode)) return json(400, { ok: false, error_code: 400, description: `Bad Request: unsupported parse_mode` });
  if (b.parse_mode === 'HTML') {
    const bad = telegramHtmlError(b.text);
    if (bad) return json(400, { ok: false, error_code: 400, description: bad });
  }
  const plain = b.parse_mode === 'HTML' ? b.text.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&') : b.text;
  if (plain.length > 4096) return json(400, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
  return json(200, { ok: true, result: { message_id: h.at % 100000, from: { id: 1, is_bot: true, first_name: 'Nines' }, chat: { id: Number(b.chat_id) || b.chat_id, type: 'private' }, date: Math.floor(h.at / 1000), text: plain } });
}

// ---------------------------------------------------------------------------------------------
// ntfy JSON publish

function ntfy(c: NonNullable<ProviderCredentials['ntfy']>, h: ProviderHit, forced: Forced): Reply {
  const err = (http: number, code: number, error: string) => json(http, { code, http, error, link: 'https://ntfy.sh/docs/publish/' });
  if (forced === 'rate_limited') return err(429, 42901, 'limit reached: too many requests');
  if (forced === 'server_error') return err(500, 50001, 'internal server error');
  if (forced === 'bad_request') return err(400, 40007, 'invalid request: priority invalid');
  if (h.method !== 'POST' || h.path !== '/') return err(404, 40401, 'page not found');
  const auth = h.headers.authorization;
  if (c.token) {
    if (!auth) return err(403, 40301, 'forbidden');
    if (auth !== `Bearer ${c.token}`) return err(401, 40101, 'unauthorized');
  }
  const b = h.body;
  if (!b || typeof b !== 'object') return err(400, 40024, 'invalid request: invalid JSON');
  if (typeof b.topic !== 'string' || !/^[-_A-Za-z0-9]{1,64}$/.test(b.topic)) return err(400, 40009, 'invalid request: topic invalid');
  if (!c.topics.includes(b.topic)) return err(403, 40301, 'forbidden');
  if (b.priority !== undefined && (!Number.isInteger(b.priority) || b.priority < 1 || b.priority > 5)) return err(400, 40007, 'invalid request: priority invalid');
  if (b.tags !== undefined && (!Array.isArray(b.tags) || b.tags.some((t: unknown) => typeof t !== 'string'))) return err(400, 40024, 'invalid request: tags invalid');
  if (b.click !== undefined && !/^https?:\/\//.test(b.click)) return err(400, 40013, 'invalid request: click URL invalid');
  if (b.actions !== undefined) {
    if (!Array.isArray(b.actions) || b.actions.length > 3) return err(400, 40018, 'invalid request: actions invalid, too many actions');
    if (b.actions.some((a: any) => !['view', 'http', 'broadcast', 'copy'].includes(a?.action) || typeof a.label !== 'string' || (a.action === 'view' && typeof a.url !== 'string'))) return err(400, 40018, 'invalid request: actions invalid');
  }
  return json(200, { id: randomUUID().slice(0, 12), time: Math.floor(h.at / 1000), expires: Math.floor(h.at / 1000) + 43200, event: 'message', topic: b.topic, title: b.title, message: b.message ?? 'triggered', priority: b.priority, tags: b.tags, click: b.click, actions: b.actions });
}

// ---------------------------------------------------------------------------------------------
// Twilio REST API (Messages, Calls)

function twilio(c: NonNullable<ProviderCredentials['twilio']>, h: ProviderHit, forced: Forced): Reply {
  const err = (status: number, code: number, message: string) => json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  if (forced === 'rate_limited') return err(429, 20429, 'Too Many Requests');
  if (forced === 'server_error') return err(503, 20503, 'Service Unavailable');
  if (forced === 'bad_request') return err(400, 21211, "The 'To' number +10000000000 is not a valid phone number.");
  const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(h.path);
  if (!m) return err(404, 20404, 'The requested resource was not found');
  const basic = /^Basic (\S+)$/.exec(String(h.headers.authorization ?? ''));
  const [user, pass] = basic ? Buffer.from(basic[1], 'base64').toString().split(/:(.*)/s) : [];
  if (user !== c.accountSid || pass !== c.authToken) return err(401, 20003, 'Authenticate');
  if (m[1] !== c.accountSid) return err(403, 20003, 'Authenticate');
  if (!/^application\/x-www-form-urlencoded/.test(String(h.headers['content-type'] ?? ''))) return err(400, 20001, 'Unsupported Content-Type');
  const f: Record<string, string> = h.body;
  const e164 = /^\+[1-9]\d{6,14}$/;
  if (!f.To) return err(400, 21604, "A 'To' phone number is required.");
  if (!e164.test(f.To)) return err(400, 21211, `The 'To' number ${f.To} is not a valid phone number.`);
  if (!f.From) return err(400, 21603, "A 'From' phone number is required.");
  const sid = (p: string) => `${p}${randomUUID().replace(/-/g, '')}`;
  if (m[2] === 'Messages') {
    if (!f.Body && !f.MediaUrl) return err(400, 21602, 'Message body is required.');
    if ((f.Body ?? '').length > 1600) return err(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    return json(201, { sid: sid('SM'), account_sid: c.accountSid, to: f.To, from: f.From, body: f.Body, status: 'queued', num_segments: String(Math.ceil((f.Body ?? '').length / 153) || 1), api_version: '2010-04-01', uri: `${h.path.replace(/\.json$/, '')}/x.json` });
  }
  if (!f.Url && !f.Twiml && !f.ApplicationSid) return err(400, 21205, 'Url parameter is required.');
  if (f.Twiml !== undefined && (f.Twiml.length > 4000 || !/^\s*<Response>[\s\S]*<\/Response>\s*$/.test(f.Twiml))) return err(400, 21232, 'Twiml is not valid or is longer than 4000 characters.');
  return json(201, { sid: sid('CA'), account_sid: c.accountSid, to: f.To, from: f.From, status: 'queued', api_version: '2010-04-01' });
}

// ---------------------------------------------------------------------------------------------

/** Starts one provider's stand-in on a free port of 127.0.0.1. */
export async function startProviderReceiver(kind: ProviderKind, creds: ProviderCredentials): Promise<ProviderReceiver> {
  const hits: ProviderHit[] = [];
  let forced: (n: number) => Forced = () => undefined;
  const handle = (h: ProviderHit, f: Forced): Reply => {
    switch (kind) {
      case 'pagerduty':
        return pagerduty(creds.pagerduty!, h, f);
      case 'opsgenie':
        return opsgenie(creds.opsgenie!, h, f);
      case 'slack':
        return slack(creds.slack!, h, f);
      case 'teams':
        return teams(creds.teams!, h, f);
      case 'telegram':
        return telegram(creds.telegram!, h, f);
      case 'ntfy':
        return ntfy(creds.ntfy!, h, f);
      case 'twilio':
        return twilio(creds.twilio!, h, f);
    }
  };
  const listener = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      let body: any;
      if (kind === 'twilio') body = Object.fromEntries(new URLSearchParams(raw));
      else
        try {
          body = JSON.parse(raw);
        } catch {
          body = undefined;
        }
      const h: ProviderHit = { at: Date.now(), method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, raw, body, status: 0, answer: undefined, accepted: false };
      const reply = handle(h, forced(hits.length));
      h.status = reply.status;
      h.answer = reply.body;
      h.accepted = reply.status >= 200 && reply.status < 300 && !(reply.body && typeof reply.body === 'object' && (reply.body as { ok?: boolean }).ok === false);
      hits.push(h);
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, { ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...reply.headers });
      res.end(text);
    });
  };
  const server = await startRestartableServer(listener);
  const port = server.port;
  const base = `http://127.0.0.1:${port}`;
  return {
    kind,
    port,
    url: kind === 'teams' ? `${base}/workflows/4f3c2b1a/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${creds.teams!.sig}` : base,
    hits,
    accepted: () => hits.filter((h) => h.accepted),
    force: (fn) => (forced = fn),
    down: server.down,
    up: server.up,
    close: server.down,
  };
}
