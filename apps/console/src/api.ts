/**
 * How the console talks to Nines: the caller's API token (pasted, kept in sessionStorage, sent as
 * Bearer) or the browser session (cookie, with the CSRF token from /auth/me on writes), or
 * nothing on an open loopback deployment.
 */
const TOKEN_KEY = 'nines_token';

export interface Me {
  mode: 'token' | 'session' | 'open';
  name?: string;
  role?: string;
  csrf?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let me: Me = { mode: 'open' };

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  set: (t: string) => sessionStorage.setItem(TOKEN_KEY, t.trim()),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

function headers(write: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  const t = token.get();
  if (t) h.authorization = `Bearer ${t}`;
  else if (write && me.csrf) h['x-csrf-token'] = me.csrf;
  if (write) h['content-type'] = 'application/json';
  return h;
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = 'error';
  let message = `${res.status} ${res.statusText}`;
  try {
    const b = await res.json();
    code = b.error?.code ?? code;
    message = b.error?.message ?? message;
  } catch {
    // not JSON
  }
  return new ApiError(res.status, code, message);
}

export async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: headers(false), credentials: 'same-origin' });
  if (!res.ok) throw await errorOf(res);
  return res.json() as Promise<T>;
}

export async function send<T>(method: 'POST' | 'DELETE' | 'PATCH', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, { method, headers: headers(true), credentials: 'same-origin', body: body === undefined ? (method === 'DELETE' ? undefined : '{}') : JSON.stringify(body) });
  if (!res.ok) throw await errorOf(res);
  return (res.status === 204 ? undefined : res.json()) as Promise<T>;
}

/**
 * Who the console acts as: a pasted token wins, else a browser session, else the API may be open
 * (loopback with no token). undefined: sign-in needed (a pasted token that failed is forgotten).
 */
export async function signIn(): Promise<Me | undefined> {
  const w = await get<{ signed_in: boolean; via?: 'token' | 'session' | 'open'; actor?: string; role?: string; message?: string }>('/api/v1/console/whoami');
  if (!w.signed_in) {
    if (token.get()) token.clear();
    return undefined;
  }
  if (w.via === 'session') {
    const b = await get<{ name: string; role: string; csrf_token: string }>('/auth/me');
    return (me = { mode: 'session', name: b.name, role: b.role, csrf: b.csrf_token });
  }
  return (me = { mode: w.via === 'token' ? 'token' : 'open', name: w.actor, role: w.role });
}

export async function signOut(): Promise<void> {
  if (me.mode === 'session') await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': me.csrf ?? '' } });
  token.clear();
}

/**
 * Reads a server-sent event stream with fetch (EventSource cannot send an Authorization
 * header), calling `on` per event; resolves when the stream ends.
 */
export async function readStream(path: string, signal: AbortSignal, on: (event: string, data: any) => void): Promise<void> {
  const res = await fetch(path, { headers: { ...headers(false), accept: 'text/event-stream' }, credentials: 'same-origin', signal });
  if (!res.ok || !res.body) throw await errorOf(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) on(event, JSON.parse(data.join('\n')));
    }
  }
}
