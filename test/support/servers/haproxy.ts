import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, tempDir, type RunningProcess } from './processes';

export interface HaproxyInstance {
  statsPort: number;
  csvUrl: string;
  metricsUrl: string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * A private HAProxy (foreground, -db) with a stats frontend on a free port and one backend per
 * entry of `backends`; servers are checked every 200 ms so state changes show within a second.
 */
export async function startHaproxy(backends: Record<string, { name: string; port: number; backup?: boolean }[]>): Promise<HaproxyInstance> {
  const dir = tempDir('haproxy');
  const statsPort = await freePort();
  const cfg = [
    'global',
    '  maxconn 64',
    'defaults',
    '  mode http',
    '  timeout connect 500ms',
    '  timeout client 5s',
    '  timeout server 5s',
    'frontend stats',
    `  bind 127.0.0.1:${statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    '  http-request use-service prometheus-exporter if { path /metrics }',
    ...Object.entries(backends).flatMap(([name, servers]) => [
      `backend ${name}`,
      '  option httpchk GET /',
      ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check inter 200ms fall 2 rise 1${s.backup ? ' backup' : ''}`),
    ]),
    '',
  ].join('\n');
  const file = join(dir.path, 'haproxy.cfg');
  writeFileSync(file, cfg);
  const proc: RunningProcess = startProcess('haproxy', ['-db', '-f', file]);
  return {
    statsPort,
    csvUrl: `http://127.0.0.1:${statsPort}/stats;csv`,
    metricsUrl: `http://127.0.0.1:${statsPort}/metrics`,
    output: proc.output,
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
