import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { budgetChart } from './budget-chart';

/** The pixels of an 8-bit RGBA PNG with filter 0 rows (what Raster writes). */
function decode(png: Buffer): { width: number; height: number; pixel: (x: number, y: number) => number[] } {
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  assert.equal(raw.length, (width * 4 + 1) * height);
  return { width, height, pixel: (x, y) => [...raw.subarray(y * (width * 4 + 1) + 1 + x * 4, y * (width * 4 + 1) + 1 + x * 4 + 4)] };
}

describe('budget chart: an inline PNG mail clients show', () => {
  const D = 86_400_000;
  const start = Date.UTC(2026, 9, 24);
  const end = start + 30 * D;
  const points = Array.from({ length: 31 }, (_, i) => ({ at: start + i * D, remaining: 1 - i / 20 }));

  it('is a valid 600×200 RGBA PNG (shown at 300×100)', () => {
    const png = decode(budgetChart(points, start, end));
    assert.equal(png.width, 600);
    assert.equal(png.height, 200);
  });

  it('shades the reported week and draws the budget line in green, then red once overspent', () => {
    const png = decode(budgetChart(points, start, end, 600, 200, { start: end - 7 * D, end }));
    const xOf = (t: number) => Math.round(8 + ((t - start) / (end - start)) * 584);
    assert.deepEqual(png.pixel(xOf(end - 3 * D), 12), [221, 232, 250, 255], 'the week is shaded');
    assert.deepEqual(png.pixel(xOf(start + 3 * D), 12), [250, 250, 250, 255], 'before it is not');
    const column = (x: number) => Array.from({ length: 200 }, (_, y) => png.pixel(x, y).slice(0, 3).join(','));
    assert.ok(column(xOf(start + 2 * D)).includes('20,140,60'), 'green while more than half is left');
    assert.ok(column(xOf(end - D)).includes('200,40,40'), 'red when overspent');
  });
});
