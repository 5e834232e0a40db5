/** Minimal JSON path: `a.b[0].c`, `$.a.b`, `a["key with dots"]`. Enough for health endpoints. */
export type PathStep = string | number;

export function parseJsonPath(path: string): PathStep[] | undefined {
  let s = path.trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: PathStep[] = [];
  const re = /^(?:\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[["']([^"']*)["']\])/;
  while (s.length) {
    const m = re.exec(s);
    if (!m) return undefined;
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push(m[3]);
    s = s.slice(m[0].length);
  }
  return steps;
}

export function evaluateJsonPath(doc: unknown, steps: PathStep[]): { exists: boolean; value?: unknown } {
  let cur: unknown = doc;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') return { exists: false };
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return { exists: false };
      cur = cur[step];
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, step)) return { exists: false };
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return { exists: true, value: cur };
}
