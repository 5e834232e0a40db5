import { createHash } from 'node:crypto';

/**
 * The public status page: what a customer may see, built from names the operator chose to
 * publish. It takes only system names, numbers and times, so nothing internal (members,
 * addresses, labels, incident titles, who acknowledged) can reach it.
 */
export interface StatusSystem {
  name: string;
  /** The stored topology's health; undefined when Nines has not judged the system yet. */
  healthy: boolean | undefined;
  /** Over the last 90 days, drills and maintenance taken out; null with no data. */
  availability: number | null;
  daily: { day: string; availability: number | null }[];
}

export interface StatusIncident {
  severity: string;
  acknowledged: boolean;
  openedAt: number;
  /** Only the published systems it touches. */
  systems: string[];
}

export interface StatusMaintenance {
  kind: 'drill' | 'planned';
  systems: string[];
  start: number;
  /** null: a drill still running, with no end set. */
  end: number | null;
}

export interface StatusView {
  title: string;
  now: number;
  systems: StatusSystem[];
  incidents: StatusIncident[];
  maintenance: StatusMaintenance[];
}

export const STATUS_DAYS = 90;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "7 Dec 2026, 00:14 UTC". */
export function whenText(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/** "99.982%", "100%", "no data". Truncated, never rounded up to a better figure. */
export function percentText(x: number | null): string {
  if (x === null) return 'no data';
  if (x >= 1) return '100%';
  return `${(Math.floor(x * 100_000) / 1000).toFixed(3)}%`;
}

const list = (names: string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`);

/** An open incident in plain words: what is affected, how badly, since when, whether someone is on it. */
export function incidentSentence(i: StatusIncident): string {
  const how = i.severity === 'critical' || i.severity === 'major' ? 'is down or seriously disrupted' : 'is degraded';
  const verb = i.systems.length > 1 ? how.replace(/^is/, 'are') : how;
  const who = i.acknowledged ? 'Engineers are working on it.' : 'The on-call engineer has been alerted.';
  return `${list(i.systems)} ${verb} since ${whenText(i.openedAt)}. ${who}`;
}

export function maintenanceSentence(m: StatusMaintenance, now: number): string {
  const what = m.kind === 'drill' ? 'A planned failover test' : 'Planned maintenance';
  const tense = m.start > now ? `is scheduled from ${whenText(m.start)}` : `is under way since ${whenText(m.start)}`;
  const until = m.end === null ? '' : ` until ${whenText(m.end)}`;
  return `${what} on ${list(m.systems)} ${tense}${until}; brief interruptions are possible.`;
}

type Word = { word: string; tone: 'ok' | 'warn' | 'bad' | 'unknown' };

export function systemWord(s: StatusSystem, v: StatusView): Word {
  const incident = v.incidents.find((i) => i.systems.includes(s.name));
  if (incident) return incident.severity === 'critical' || incident.severity === 'major' ? { word: 'Outage', tone: 'bad' } : { word: 'Degraded', tone: 'warn' };
  if (v.maintenance.some((m) => m.systems.includes(s.name) && m.start <= v.now && (m.end === null || m.end > v.now))) return { word: 'Maintenance', tone: 'warn' };
  if (s.healthy === false) return { word: 'Degraded', tone: 'warn' };
  // No stored judgement yet (a system whose topology never changed): its probes say.
  if (s.healthy === undefined && s.daily[s.daily.length - 1]?.availability == null) return { word: 'Unknown', tone: 'unknown' };
  return { word: 'Operational', tone: 'ok' };
}

function dayTone(a: number | null): string {
  if (a === null) return 'none';
  if (a >= 0.999) return 'ok';
  if (a >= 0.99) return 'warn';
  return 'bad';
}

/** One bar per day, oldest first; each day's figure is its title (and the table below, for screen readers). */
function bars(s: StatusSystem): string {
  const n = s.daily.length;
  const rects = s.daily
    .map((d, i) => `<rect x="${i * 4}" y="0" width="3" height="24" class="d-${dayTone(d.availability)}"><title>${esc(d.day)}: ${percentText(d.availability)}</title></rect>`)
    .join('');
  return `<svg class="bars" viewBox="0 0 ${Math.max(n * 4 - 1, 1)} 24" preserveAspectRatio="none" aria-hidden="true" focusable="false">${rects}</svg>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--none:#afb8c1;--card:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--none:#484f58;--card:#161b22}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:52rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:0;overflow-wrap:anywhere}
.summary{padding:.75rem 1rem;border-radius:.5rem;border:1px solid var(--line);background:var(--card);font-weight:600}
.summary.ok{border-left:.4rem solid var(--ok)}.summary.warn{border-left:.4rem solid var(--warn)}.summary.bad{border-left:.4rem solid var(--bad)}
ul{list-style:none;margin:0;padding:0}
.sys{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0;background:var(--card)}
.head{display:flex;flex-wrap:wrap;gap:.25rem 1rem;justify-content:space-between;align-items:baseline}
.w-ok{color:var(--ok)}.w-warn{color:var(--warn)}.w-bad{color:var(--bad)}.w-unknown{color:var(--muted)}
.word{font-weight:600}
.bars{display:block;width:100%;height:1.5rem;margin:.5rem 0 .25rem}
.d-ok{fill:var(--ok)}.d-warn{fill:var(--warn)}.d-bad{fill:var(--bad)}.d-none{fill:var(--none)}
.scale{display:flex;justify-content:space-between;color:var(--muted);font-size:.875rem}
.notice{border-left:.3rem solid var(--warn);padding:.25rem .75rem;margin:.5rem 0}
.notice.bad{border-color:var(--bad)}
.muted,footer{color:var(--muted)}
footer{font-size:.875rem;margin-top:2rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

/** For the page's Content-Security-Policy: the one inline stylesheet, and nothing else. */
export const STATUS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export function renderStatusPage(v: StatusView): string {
  const words = v.systems.map((s) => systemWord(s, v));
  const worst = words.some((w) => w.tone === 'bad') ? 'bad' : words.some((w) => w.tone === 'warn' || w.tone === 'unknown') ? 'warn' : 'ok';
  const summary = worst === 'ok' ? 'All systems operational' : v.incidents.length ? 'Some systems are disrupted' : 'Some systems are not fully operational';
  const incidents = v.incidents.length
    ? `<ul>${v.incidents.map((i) => `<li class="notice${i.severity === 'critical' || i.severity === 'major' ? ' bad' : ''}">${esc(incidentSentence(i))}</li>`).join('')}</ul>`
    : '<p class="muted">No open incidents.</p>';
  const maintenance = v.maintenance.length
    ? `<ul>${v.maintenance.map((m) => `<li class="notice">${esc(maintenanceSentence(m, v.now))}</li>`).join('')}</ul>`
    : '<p class="muted">No maintenance under way or scheduled.</p>';
  const systems = v.systems
    .map((s, i) => {
      const w = words[i];
      const days = s.daily.filter((d) => d.availability !== null && d.availability < 1);
      const worstDays = days.length
        ? `Days below 100%: ${days.map((d) => `${d.day} ${percentText(d.availability)}`).join(', ')}.`
        : 'No day below 100%.';
      return `<li class="sys" data-system="${esc(s.name)}">
<div class="head"><h3>${esc(s.name)}</h3><span class="word w-${w.tone}">${w.word}</span></div>
${bars(s)}
<div class="scale"><span>${STATUS_DAYS} days ago</span><span>${percentText(s.availability)} available</span><span>today</span></div>
<p class="sr">${esc(worstDays)}</p>
</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(v.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(v.title)}</h1>
<p class="summary ${worst}" role="status">${summary}</p>
<h2>Open incidents</h2>
${incidents}
<h2>Maintenance</h2>
${maintenance}
<h2>Availability over the last ${STATUS_DAYS} days</h2>
<ul>
${systems}
</ul>
<footer>Updated ${esc(whenText(v.now))}. Planned failover tests are not counted as downtime.</footer>
</main>
</body>
</html>
`;
}
