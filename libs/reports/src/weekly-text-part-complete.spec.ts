import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { imageSources, weeklyCharts } from './weekly-charts';
import { w47Input } from './weekly-fixture';
import { buildWeeklyReport } from './weekly-model';
import { renderWeeklyHtml, renderWeeklyText, reportSubject } from './weekly-render';

const r = buildWeeklyReport(w47Input());
const images = weeklyCharts(r);
const html = renderWeeklyHtml(r, imageSources(images, 'cid'));
const text = renderWeeklyText(r);
const visible = (h: string) => h.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"');

describe('weekly report: the plain-text part says everything the HTML part says', () => {
  it('every figure shown in the HTML is in the text part', () => {
    const figures = new Set(visible(html).match(/[−+]?\d[\d.,]*(?:%| pp|×|ms|s|m|h|d| nines| KiB| B)?/g));
    const missing = [...figures].filter((f) => !text.includes(f));
    assert.deepEqual(missing, [], `in the HTML but not in the text part: ${missing.join(' | ')}`);
  });

  it('names every SLO, incident, system and flapping target, and each change', () => {
    for (const s of r.slos) assert.ok(text.includes(s.name), s.name);
    for (const i of r.incidents) assert.ok(text.includes(`#${i.id} ${i.title}`), i.title);
    for (const f of r.failovers) assert.ok(text.includes(f.system), f.system);
    for (const f of r.flappy) assert.ok(text.includes(f.target), f.target);
    for (const c of r.changes) assert.ok(text.includes(c.message), c.message);
  });

  it('spells the week’s key numbers the way a reader checks them', () => {
    assert.match(text, /MTTA: +3m 00s \(2 acked\)/);
    assert.match(text, /MTTR: +16m 33s \(2 resolved\)/);
    assert.match(text, /TTD 3s \| RTO 1m 40s \| RPO 800ms \/ 12 KiB \| TTA 4m 00s \| TTR 13m 03s/);
    assert.match(text, /Window \(30d\): +99\.942% \(3\.24 nines\)/);
    assert.match(text, /Budget remaining: +−16\.0% \(−72\.0 pp vs last week\)/);
    assert.match(text, /Burn-rate peaks: +1h: 14\.4× \(Tue 17 Nov 03:00\); 6h: 3\.10× \(Tue 17 Nov 06:00\)/);
    assert.match(text, /Mon 16 Nov – Sun 22 Nov 2026 \(times in UTC\)/);
  });

  it('the subject sums the week up', () => {
    assert.equal(reportSubject(r), '[Nines] Weekly SLO report 2026-W47: 2/3 SLOs met, 3 incidents, 3 changes');
  });
});

describe('weekly report HTML: a mail that reads on a phone', () => {
  it('refers to one inline PNG per SLO by content id, sized to shrink on narrow screens', () => {
    assert.equal(images.length, 2, 'search-latency has no budget series: no chart');
    for (const i of images) {
      assert.ok(html.includes(`src="cid:${i.cid}"`), i.cid);
      assert.equal(i.png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
    }
    assert.equal((html.match(/<img /g) ?? []).length, 2);
    for (const img of html.match(/<img [^>]+>/g)!) assert.match(img, /width="300" height="100" .*max-width:100%;height:auto/);
  });

  it('has no remote resource, no <style> block and no fixed width wider than a 375 px screen', () => {
    assert.doesNotMatch(html, /https?:\/\/[^"]*\.(png|jpe?g|gif|svg|css|js)/i);
    assert.doesNotMatch(html, /<style|<script|<svg/i);
    for (const m of html.matchAll(/(?<![-\w])(?:min-)?width\s*[:=]\s*"?(\d+)(px)?/g)) assert.ok(Number(m[1]) <= 320, `fixed width ${m[0]}`);
    assert.match(html, /max-width:640px/);
    assert.match(html, /<meta name="viewport" content="width=device-width,initial-scale=1">/);
  });

  it('escapes what it prints', () => {
    const x = buildWeeklyReport(w47Input({ incidents: [{ ...w47Input().incidents[0], title: '<script>alert(1)</script> & co' }] }));
    const h = renderWeeklyHtml(x, new Map());
    assert.ok(h.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co'));
    assert.doesNotMatch(h, /<script>/);
  });

  it('in the browser preview the charts are data: URIs of the same PNGs', () => {
    const preview = renderWeeklyHtml(r, imageSources(images, 'data'));
    assert.equal((preview.match(/src="data:image\/png;base64,/g) ?? []).length, 2);
    assert.doesNotMatch(preview, /cid:/);
  });
});
