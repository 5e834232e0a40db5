import { bytes, dayRange, dayTime, duration, nines, objectivePct, pct, pp, rate, timeSpan } from './format';
import type { IncidentInput, SloReport, WeeklyReport } from './weekly-model';

/**
 * The weekly report as a mail: a subject, an HTML part that reads on a 375 px phone and in a
 * desktop client (one column, inline styles, tables no wider than the screen, images that
 * shrink), and a plain-text part that says everything the HTML says.
 */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const C = { text: '#1d1d1f', muted: '#5f6368', line: '#e3e5e8', ok: '#0a7d32', warn: '#b26a00', bad: '#b00020', accent: '#1a56db' };
const WRAP = 'overflow-wrap:anywhere;word-break:break-word';

export function reportSubject(r: WeeklyReport, prefix = '[Nines]'): string {
  const s = r.summary;
  const slos = s.slos ? `${s.slosMet}/${s.slos} SLOs met` : 'no SLOs';
  return `${prefix} Weekly SLO report ${r.week}: ${slos}, ${s.incidents} incident${s.incidents === 1 ? '' : 's'}${r.changes.length ? `, ${r.changes.length} change${r.changes.length === 1 ? '' : 's'}` : ''}`;
}

const incidentMeasures = (i: IncidentInput): [string, string][] => [
  ['TTD', duration(i.ttdMs)],
  ['RTO', duration(i.rtoMs)],
  ['RPO', rpoText(i)],
  ['TTA', duration(i.ttaMs)],
  ['TTR', duration(i.ttrMs)],
];

function rpoText(i: IncidentInput): string {
  const parts: string[] = [];
  if (i.rpoLagSeconds !== undefined) parts.push(duration(i.rpoLagSeconds * 1000));
  const b = i.rpoLsnDiffBytes ?? i.rpoLagBytes;
  if (b !== undefined) parts.push(bytes(b));
  return parts.length ? parts.join(' / ') : '–';
}

function sloStatus(s: SloReport): { word: string; color: string } {
  if (s.met === undefined) return { word: 'no data', color: C.muted };
  if (s.exhausted) return { word: 'budget exhausted', color: C.bad };
  if (!s.met) return { word: 'below objective', color: C.bad };
  if ((s.budgetRemaining ?? 1) < 0.25) return { word: 'met, budget low', color: C.warn };
  return { word: 'met', color: C.ok };
}

function burnPeaks(s: SloReport, tz: string): string[] {
  return s.burnRatePeaks.map((b) => `${b.window}: ${rate(b.peak)}${b.at !== undefined && b.peak > 0 ? ` (${b.until !== undefined ? timeSpan(b.at, b.until, tz) : dayTime(b.at, tz)})` : ''}`);
}

function trendText(s: SloReport): string {
  if (s.trend === undefined) return 'no figure for last week';
  return `${pp(s.trend)} vs last week`;
}

// ---------------------------------------------------------------- HTML

const h2 = (t: string) => `<h2 style="font-size:18px;line-height:1.3;margin:28px 0 10px 0;padding:0 0 6px 0;border-bottom:2px solid ${C.line};color:${C.text}">${esc(t)}</h2>`;
const muted = (t: string) => `<p style="margin:0 0 10px 0;color:${C.muted};font-size:14px">${t}</p>`;

/** Label/value rows: two columns that share the width, wrapping inside each cell. */
function kv(rows: [string, string][]): string {
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;margin:0 0 4px 0">${rows
    .map(
      ([k, v]) =>
        `<tr><td style="padding:5px 8px 5px 0;border-bottom:1px solid ${C.line};color:${C.muted};font-size:14px;vertical-align:top;${WRAP}">${k}</td><td style="padding:5px 0;border-bottom:1px solid ${C.line};text-align:right;vertical-align:top;${WRAP}">${v}</td></tr>`,
    )
    .join('')}</table>`;
}

/** A small table whose first column takes what the others leave; numbers right-aligned. */
function grid(head: string[], rows: string[][]): string {
  const th = head.map((h, i) => `<th style="padding:6px ${i === head.length - 1 ? 0 : 8}px 6px 0;text-align:${i ? 'right' : 'left'};font-size:13px;color:${C.muted};font-weight:600;border-bottom:2px solid ${C.line}">${esc(h)}</th>`).join('');
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => `<td style="padding:6px ${i === r.length - 1 ? 0 : 8}px 6px 0;text-align:${i ? 'right' : 'left'};border-bottom:1px solid ${C.line};vertical-align:top;${i ? 'white-space:nowrap' : WRAP}">${c}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;table-layout:auto">${`<tr>${th}</tr>`}${tr}</table>`;
}

const badge = (word: string, color: string) =>
  `<span style="display:inline-block;padding:1px 8px;border-radius:10px;border:1px solid ${color};color:${color};font-size:12px;font-weight:600;white-space:nowrap;vertical-align:middle">${esc(word)}</span>`;

function sloHtml(s: SloReport, r: WeeklyReport, img: string | undefined): string {
  const st = sloStatus(s);
  const rows: [string, string][] = [
    ['Objective', `<b>${objectivePct(s.objective)}</b> over ${esc(s.window)}`],
    ['This week', `<b>${pct(s.weekAvailability)}</b> · ${nines(s.weekNines)} nines`],
    [`Window (${esc(s.window)})`, `<b style="color:${s.met === false ? C.bad : C.text}">${pct(s.availability)}</b> · ${nines(s.nines)} nines`],
    ['Budget consumed', `<b>${pct(s.budgetConsumed, 1)}</b>`],
    ['Budget remaining', `<b style="color:${s.exhausted ? C.bad : (s.budgetRemaining ?? 1) < 0.25 ? C.warn : C.text}">${pct(s.budgetRemaining, 1)}</b><br><span style="font-size:13px;color:${(s.trend ?? 0) < 0 ? C.warn : C.muted}">${esc(trendText(s))}</span>`],
    ['Burn-rate peaks', burnPeaks(s, r.timezone).map(esc).join('<br>') || '–'],
  ];
  const alt = `Error budget of ${s.name} over ${s.window}: ${pct(s.budgetRemaining, 1)} left at the end of ${r.week}`;
  return `<div style="border:1px solid ${C.line};border-radius:8px;padding:12px;margin:0 0 14px 0">
<h3 style="font-size:16px;margin:0 0 4px 0;${WRAP}">${esc(s.name)} ${badge(st.word, st.color)}</h3>
${s.description ? `<p style="margin:0 0 8px 0;color:${C.muted};font-size:14px;${WRAP}">${esc(s.description)}</p>` : ''}
${img ? `<img src="${esc(img)}" width="300" height="100" alt="${esc(alt)}" style="display:block;width:300px;max-width:100%;height:auto;border:0;margin:6px 0 2px 0">
<p style="margin:0 0 8px 0;color:${C.muted};font-size:12px">Error budget left over the window; shaded: this week. Red line: budget exhausted.</p>` : ''}
${kv(rows)}
</div>`;
}


function incidentHtml(i: IncidentInput, r: WeeklyReport): string {
  const color = i.drill ? C.muted : i.severity === 'critical' || i.severity === 'page' ? C.bad : C.warn;
  const title = r.externalUrl ? `<a href="${esc(`${r.externalUrl}/incidents/${i.id}`)}" style="color:${C.accent}">#${i.id}</a>` : `#${i.id}`;
  const when = i.resolvedAt !== undefined ? timeSpan(i.openedAt, i.resolvedAt, r.timezone, ' → ') : `${dayTime(i.openedAt, r.timezone)} → still open`;
  const measures = incidentMeasures(i)
    .map(([k, v]) => `<span style="white-space:nowrap;display:inline-block;margin:0 12px 2px 0"><span style="color:${C.muted};font-size:13px">${k}</span> <b>${esc(v)}</b></span>`)
    .join('');
  return `<div style="border-left:4px solid ${color};padding:2px 0 2px 10px;margin:0 0 14px 0">
<div style="${WRAP}"><b>${title} ${esc(i.title)}</b> ${badge(i.drill ? 'drill' : i.severity, color)}</div>
<div style="color:${C.muted};font-size:13px;${WRAP}">${esc(when)} · ${esc(i.systems.join(', '))}${i.failovers ? ` · ${i.failovers} failover${i.failovers === 1 ? '' : 's'}` : ''}${i.acknowledgedBy ? ` · acked by ${esc(i.acknowledgedBy)}` : ''}</div>
<div style="margin-top:4px">${measures}</div>
</div>`;
}

export function renderWeeklyHtml(r: WeeklyReport, images: Map<string, string>): string {
  const s = r.summary;
  const sev = Object.entries(s.bySeverity)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const summary = kv([
    ['SLOs met', s.slos ? `<b style="color:${s.slosMet < s.slosMeasured ? C.bad : C.ok}">${s.slosMet} of ${s.slos}</b>` : '–'],
    ['Incidents', `<b>${s.incidents}</b>${sev ? ` (${esc(sev)})` : ''}${s.drills ? ` + ${s.drills} drill${s.drills === 1 ? '' : 's'}` : ''}`],
    ['Open at week end', `<b>${r.openAtEnd}</b>`],
    ['MTTA', `<b>${duration(s.mttaMs)}</b>${s.mttaCount ? ` <span style="color:${C.muted};font-size:13px">(${s.mttaCount} acked)</span>` : ''}`],
    ['MTTR', `<b>${duration(s.mttrMs)}</b>${s.mttrCount ? ` <span style="color:${C.muted};font-size:13px">(${s.mttrCount} resolved)</span>` : ''}`],
    ['Failovers', `<b>${s.failovers}</b>${s.failoverDrills ? ` + ${s.failoverDrills} in drills` : ''}`],
  ]);

  const changes = r.changes.length
    ? `<ul style="margin:0;padding:0 0 0 18px">${r.changes.map((c) => `<li style="margin:0 0 6px 0;${WRAP}"><b style="color:${c.kind === 'recovered' ? C.ok : C.bad}">${c.kind === 'recovered' ? 'Recovered' : c.kind === 'exhausted' ? 'Budget exhausted' : 'Breached'}:</b> ${esc(c.message)}</li>`).join('')}</ul>`
    : muted(r.slos.length ? 'No SLO breached its objective or exhausted its budget this week.' : 'Nothing to compare: no SLOs.');

  const slos = r.slos.length
    ? r.slos.map((x) => sloHtml(x, r, images.get(x.name))).join('\n')
    : muted(esc(r.slosUnavailable ?? 'No SLOs are configured (slos: in the config).'));

  const incidents = r.incidents.length ? r.incidents.map((i) => incidentHtml(i, r)).join('\n') : muted('No incidents this week.');

  const failovers = r.failovers.length
    ? grid(['System', 'Failovers', 'Drills'], r.failovers.map((f) => [esc(f.system), String(f.failovers), String(f.drills)]))
    : muted('No failovers this week.');

  const flappy = r.rawMissing
    ? muted('Raw probe results for this week are no longer kept (storage.raw_retention).')
    : `${r.rawCoverageFrom !== undefined ? muted(`Raw results kept from ${esc(dayTime(r.rawCoverageFrom, r.timezone))} only.`) : ''}${
        r.flappy.length
          ? grid(['Target', 'Flips', 'Failed'], r.flappy.map((f) => [esc(f.target), String(f.flips), `${f.failures} of ${f.results}`]))
          : muted('No target changed between up and down this week.')
      }`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light"><link rel="icon" href="data:,"><title>${esc(reportSubject(r, 'Nines:'))}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;-webkit-text-size-adjust:100%">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;background:#f3f4f6"><tr><td align="center" style="padding:0">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;max-width:640px;background:#ffffff"><tr><td style="padding:16px 14px 24px 14px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.45;color:${C.text};text-align:left">
<h1 style="font-size:22px;line-height:1.25;margin:0 0 4px 0">Weekly SLO report · <span style="white-space:nowrap">${esc(r.week)}</span></h1>
${muted(`${esc(dayRange(r.start, r.end, r.timezone))} · times in ${esc(r.timezone)}`)}
${summary}
${h2('What changed')}
${changes}
${h2('SLOs')}
${slos}
${h2('Incidents')}
${incidents}
${h2('Failovers per system')}
${failovers}
${h2('Flappiest targets')}
${flappy}
<p style="margin:28px 0 0 0;color:${C.muted};font-size:12px;line-height:1.5">TTD: first failed probe → detected. RTO: users' service down → answering again. RPO: the promoted replica's replication lag when the primary failed (time / bytes). TTA: opened → acknowledged. TTR: first failure → resolved. MTTA and MTTR average the week's incidents, drills excluded. Burn rate: how fast the error budget is spent, 1× spends it exactly over the window.<br>Generated by Nines at ${esc(dayTime(r.generatedAt, r.timezone))} ${esc(r.timezone)}.</p>
</td></tr></table>
</td></tr></table>
</body></html>
`;
}

// ---------------------------------------------------------------- text

function textKv(rows: [string, string][], indent = '  '): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${`${k}:`.padEnd(w + 2)}${v}`).join('\n');
}

export function renderWeeklyText(r: WeeklyReport): string {
  const s = r.summary;
  const out: string[] = [];
  const title = `Weekly SLO report ${r.week}`;
  out.push(title, '='.repeat(title.length), `${dayRange(r.start, r.end, r.timezone)} (times in ${r.timezone})`, '');
  const sev = Object.entries(s.bySeverity)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  out.push(
    textKv([
      ['SLOs met', s.slos ? `${s.slosMet} of ${s.slos}` : '–'],
      ['Incidents', `${s.incidents}${sev ? ` (${sev})` : ''}${s.drills ? ` + ${s.drills} drill${s.drills === 1 ? '' : 's'}` : ''}`],
      ['Open at week end', String(r.openAtEnd)],
      ['MTTA', `${duration(s.mttaMs)}${s.mttaCount ? ` (${s.mttaCount} acked)` : ''}`],
      ['MTTR', `${duration(s.mttrMs)}${s.mttrCount ? ` (${s.mttrCount} resolved)` : ''}`],
      ['Failovers', `${s.failovers}${s.failoverDrills ? ` + ${s.failoverDrills} in drills` : ''}`],
    ]),
  );

  const section = (t: string) => out.push('', t, '-'.repeat(t.length));
  section('What changed');
  if (r.changes.length) for (const c of r.changes) out.push(`  * ${c.kind === 'recovered' ? 'Recovered' : c.kind === 'exhausted' ? 'Budget exhausted' : 'Breached'}: ${c.message}`);
  else out.push(r.slos.length ? '  No SLO breached its objective or exhausted its budget this week.' : '  Nothing to compare: no SLOs.');

  section('SLOs');
  if (!r.slos.length) out.push(`  ${r.slosUnavailable ?? 'No SLOs are configured (slos: in the config).'}`);
  for (const x of r.slos) {
    out.push('', `  ${x.name} [${sloStatus(x).word}]${x.description ? ` — ${x.description}` : ''}`);
    const peaks = burnPeaks(x, r.timezone);
    out.push(
      textKv(
        [
          ['Objective', `${objectivePct(x.objective)} over ${x.window}`],
          ['This week', `${pct(x.weekAvailability)} (${nines(x.weekNines)} nines)`],
          [`Window (${x.window})`, `${pct(x.availability)} (${nines(x.nines)} nines)`],
          ['Budget consumed', pct(x.budgetConsumed, 1)],
          ['Budget remaining', `${pct(x.budgetRemaining, 1)} (${trendText(x)})`],
          ['Burn-rate peaks', peaks.length ? peaks.join('; ') : '–'],
        ],
        '    ',
      ),
    );
  }

  section('Incidents');
  if (!r.incidents.length) out.push('  No incidents this week.');
  for (const i of r.incidents) {
    out.push('', `  #${i.id} ${i.title} [${i.drill ? 'drill' : i.severity}]`);
    out.push(`    ${i.resolvedAt !== undefined ? timeSpan(i.openedAt, i.resolvedAt, r.timezone, ' -> ') : `${dayTime(i.openedAt, r.timezone)} -> still open`}; systems: ${i.systems.join(', ')}${i.failovers ? `; failovers: ${i.failovers}` : ''}${i.acknowledgedBy ? `; acked by ${i.acknowledgedBy}` : ''}`);
    out.push(`    ${incidentMeasures(i).map(([k, v]) => `${k} ${v}`).join(' | ')}`);
    if (r.externalUrl) out.push(`    ${r.externalUrl}/incidents/${i.id}`);
  }

  section('Failovers per system');
  if (!r.failovers.length) out.push('  No failovers this week.');
  else {
    const w = Math.max(6, ...r.failovers.map((f) => f.system.length));
    out.push(`  ${'System'.padEnd(w)}  Failovers  Drills`);
    for (const f of r.failovers) out.push(`  ${f.system.padEnd(w)}  ${String(f.failovers).padStart(9)}  ${String(f.drills).padStart(6)}`);
  }

  section('Flappiest targets');
  if (r.rawMissing) out.push('  Raw probe results for this week are no longer kept (storage.raw_retention).');
  else {
    if (r.rawCoverageFrom !== undefined) out.push(`  Raw results kept from ${dayTime(r.rawCoverageFrom, r.timezone)} only.`);
    if (!r.flappy.length) out.push('  No target changed between up and down this week.');
    else {
      const w = Math.max(6, ...r.flappy.map((f) => f.target.length));
      out.push(`  ${'Target'.padEnd(w)}  Flips  Failed`);
      for (const f of r.flappy) out.push(`  ${f.target.padEnd(w)}  ${String(f.flips).padStart(5)}  ${f.failures} of ${f.results}`);
    }
  }

  out.push(
    '',
    '--',
    'TTD: first failed probe -> detected. RTO: users\' service down -> answering again.',
    'RPO: the promoted replica\'s replication lag when the primary failed (time / bytes).',
    'TTA: opened -> acknowledged. TTR: first failure -> resolved.',
    'MTTA and MTTR average the week\'s incidents, drills excluded.',
    'Burn rate: how fast the error budget is spent; 1× spends it exactly over the window.',
    `Generated by Nines at ${dayTime(r.generatedAt, r.timezone)} ${r.timezone}.`,
    '',
  );
  return out.join('\n');
}
