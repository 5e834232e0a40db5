import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { allPanels, type DashboardFile, type Json } from './grafana';

/**
 * Checks dashboards against Grafana's published schema, @grafana/schema: the TypeScript types
 * Grafana generates from its CUE dashboard and panel schemas (the package ships no JSON Schema).
 * Each dashboard is compiled as an object literal typed as the schema's Dashboard, each panel's
 * options and custom field config as that panel plugin's Options and FieldConfig, so a
 * misspelt key, a wrong type or an unknown enum value is a compile error.
 */
const SCHEMA_DIR = dirname(require.resolve('@grafana/schema/package.json'));
const PANEL_TYPES: Record<string, string> = {
  timeseries: 'timeseries',
  stat: 'stat',
  table: 'table',
  bargauge: 'bargauge',
  barchart: 'barchart',
  'state-timeline': 'statetimeline',
  gauge: 'gauge',
  piechart: 'piechart',
  text: 'text',
};

const PRELUDE = `
import type * as S from '@grafana/schema';
${Object.values(PANEL_TYPES)
  .map((p) => `import type * as P_${p} from ${JSON.stringify(join(SCHEMA_DIR, `dist/types/raw/composable/${p}/panelcfg/x/types.gen`))};`)
  .join('\n')}

/** The JSON form of a schema type: string enums become their string values. */
type J<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T : T extends ReadonlyArray<infer U> ? Array<J<U>> : T extends object ? { [K in keyof T]: J<T[K]> } : T;

// Query models of the two data sources, which @grafana/schema does not ship: Prometheus' PromQuery
// and the SQL data sources' SQLQuery as Grafana's own source defines them, on the schema's DataQuery.
type PromQuery = S.DataQuery & {
  expr: string;
  legendFormat?: string;
  range?: boolean;
  instant?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  editorMode?: 'code' | 'builder';
  interval?: string;
  intervalFactor?: number;
  exemplar?: boolean;
};
type SqlQuery = S.DataQuery & {
  rawSql: string;
  format: 'table' | 'time_series';
  rawQuery?: boolean;
  editorMode?: 'code' | 'builder';
  dataset?: string;
  table?: string;
};
type Query = PromQuery | SqlQuery;
type Panel = Omit<S.Panel, 'targets'> & { targets?: Query[] };
type Row = Omit<S.RowPanel, 'panels'> & { panels: Panel[] };
// The schema's annotation target is DataQuery; SQL annotations also keep the legacy built-in fields.
type Annotation = S.AnnotationQuery<Query & Partial<S.AnnotationTarget>>;
type Dashboard = Omit<S.Dashboard, 'panels' | 'annotations'> & { panels?: Array<Panel | Row>; annotations?: { list?: Annotation[] } };
`;

export interface SchemaProblem {
  file: string;
  where: string;
  message: string;
}

/** Type-checks every dashboard (and each panel's options) against @grafana/schema. */
export function checkAgainstGrafanaSchema(dashboards: DashboardFile[]): SchemaProblem[] {
  const parts: string[] = [PRELUDE];
  const spans: { start: number; end: number; file: string; where: string }[] = [];
  let line = PRELUDE.split('\n').length;
  const emit = (file: string, where: string, decl: string) => {
    const n = decl.split('\n').length;
    spans.push({ start: line, end: line + n, file, where });
    parts.push(decl);
    line += n;
  };
  const unchecked: SchemaProblem[] = [];
  dashboards.forEach((d, di) => {
    emit(d.file, 'dashboard', `export const d${di}: J<Dashboard> = ${JSON.stringify(d.json, null, 2)};`);
    for (const p of allPanels(d.json)) {
      if (p.type === 'row') continue;
      const mod = PANEL_TYPES[p.type];
      if (!mod) {
        unchecked.push({ file: d.file, where: `panel ${p.id}`, message: `panel type ${p.type} has no schema in this check` });
        continue;
      }
      const where = `panel ${p.id} ${JSON.stringify(p.title)}`;
      if (p.options !== undefined) emit(d.file, `${where} options`, `export const o${di}_${p.id}: J<Partial<P_${mod}.Options>> = ${JSON.stringify(p.options)};`);
      const custom: Json = p.fieldConfig?.defaults?.custom;
      if (custom !== undefined) emit(d.file, `${where} fieldConfig.defaults.custom`, `export const c${di}_${p.id}: J<Partial<${fieldConfigType(mod)}>> = ${JSON.stringify(custom)};`);
    }
  });
  const source = parts.join('\n');
  const fileName = join(process.cwd(), '__grafana_dashboards_check__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSource = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === fileName ? source : read(f));
  host.fileExists = (f) => f === fileName || exists(f);
  host.getSourceFile = (f, lang, ...rest) => (f === fileName ? ts.createSourceFile(f, source, lang) : getSource(f, lang, ...rest));
  const program = ts.createProgram([fileName], options, host);
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics(), ...program.getGlobalDiagnostics()];
  const problems: SchemaProblem[] = [...unchecked];
  for (const diag of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(diag.messageText, '\n');
    if (!diag.file || diag.file.fileName !== fileName || diag.start === undefined) {
      problems.push({ file: '(schema)', where: diag.file?.fileName ?? '', message });
      continue;
    }
    const { line: l } = diag.file.getLineAndCharacterOfPosition(diag.start);
    const span = spans.find((s) => l >= s.start && l < s.end);
    const text = source.split('\n')[l]?.trim();
    problems.push({ file: span?.file ?? '(prelude)', where: `${span?.where ?? ''} at ${JSON.stringify(text)}`, message });
  }
  return problems;
}

function fieldConfigType(mod: string): string {
  // Stat, gauge, bar gauge and text have no custom field config of their own.
  return ['stat', 'gauge', 'bargauge', 'text'].includes(mod) ? 'Record<string, never>' : `P_${mod}.FieldConfig`;
}
