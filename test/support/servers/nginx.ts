import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, tempDir, type RunningProcess } from './processes';

export interface NginxInstance {
  port: number;
  statusUrl: string;
  /** A location proxied to `upstreamPort`. */
  proxiedUrl: string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * A private nginx (foreground, own prefix in a temp dir) on a free port serving stub_status at
 * /nginx_status and proxying /app/ to 127.0.0.1:upstreamPort.
 */
export async function startNginx(upstreamPort: number): Promise<NginxInstance> {
  const dir = tempDir('nginx');
  const port = await freePort();
  for (const d of ['logs', 'tmp']) mkdirSync(join(dir.path, d));
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir.path}/nginx.pid;
error_log ${dir.path}/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir.path}/tmp/body;
  proxy_temp_path ${dir.path}/tmp/proxy;
  fastcgi_temp_path ${dir.path}/tmp/fastcgi;
  uwsgi_temp_path ${dir.path}/tmp/uwsgi;
  scgi_temp_path ${dir.path}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    location = /nginx_status { stub_status; }
    location /app/ {
      proxy_pass http://127.0.0.1:${upstreamPort}/;
      proxy_connect_timeout 1s;
    }
  }
}
`;
  writeFileSync(join(dir.path, 'nginx.conf'), conf);
  const proc: RunningProcess = startProcess('nginx', ['-p', dir.path, '-c', join(dir.path, 'nginx.conf'), '-e', join(dir.path, 'logs/error.log'), '-g', 'daemon off;']);
  return {
    port,
    statusUrl: `http://127.0.0.1:${port}/nginx_status`,
    proxiedUrl: `http://127.0.0.1:${port}/app/health`,
    output: proc.output,
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
