/**
 * The few HTML pages of browser sign-in that are not the console: where a failed sign-in lands.
 * (Who is signed in, and signing out, are in the console at `/`.)
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** No script runs; nothing is framed, posted elsewhere or loaded from elsewhere. */
export const PAGE_CSP = `default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · Nines</title>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:0 auto;padding:24px;line-height:1.5">
<h1 style="font-size:1.4em">${esc(title)}</h1>
${body}
</body></html>`;
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
