import { createHash } from 'node:crypto';

/**
 * The few HTML pages of browser sign-in, until the console (a later issue) takes over `/`: who is
 * signed in with a sign-out button, and the pages a failed sign-in lands on.
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// Sign-out is a POST with the CSRF token from /auth/me, as every browser write is.
const SIGN_OUT_SCRIPT = `document.getElementById('signout')?.addEventListener('click', async () => {
  const me = await fetch('/auth/me', { credentials: 'same-origin' });
  if (me.ok) {
    const { csrf_token } = await me.json();
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf_token } });
  }
  location.assign('/');
});`;

/** Only our own inline script runs; nothing is framed, posted elsewhere or loaded from elsewhere. */
export const PAGE_CSP = `default-src 'none'; script-src 'sha256-${createHash('sha256').update(SIGN_OUT_SCRIPT).digest('base64')}'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

function page(title: string, body: string, script = false): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · Nines</title>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:0 auto;padding:24px;line-height:1.5">
<h1 style="font-size:1.4em">${esc(title)}</h1>
${body}${script ? `<script>${SIGN_OUT_SCRIPT}</script>` : ''}
</body></html>`;
}

export function signedInPage(name: string, role: string): string {
  return page('Nines', `<p id="who">Signed in as <b>${esc(name)}</b> (<span id="role">${esc(role)}</span>).</p>
<p><button id="signout" type="button">Sign out</button></p>`, true);
}

export function signedOutPage(signInConfigured: boolean): string {
  return page(
    'Nines',
    signInConfigured
      ? `<p>You are not signed in.</p><p><a id="signin" href="/auth/login">Sign in</a></p>`
      : `<p>Browser sign-in is not configured (auth.oidc). The API takes tokens: <code>Authorization: Bearer &lt;token&gt;</code>.</p>`,
  );
}

/** The identity provider vouched for the user, but none of their claim values is mapped to a role. */
export function noRolePage(name: string, claim: string, values: string[]): string {
  const shown = values.slice(0, 20).map((v) => `<code>${esc(v)}</code>`).join(', ');
  return page(
    'No access to Nines',
    `<p id="refused">You signed in as <b>${esc(name)}</b>, but your <code>${esc(claim)}</code> claim (${shown || 'empty'}${values.length > 20 ? ', …' : ''}) maps to no Nines role, so no session was started.</p>
<p>Ask a Nines admin to map one of these values to viewer, responder or admin under <code>auth.oidc.roles</code>.</p>`,
  );
}

export function failurePage(title: string, message: string, retry: boolean): string {
  return page(title, `<p id="failure">${esc(message)}</p>${retry ? `<p><a href="/auth/login">Try again</a></p>` : ''}`);
}
