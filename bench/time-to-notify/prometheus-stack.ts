import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Child, freePort, httpGet, spawnBounded, waitUntil } from './children';

export const PROMETHEUS = '/usr/bin/prometheus';
export const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

/**
 * The reference stack: blackbox_exporter probes, Prometheus scrapes it and evaluates the rule,
 * Alertmanager groups and sends the webhook — four hops from a failure to the receiver.
 *
 * `tight`: as fast as each allows. Prometheus scrape and evaluation every 1s (scrape_timeout 1s,
 * the blackbox module 500ms like Nines' probe timeout), rule `probe_success == 0` with `for: 0s`,
 * so the alert fires on the first evaluation that sees the failed scrape and is sent to
 * Alertmanager at once (--rules.alert.resend-delay, 1m by default, only spaces out re-sends of
 * an alert already sent). Alertmanager: group_wait 0s (a new group flushes immediately),
 * group_interval 1s, group_by ['...'] (one group per alert, like Nines' route below).
 *
 * `defaults`: what each does out of the box: no global section (scrape and evaluation every
 * 1m, scrape_timeout 10s), a blackbox module that only says `prober: http`, an Alertmanager
 * route that only names its receiver (group_wait 30s, group_interval 5m, no group_by).
 *
 * Both: Alertmanager's cluster listener is off (`--cluster.listen-address=`): one instance, and
 * no fixed port 9094 shared with whatever else runs on the machine; a single instance with
 * gossip has no peers to wait for, so this changes no timing.
 */
export type Profile = 'tight' | 'defaults';

export interface PromStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  blackboxUrl: string;
  children: Child[];
  stop(): Promise<void>;
}

export async function startPrometheusStack(opts: {
  dir: string;
  profile: Profile;
  targets: string[]; // URLs of the endpoints to probe
  webhookUrl: string;
  boundSeconds: number;
}): Promise<PromStack> {
  const { dir, profile } = opts;
  mkdirSync(dir, { recursive: true });
  const [promPort, amPort, bbPort] = [await freePort(), await freePort(), await freePort()];
  const tight = profile === 'tight';

  writeFileSync(
    join(dir, 'blackbox.yml'),
    tight
      ? `modules:\n  http_2xx:\n    prober: http\n    timeout: 500ms\n`
      : `modules:\n  http_2xx:\n    prober: http\n`,
  );
  writeFileSync(
    join(dir, 'rules.yml'),
    `groups:\n  - name: bench\n    rules:\n      - alert: EndpointDown\n        expr: probe_success == 0\n${tight ? '        for: 0s\n' : ''}`,
  );
  const global = tight ? `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n` : '';
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `${global}alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${amPort}']
rule_files: ['${join(dir, 'rules.yml')}']
scrape_configs:
  - job_name: blackbox
    metrics_path: /probe
    params: { module: [http_2xx] }
    static_configs:
      - targets: ${JSON.stringify(opts.targets)}
    relabel_configs:
      - { source_labels: [__address__], target_label: __param_target }
      - { source_labels: [__param_target], target_label: instance }
      - { target_label: __address__, replacement: '127.0.0.1:${bbPort}' }
`,
  );
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    tight
      ? `route:
  receiver: bench
  group_by: ['...']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: bench
    webhook_configs:
      - url: '${opts.webhookUrl}'
        send_resolved: true
`
      : `route:
  receiver: bench
receivers:
  - name: bench
    webhook_configs:
      - url: '${opts.webhookUrl}'
`,
  );

  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop()));
  };
  try {
    const bb = spawnBounded('blackbox_exporter', BLACKBOX, [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=127.0.0.1:${bbPort}`, '--log.level=warn'], { boundSeconds: opts.boundSeconds });
    children.push(bb);
    mkdirSync(join(dir, 'am'), { recursive: true });
    const am = spawnBounded(
      'alertmanager',
      ALERTMANAGER,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=', '--log.level=warn'],
      { boundSeconds: opts.boundSeconds },
    );
    children.push(am);
    mkdirSync(join(dir, 'tsdb'), { recursive: true });
    const prom = spawnBounded(
      'prometheus',
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
      { boundSeconds: opts.boundSeconds },
    );
    children.push(prom);
    const ready = (url: string) => async () => (await httpGet(url))?.status === 200;
    await waitUntil('blackbox_exporter', ready(`http://127.0.0.1:${bbPort}/-/healthy`), 30_000, bb);
    await waitUntil('alertmanager', ready(`http://127.0.0.1:${amPort}/-/ready`), 30_000, am);
    await waitUntil('prometheus', ready(`http://127.0.0.1:${promPort}/-/ready`), 60_000, prom);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    blackboxUrl: `http://127.0.0.1:${bbPort}`,
    children,
    stop,
  };
}

/** Whether Prometheus has discovered Alertmanager (its notifier sends nowhere before that). */
export async function prometheusSeesAlertmanager(s: PromStack): Promise<boolean> {
  const r = await httpGet(`${s.prometheusUrl}/api/v1/alertmanagers`);
  return !!r && r.status === 200 && (JSON.parse(r.body).data?.activeAlertmanagers?.length ?? 0) > 0;
}
