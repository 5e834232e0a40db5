import { stringify } from 'yaml';
import { parseUserYamlDocuments, YamlInputError } from '../../common/src/yaml-input';
import { bucketList, latencyBucket, bucketLabel } from './latency-buckets';
import type { RawSlo, SloSelector } from './definition';
import { validateSlo, type SloReferences } from './validate';

/**
 * OpenSLO v1 → Nines SLOs, for the fields that map: ratio or threshold indicators over Nines'
 * probes (a metric source of type Nines, or a Prometheus query on probe_success /
 * probe_duration_seconds selecting a target or a system), rolling or calendar time windows,
 * Occurrences budgeting, and objectives (one Nines SLO per objective). Everything else is an
 * error naming the document and field, or — for fields Nines has its own answer to, like
 * alertPolicies — a note.
 */

export interface ImportIssue {
  doc: string;
  path: string;
  message: string;
}

export interface ImportResult {
  slos: RawSlo[];
  errors: ImportIssue[];
  notes: ImportIssue[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

const MATCHER = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;

interface Source {
  selector: SloSelector;
  metric: 'probe_success' | 'probe_duration_seconds';
}

/** What a metricSource measures, or why it cannot be mapped. */
function metricSource(ms: unknown, path: string, err: (path: string, message: string) => void): Source | undefined {
  if (!isObj(ms)) return err(path, 'needs a metricSource'), undefined;
  const type = (str(ms.type) ?? '').toLowerCase();
  const spec = isObj(ms.spec) ? ms.spec : {};
  if (type === 'nines') {
    const selector: SloSelector = {};
    if (str(spec.target)) selector.target = str(spec.target);
    else if (str(spec.system)) selector.system = str(spec.system);
    else if (isObj(spec.labels)) selector.labels = Object.fromEntries(Object.entries(spec.labels).map(([k, v]) => [k, String(v)]));
    else return err(`${path}.spec`, 'a Nines metric source needs target, system or labels'), undefined;
    const metric = spec.metric === 'probe_duration_seconds' || spec.metric === 'latency' ? 'probe_duration_seconds' : 'probe_success';
    return { selector, metric };
  }
  if (type === 'prometheus') {
    const query = str(spec.query) ?? str(spec.promql);
    if (!query) return err(`${path}.spec.query`, 'is required'), undefined;
    const m = /\b(probe_success|probe_duration_seconds)\s*\{([^}]*)\}/.exec(query);
    if (!m) return err(`${path}.spec.query`, `must read Nines' probe_success or probe_duration_seconds (got ${JSON.stringify(query)})`), undefined;
    const eq = new Map<string, string>();
    for (const x of m[2].matchAll(MATCHER)) if (x[2] === '=') eq.set(x[1], x[3]);
    if (eq.has('target')) return { selector: { target: eq.get('target') }, metric: m[1] as Source['metric'] };
    if (eq.has('system')) return { selector: { system: eq.get('system') }, metric: m[1] as Source['metric'] };
    return err(`${path}.spec.query`, `must select one target (target="…") or system (system="…") of Nines' probes (got ${JSON.stringify(query)})`), undefined;
  }
  return err(`${path}.type`, `${JSON.stringify(ms.type)} is not a source Nines can map (use type Nines, or Prometheus with probe_success{target="…"})`), undefined;
}

function window(tw: unknown, path: string, err: (p: string, m: string) => void, note: (p: string, m: string) => void): { window: string; timezone?: string } | undefined {
  const list = Array.isArray(tw) ? tw : [tw];
  if (!isObj(list[0])) return err(path, 'is required: [{ duration: 28d, isRolling: true }]'), undefined;
  if (list.length > 1) note(path, 'only the first time window is used');
  const w = list[0];
  const d = str(w.duration) ?? '';
  const m = /^(\d+)([mhdwMQY])$/.exec(d);
  if (!m) return err(`${path}[0].duration`, `must be a duration like 28d, 1w, 1M, 1Q (got ${JSON.stringify(w.duration)})`), undefined;
  const [n, unit] = [Number(m[1]), m[2]];
  if (w.isRolling === false || isObj(w.calendar)) {
    const cal = isObj(w.calendar) ? w.calendar : {};
    const timezone = str(cal.timeZone);
    if (cal.startTime !== undefined) note(`${path}[0].calendar.startTime`, 'Nines calendar windows start on Monday, the 1st of the month or of the quarter');
    const name = n === 1 ? ({ w: 'week', M: 'month', Q: 'quarter' } as Record<string, string>)[unit] : undefined;
    if (!name) return err(`${path}[0].duration`, `a calendar window must be 1w, 1M or 1Q (got ${d})`), undefined;
    return { window: name, timezone };
  }
  if ('MQY'.includes(unit)) return err(`${path}[0].duration`, `a rolling window needs a fixed length in m, h, d or w (got ${d})`), undefined;
  return { window: `${n}${unit}` };
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '');

export function importOpenSlo(text: string, refs?: SloReferences): ImportResult {
  const out: ImportResult = { slos: [], errors: [], notes: [] };
  let docs: ReturnType<typeof parseUserYamlDocuments>;
  try {
    docs = parseUserYamlDocuments(text);
  } catch (err) {
    if (!(err instanceof YamlInputError)) throw err;
    return { ...out, errors: [{ doc: 'doc[0]', path: '(yaml)', message: err.message }] };
  }
  const parsed: { i: number; doc: Obj }[] = [];
  docs.forEach((d, i) => {
    if (d.error !== undefined) out.errors.push({ doc: `doc[${i}]`, path: '(yaml)', message: d.error });
    else if (isObj(d.value)) parsed.push({ i, doc: d.value as Obj });
  });
  // Indicators defined in their own documents, for indicatorRef.
  const slis = new Map<string, Obj>();
  for (const { doc } of parsed) if (doc.kind === 'SLI' && isObj(doc.metadata) && str(doc.metadata.name)) slis.set(str(doc.metadata.name)!, doc);

  for (const { i, doc } of parsed) {
    const name = isObj(doc.metadata) ? str(doc.metadata.name) : undefined;
    const errorsBefore = out.errors.length;
    const where = `doc[${i}]${name ? ` (${doc.kind ?? '?'} ${name})` : ''}`;
    const err = (path: string, message: string) => out.errors.push({ doc: where, path, message });
    const note = (path: string, message: string) => out.notes.push({ doc: where, path, message });
    if (doc.kind === 'SLI') continue;
    if (doc.kind !== 'SLO') {
      note('kind', `${JSON.stringify(doc.kind)} documents are not imported (only SLO, and the SLI documents they refer to)`);
      continue;
    }
    if (doc.apiVersion !== 'openslo/v1') err('apiVersion', `must be openslo/v1 (got ${JSON.stringify(doc.apiVersion)})`);
    if (!name) {
      err('metadata.name', 'is required');
      continue;
    }
    const spec = isObj(doc.spec) ? doc.spec : {};
    let sliSpec: Obj | undefined;
    let sliPath = 'spec.indicator.spec';
    if (isObj(spec.indicator)) sliSpec = isObj(spec.indicator.spec) ? spec.indicator.spec : undefined;
    else if (str(spec.indicatorRef)) {
      const ref = slis.get(str(spec.indicatorRef)!);
      if (!ref) err('spec.indicatorRef', `no SLI document named ${JSON.stringify(spec.indicatorRef)} in this file`);
      sliSpec = ref && isObj(ref.spec) ? ref.spec : undefined;
      sliPath = `SLI ${spec.indicatorRef}: spec`;
    } else err('spec.indicator', 'is required (or spec.indicatorRef)');

    let source: Source | undefined;
    let threshold = false;
    if (sliSpec && isObj(sliSpec.ratioMetric)) {
      const r = sliSpec.ratioMetric;
      const good = isObj(r.good) ? metricSource(r.good.metricSource, `${sliPath}.ratioMetric.good.metricSource`, err) : undefined;
      if (!isObj(r.good)) err(`${sliPath}.ratioMetric.good`, isObj(r.bad) ? 'bad/total ratios are not supported: give good/total' : 'is required');
      if (good && good.metric !== 'probe_success') err(`${sliPath}.ratioMetric.good`, 'must count successful probes (probe_success)');
      source = good;
    } else if (sliSpec && isObj(sliSpec.thresholdMetric)) {
      source = metricSource(sliSpec.thresholdMetric.metricSource, `${sliPath}.thresholdMetric.metricSource`, err);
      threshold = true;
    } else if (sliSpec) err(sliPath, 'needs ratioMetric or thresholdMetric');

    const method = str(spec.budgetingMethod) ?? 'Occurrences';
    if (method !== 'Occurrences') err('spec.budgetingMethod', `${method} is not supported: Nines counts occurrences (probes, or minutes for a system without an endpoint)`);
    const tw = window(spec.timeWindow, 'spec.timeWindow', err, note);
    if (Array.isArray(spec.alertPolicies) && spec.alertPolicies.length) note('spec.alertPolicies', 'ignored: Nines alerts on multi-window burn rates (SLOBurnRate, page and ticket)');
    const objectives = Array.isArray(spec.objectives) ? spec.objectives : [];
    if (!objectives.length) err('spec.objectives', 'needs at least one objective');

    const labels: Record<string, string> = {};
    if (isObj(doc.metadata) && isObj(doc.metadata.labels))
      for (const [k, v] of Object.entries(doc.metadata.labels)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) labels[k] = Array.isArray(v) ? v.join(',') : String(v);
    if (str(spec.service)) labels.service = str(spec.service)!;

    objectives.forEach((o: unknown, j: number) => {
      const path = `spec.objectives[${j}]`;
      if (!isObj(o)) return err(path, 'must be a mapping');
      let objective: number | undefined;
      if (typeof o.targetPercent === 'number') objective = o.targetPercent;
      else if (typeof o.target === 'number') objective = +(o.target * 100).toPrecision(12);
      else return err(`${path}.target`, 'is required (a ratio like 0.999, or targetPercent: 99.9)');
      if (o.timeSliceTarget !== undefined || o.timeSliceWindow !== undefined) return err(`${path}.timeSliceTarget`, 'time slices are not supported: Nines counts occurrences');
      let sli: RawSlo['sli'] = { kind: 'availability' };
      if (threshold && source) {
        const op = str(o.op);
        const value = typeof o.value === 'number' ? o.value : undefined;
        if (source.metric === 'probe_duration_seconds') {
          if (op !== 'lte' && op !== 'lt') return err(`${path}.op`, `must be lte for a latency threshold (got ${JSON.stringify(o.op)})`);
          if (value === undefined) return err(`${path}.value`, 'is required: the latency threshold in seconds');
          const ms = Math.round(value * 1000);
          if (!latencyBucket(ms)) return err(`${path}.value`, `${value}s is not one of the latency boundaries Nines counts: ${bucketList()}`);
          sli = { kind: 'latency', threshold: bucketLabel(ms) };
        } else if (!((op === 'gte' && value === 1) || (op === 'gt' && value === 0))) {
          return err(`${path}.op`, 'a threshold on probe_success must be gte 1 (the probe succeeded)');
        }
      }
      if (!source || !tw || out.errors.length > errorsBefore) return;
      const sloName = objectives.length === 1 ? name : `${name}-${slug(str(o.displayName) ?? '') || j + 1}`;
      const raw = {
        name: sloName,
        ...(str(spec.description) ? { description: str(spec.description) } : {}),
        selector: source.selector,
        sli,
        objective,
        window: tw.window,
        ...(tw.timezone ? { timezone: tw.timezone } : {}),
        ...(Object.keys(labels).length ? { labels } : {}),
      };
      const v = validateSlo(raw, refs);
      if (!v.slo) for (const issue of v.issues) err(`${path} → ${issue.path}`, issue.message);
      else out.slos.push(v.slo);
    });
  }
  return out;
}

/** The imported SLOs as a `slos:` section of nines.yaml (defaults left out). */
export function toNinesYaml(slos: RawSlo[]): string {
  const lean = slos.map((s) => {
    const o: Record<string, unknown> = { name: s.name };
    if (s.description) o.description = s.description;
    o.selector = s.selector;
    if (s.sli.kind === 'latency') o.sli = s.sli;
    o.objective = s.objective;
    o.window = s.window;
    if (s.timezone !== 'UTC') o.timezone = s.timezone;
    if (s.labels && Object.keys(s.labels).length) o.labels = s.labels;
    return o;
  });
  return stringify({ slos: lean }, { lineWidth: 0 });
}

export function formatImportIssue(file: string, i: ImportIssue): string {
  return `${file} ${i.doc}: ${i.path}: ${i.message}`;
}
