import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allPanels, dashboardQueries, GRAFANA_DIR, loadDashboards, loadYaml, type DashboardFile, type Json } from '../support/grafana';
import { checkAgainstGrafanaSchema } from '../support/grafana-schema';

/**
 * The Grafana files without Grafana (it cannot be installed here): every dashboard against
 * Grafana's published schema (@grafana/schema) and the structure Grafana's dashboard model
 * needs; the provisioning files; the example Prometheus config through promtool. That the
 * queries return data is test/e2e/grafana-queries.test.ts.
 */
const dashboards = loadDashboards();
const datasources = loadYaml('provisioning/datasources/nines.yaml');
const providers = loadYaml('provisioning/dashboards/nines.yaml');
const DS_UIDS = new Map<string, string>(datasources.datasources.map((d: Json) => [d.uid, d.type]));
const GRAFANA_BUILTIN_DS = '-- Grafana --';
const BUILTIN_VARS = new Set(['__range', '__rate_interval', '__interval', '__interval_ms', '__range_s', '__range_ms', '__from', '__to', '__dashboard', '__org', '__user']);

const byFile = (name: string) => {
  const d = dashboards.find((x) => x.file === name);
  assert.ok(d, `grafana/dashboards/${name} is missing (have ${dashboards.map((x) => x.file).join(', ')})`);
  return d;
};
const exprs = (d: DashboardFile) => dashboardQueries(d).map((q) => q.text).join('\n');

describe('Grafana provisioning', () => {
  it('provisions a Prometheus and a PostgreSQL data source with fixed uids, PostgreSQL as the read-only role', () => {
    assert.equal(datasources.apiVersion, 1);
    assert.equal(DS_UIDS.get('nines-prometheus'), 'prometheus');
    assert.equal(DS_UIDS.get('nines-postgres'), 'grafana-postgresql-datasource');
    const pg = datasources.datasources.find((d: Json) => d.uid === 'nines-postgres');
    assert.equal(pg.user, 'nines_grafana');
    assert.ok(pg.jsonData?.database, 'the PostgreSQL data source names its database');
    assert.ok(pg.secureJsonData?.password?.startsWith('$'), 'the password comes from the environment, never from the file');
  });

  it('provisions the dashboards folder through a file provider', () => {
    assert.equal(providers.apiVersion, 1);
    const [p] = providers.providers;
    assert.equal(p.type, 'file');
    assert.ok(p.options?.path, 'the provider has a path');
  });

  it('the example prometheus.yml passes promtool and discovers targets through /api/v1/sd', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('promtool', ['check', 'config', join(GRAFANA_DIR, 'prometheus.yml')], (err, stdout, stderr) => (err ? reject(new Error(`${stdout}${stderr}`)) : resolve(stdout + stderr))),
    );
    assert.match(out, /SUCCESS/);
    const prom = loadYaml('prometheus.yml');
    const jobs: Json[] = prom.scrape_configs;
    assert.ok(jobs.some((j) => j.static_configs?.some((s: Json) => s.targets.includes('127.0.0.1:9797'))), 'a job scrapes Nines on 127.0.0.1:9797');
    const sd = jobs.flatMap((j) => j.http_sd_configs ?? []).map((c: Json) => c.url);
    assert.ok(sd.some((u: string) => u.startsWith('http://127.0.0.1:9797/api/v1/sd')), `http_sd_configs point at /api/v1/sd: ${sd}`);
  });
});

describe('Grafana dashboards', () => {
  it('has the five dashboards', () => {
    for (const f of ['availability.json', 'failovers-incidents.json', 'replication.json', 'probes.json', 'locations.json']) byFile(f);
  });

  for (const d of dashboards) {
    describe(d.file, () => {
      const j = d.json;
      const panels = allPanels(j);

      it('is a dashboard model: title, uid, schemaVersion, time, templating, panels', () => {
        assert.equal(typeof j.title, 'string');
        assert.match(j.uid, /^[a-zA-Z0-9_-]{1,40}$/, 'uid: at most 40 letters, digits, - or _');
        assert.ok(Number.isInteger(j.schemaVersion) && j.schemaVersion >= 36 && j.schemaVersion <= 41, `schemaVersion ${j.schemaVersion}`);
        assert.equal(j.id, null, 'provisioned dashboards carry no database id');
        assert.ok(j.time?.from && j.time?.to);
        assert.ok(Array.isArray(j.templating?.list));
        assert.ok(panels.length >= 4, 'has panels');
      });

      it('panels: unique ids, gridPos within 24 columns, no overlaps', () => {
        const ids = panels.map((p) => p.id);
        assert.equal(new Set(ids).size, ids.length, `duplicate panel ids: ${ids}`);
        for (const p of panels) {
          const g = p.gridPos;
          assert.ok(g && [g.x, g.y, g.w, g.h].every((v) => Number.isInteger(v)), `panel ${p.id}: gridPos {x,y,w,h} integers`);
          assert.ok(g.x >= 0 && g.y >= 0 && g.w >= 1 && g.h >= 1 && g.x + g.w <= 24, `panel ${p.id} ${p.title}: gridPos ${JSON.stringify(g)} outside 24 columns`);
          assert.ok(p.title, `panel ${p.id} has a title`);
        }
        for (const a of panels)
          for (const b of panels) {
            if (a.id >= b.id) continue;
            const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
            assert.ok(!overlap, `panels ${a.id} ${a.title} and ${b.id} ${b.title} overlap`);
          }
      });

      it('every data source reference is a provisioned uid of the right type; every query has its field', () => {
        const check = (where: string, ds: Json) => {
          assert.ok(ds?.uid, `${where}: names its data source by uid`);
          if (ds.uid === GRAFANA_BUILTIN_DS) return;
          assert.ok(DS_UIDS.has(ds.uid), `${where}: data source uid ${ds.uid} is not provisioned (${[...DS_UIDS.keys()]})`);
          assert.equal(ds.type, DS_UIDS.get(ds.uid), `${where}: data source type`);
        };
        for (const p of panels) {
          if (p.type === 'row') continue;
          check(`panel ${p.id}`, p.datasource);
          const refIds = (p.targets ?? []).map((t: Json) => t.refId);
          assert.ok(refIds.length > 0, `panel ${p.id} ${p.title} has queries`);
          assert.equal(new Set(refIds).size, refIds.length, `panel ${p.id}: duplicate refIds`);
          for (const t of p.targets) {
            const ds = t.datasource ?? p.datasource;
            check(`panel ${p.id} ${t.refId}`, ds);
            if (DS_UIDS.get(ds.uid) === 'prometheus') assert.ok(t.expr, `panel ${p.id} ${t.refId}: a Prometheus query has expr`);
            else {
              assert.ok(t.rawSql, `panel ${p.id} ${t.refId}: a SQL query has rawSql`);
              assert.ok(['table', 'time_series'].includes(t.format), `panel ${p.id} ${t.refId}: format table or time_series`);
            }
          }
        }
        for (const a of j.annotations?.list ?? []) check(`annotation ${a.name}`, a.datasource);
        for (const v of j.templating.list) if (v.type === 'query') check(`variable ${v.name}`, v.datasource);
      });

      it('every $variable a query uses is defined or built in; SQL reads only the documented views and tables', () => {
        const defined = new Set(j.templating.list.map((v: Json) => v.name));
        for (const q of dashboardQueries(d)) {
          for (const m of q.text.matchAll(/\$\{?(\w+)/g)) {
            const name = m[1];
            if (q.kind === 'sql' && /^__(time|timeFilter|timeFrom|timeTo|timeGroup|timeGroupAlias|timeEpoch|unixEpochFilter)$/.test(name)) continue;
            assert.ok(defined.has(name) || BUILTIN_VARS.has(name), `${q.where}: $${name} is not a variable of ${d.file}`);
          }
          if (q.kind === 'sql') {
            const relations = [...q.text.matchAll(/\b(?:from|join)\s+([a-z_][a-z0-9_]*)/gi)].map((m) => m[1].toLowerCase());
            const readable = ['nines_incidents', 'nines_incident_timeline', 'nines_failovers', 'nines_alert_history', 'systems', 'targets', 'target_state', 'probe_results', 'probe_rollup_minute'];
            for (const r of relations) assert.ok(readable.includes(r), `${q.where}: reads ${r}, which the read-only role nines_grafana may not`);
          }
        }
      });

      // The locations dashboard is filtered by location (its series carry no system label).
      const varName = d.file === 'locations.json' ? 'location' : 'system';
      it(`has the ${varName} variable (a Prometheus query variable, multi-value with All)`, () => {
        const v = j.templating.list.find((x: Json) => x.name === varName);
        assert.ok(v, `variable ${varName}`);
        assert.equal(v.type, 'query');
        assert.equal(v.datasource.uid, 'nines-prometheus');
        assert.match(typeof v.query === 'string' ? v.query : v.query.query, new RegExp(`^label_values\\(\\w+, ${varName}\\)$`));
        assert.ok(v.multi && v.includeAll);
        // A custom All value (".*") would reach SQL as the string '.*'; without one, All lists every value.
        assert.equal(v.allValue, undefined);
      });
    });
  }

  it('availability: nines, availability per system and SLO, budget remaining, burn rates; system and slo variables', () => {
    const d = byFile('availability.json');
    const vars = d.json.templating.list.map((v: Json) => v.name);
    assert.ok(vars.includes('slo') && vars.includes('system'));
    const text = exprs(d);
    for (const m of ['nines_slo_nines', 'nines_slo_availability_ratio', 'nines_slo_error_budget_remaining_ratio', 'nines_slo_burn_rate', 'nines_slo_objective_ratio', 'nines_system_up'])
      assert.ok(text.includes(m), `availability uses ${m}`);
  });

  it('failovers and incidents: the timeline as PostgreSQL annotations, an RTO/RPO table, failovers per system', () => {
    const d = byFile('failovers-incidents.json');
    const annotations = dashboardQueries(d).filter((q) => q.annotation);
    assert.ok(annotations.some((q) => q.text.includes('nines_incident_timeline') && q.datasource.uid === 'nines-postgres'));
    const rto = allPanels(d.json).find((p) => p.type === 'table' && p.targets.some((t: Json) => /rto_seconds/.test(t.rawSql) && /rpo_lag/.test(t.rawSql)));
    assert.ok(rto, 'a table of RTO and RPO from nines_incidents');
    assert.ok(exprs(d).includes('nines_failovers_total') && exprs(d).includes('from nines_failovers'));
  });

  it('replication: lag in seconds and bytes per member, roles over time as a state timeline', () => {
    const d = byFile('replication.json');
    assert.ok(exprs(d).includes('nines_replication_lag_seconds') && exprs(d).includes('nines_replication_lag_bytes'));
    assert.ok(allPanels(d.json).some((p) => p.type === 'state-timeline' && p.targets.some((t: Json) => t.expr?.includes('nines_member_role'))));
  });

  it('probes: success, latency percentiles, failure reasons', () => {
    const text = exprs(byFile('probes.json'));
    for (const s of ['probe_success', 'quantile(0.99, probe_duration_seconds', 'nines_probes_failed_total', 'histogram_quantile', 'last_reason']) assert.ok(text.includes(s), `probes uses ${s}`);
  });

  it('every dashboard type-checks against @grafana/schema (dashboard model, panel options, field config)', () => {
    const problems = checkAgainstGrafanaSchema(dashboards);
    assert.deepEqual(problems, []);
  });

  it('the schema check rejects a broken dashboard (misspelt key, wrong type, unknown enum value)', () => {
    // One mistake per copy, all compiled at once: TypeScript may report only the first error of an object.
    const mistakes: [string, string, (j: Json, p: Json) => void][] = [
      ['refresh-not-enum', 'sometimes', (j) => (j.templating.list[0].refresh = 'sometimes')],
      ['gridpos-string', "'string' is not assignable to type 'number'", (_j, p) => (p.gridPos.w = '12')],
      ['thresholds-mode', 'absolut', (_j, p) => (p.fieldConfig.defaults.thresholds.mode = 'absolut')],
      ['legend-placement', 'middle', (_j, p) => (p.options.legend.placement = 'middle')],
      ['draw-style', 'squiggle', (_j, p) => (p.fieldConfig.defaults.custom.drawStyle = 'squiggle')],
      ['misspelt-key', 'datasorce', (_j, p) => (p.datasorce = p.datasource)],
      ['unknown-top-level-key', 'panles', (j) => (j.panles = [])],
      ['query-without-refid', 'refId', (_j, p) => delete p.targets[0].refId],
    ];
    const copies = mistakes.map(([name, , mutate]) => {
      const copy = structuredClone(byFile('probes.json'));
      mutate(copy.json, allPanels(copy.json).find((x) => x.type === 'timeseries'));
      return { ...copy, file: `${name}.json` };
    });
    const problems = checkAgainstGrafanaSchema(copies);
    for (const [name, needle] of mistakes) {
      const text = problems.filter((x) => x.file === `${name}.json`).map((x) => `${x.where}: ${x.message}`).join('\n');
      assert.ok(text.includes(needle), `${name} not caught (looked for ${needle}):\n${text}`);
    }
  });
});
