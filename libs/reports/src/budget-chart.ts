import { Raster } from './png';

export interface BudgetPoint {
  /** Epoch ms of the end of the day. */
  at: number;
  /** Error budget remaining, 1 = untouched, 0 = exhausted, negative = overspent. */
  remaining: number;
}

/**
 * Error budget remaining over the SLO window: a line from start to now, green while above
 * half, amber above zero, red when overspent, with the zero line drawn and an optional period
 * (the reported week) shaded. 600×200 px, retina-friendly when shown at 300×100.
 */
export function budgetChart(points: BudgetPoint[], windowStart: number, windowEnd: number, width = 600, height = 200, highlight?: { start: number; end: number }): Buffer {
  const img = new Raster(width, height, [250, 250, 250]);
  const pad = { l: 8, r: 8, t: 10, b: 10 };
  const lo = Math.min(-0.1, ...points.map((p) => p.remaining));
  const hi = 1;
  const x = (t: number) => pad.l + ((t - windowStart) / Math.max(1, windowEnd - windowStart)) * (width - pad.l - pad.r);
  const y = (v: number) => pad.t + ((hi - v) / (hi - lo)) * (height - pad.t - pad.b);
  // The reported week, shaded, so the reader sees what this week did to the budget.
  if (highlight) img.rect(Math.max(pad.l, x(highlight.start)), pad.t, Math.min(width - pad.r, x(highlight.end)), height - pad.b, [221, 232, 250]);
  for (const v of [1, 0.75, 0.5, 0.25]) img.line(pad.l, y(v), width - pad.r, y(v), [225, 225, 225], 1);
  img.rect(pad.l, y(0), width - pad.r, y(lo), [253, 226, 226]); // overspent zone
  img.line(pad.l, y(0), width - pad.r, y(0), [200, 60, 60], 2);
  const sorted = [...points].sort((a, b) => a.at - b.at);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    const color: [number, number, number] = b.remaining < 0 ? [200, 40, 40] : b.remaining < 0.5 ? [220, 140, 0] : [20, 140, 60];
    img.line(x(a.at), y(a.remaining), x(b.at), y(b.remaining), color, 3);
  }
  if (sorted.length === 1) img.rect(x(sorted[0].at) - 3, y(sorted[0].remaining) - 3, x(sorted[0].at) + 3, y(sorted[0].remaining) + 3, [20, 140, 60]);
  return img.toPng();
}
