import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { signIn, signOut, token, type Me } from './api';
import { useLive } from './live';
import { interceptLinks, usePath } from './router';
import { OverviewPage } from './pages/overview';
import { SystemPage } from './pages/system';
import { IncidentPage } from './pages/incident';
import { AlertsPage } from './pages/alerts';
import { SloPage, SlosPage } from './pages/slos';
import { DrillsPage } from './pages/drills';

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/alerts', 'Alerts'],
  ['/slos', 'SLOs'],
  ['/drills', 'Drills'],
];

function SignInScreen({ oidc, onToken }: { oidc: boolean; onToken: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  return (
    <main id="main" class="signin">
      <h1>Sign in to Nines</h1>
      {oidc && (
        <p>
          <a id="signin" class="button" href={`/auth/login?return_to=${encodeURIComponent(location.pathname)}`}>
            Sign in with your identity provider
          </a>
        </p>
      )}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          token.set(value);
          try {
            if (await signIn()) onToken();
            else setError('That token was not accepted (unknown, expired or revoked).');
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label for="token">{oidc ? 'Or paste an API token' : 'Paste an API token'}</label>
        <input id="token" type="password" autoComplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} placeholder="nines_…" required />
        <button type="submit">Use token</button>
        <p class="quiet">Kept in this tab only (sessionStorage) and sent as a Bearer token. Create one with <code>nines token create --name NAME --role responder</code>.</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function Route({ path, me }: { path: string; me: Me }) {
  const live = useLive();
  let m: RegExpMatchArray | null;
  if (path === '/') return <OverviewPage live={live} />;
  if (path === '/alerts' || path === '/silences') return <AlertsPage live={live} />;
  if (path === '/slos') return <SlosPage />;
  if ((m = path.match(/^\/slos\/([^/]+)$/))) return <SloPage name={decodeURIComponent(m[1])} />;
  if (path === '/drills') return <DrillsPage live={live} me={me} />;
  if ((m = path.match(/^\/systems\/([^/]+)$/))) return <SystemPage name={decodeURIComponent(m[1])} live={live} />;
  if ((m = path.match(/^\/incidents\/(\d+)$/))) return <IncidentPage id={Number(m[1])} live={live} me={me} />;
  return (
    <>
      <h1>Not found</h1>
      <p>
        Nothing at {path}. <a href="/">Back to the overview</a>.
      </p>
    </>
  );
}

function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const path = usePath();
  const live = useLive();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // A route change moves focus to the new page, as a page load would, for keyboard and screen-reader users.
    if (first.current) first.current = false;
    else {
      main.current?.focus();
      window.scrollTo(0, 0);
    }
  }, [path]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          Nines
        </a>
        <nav aria-label="Sections">
          {NAV.map(([href, label]) => (
            <a key={href} href={href} aria-current={path === href ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class={`conn ${live.connected ? 'on' : 'off'}`} title={live.problem ?? 'live updates'}>
          {live.connected ? 'live' : 'offline'}
        </span>
        <span class="who">
          {me.mode === 'session' && (
            <>
              {me.name} (<span id="role">{me.role}</span>)
            </>
          )}
          {me.mode === 'token' && (
            <>
              token {me.name} (<span id="role">{me.role}</span>)
            </>
          )}
          {me.mode === 'open' && 'open (no tokens)'}
          {me.mode !== 'open' && (
            <button
              id="signout"
              type="button"
              class="link"
              onClick={async () => {
                await signOut();
                onSignOut();
              }}
            >
              Sign out
            </button>
          )}
        </span>
      </header>
      {live.problem && (
        <p class="banner" role="status">
          {live.problem}
        </p>
      )}
      <main id="main" ref={main} tabIndex={-1}>
        <Route path={path} me={me} />
      </main>
      <div class="sr-only" aria-live="polite">
        {live.announcement}
      </div>
    </>
  );
}

function App() {
  const [me, setMe] = useState<Me | undefined | null>(null);
  const [error, setError] = useState('');
  const oidc = document.querySelector('meta[name="nines-sign-in"]')?.getAttribute('content') === 'oidc';
  const check = () => signIn().then(setMe, (e) => setError((e as Error).message));
  useEffect(() => void check(), []);
  if (error)
    return (
      <main id="main">
        <h1>Nines</h1>
        <p class="error" role="alert">
          Cannot reach Nines: {error}
        </p>
      </main>
    );
  if (me === null) return <p class="quiet">Loading…</p>;
  if (me === undefined) return <SignInScreen oidc={oidc} onToken={() => void check()} />;
  return <Shell me={me} onSignOut={() => location.assign('/')} />;
}

interceptLinks();
render(<App />, document.getElementById('app')!);
