import { readFileSync } from 'node:fs';
import * as http from 'node:http';

/**
 * Drives blackbox_exporter the way Prometheus does: one `GET /probe?module=…&target=…` per
 * probe, each target once per interval, spread evenly over the interval like Nines' schedule.
 * The exporter's CPU therefore includes serving the scrape, which is part of what a blackbox
 * probe costs. Keep-alive connections to the exporter keep this driver's own cost low; it runs
 * in its own process and is not counted as the exporter's.
 */
interface Setup {
  exporter: string; // http://127.0.0.1:PORT
  module: string;
  urls: string[];
  intervalMs: number;
}

const setup = JSON.parse(readFileSync(process.env.BENCH_SETUP_FILE!, 'utf8')) as Setup;
const maxMs = Number(process.env.BENCH_MAX_MS ?? 600_000);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const probePaths = setup.urls.map((u) => `/probe?module=${encodeURIComponent(setup.module)}&target=${encodeURIComponent(u)}`);
const exporter = new URL(setup.exporter);

let results = 0;
let failures = 0;
let errors = 0;
let lags: number[] = [];
let running = true;
let timer: NodeJS.Timeout | undefined;

function probe(i: number): void {
  const req = http.get(
    { host: exporter.hostname, port: exporter.port, path: probePaths[i], agent, timeout: 10_000 },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        results += 1;
        if (res.statusCode !== 200 || !/^probe_success 1$/m.test(text)) failures += 1;
      });
      res.on('error', () => (errors += 1));
    },
  );
  req.on('timeout', () => req.destroy(new Error('scrape timeout')));
  req.on('error', () => {
    errors += 1;
    failures += 1;
  });
}

/** Probe k (k = 0, 1, 2…) of target k mod n is due at start + k·interval/n. */
function run(): void {
  const n = probePaths.length;
  const start = Date.now();
  let k = 0;
  const wake = () => {
    if (!running) return;
    const now = Date.now();
    for (;;) {
      const due = start + Math.floor((k * setup.intervalMs) / n);
      if (due > now) {
        timer = setTimeout(wake, Math.min(1000, due - now));
        return;
      }
      lags.push(now - due);
      probe(k % n);
      k += 1;
    }
  };
  wake();
}

process.on('message', (m: { type: string }) => {
  if (m.type === 'mark') {
    process.send?.({ type: 'mark', results, failures, errors, lags });
    results = failures = errors = 0;
    lags = [];
  } else if (m.type === 'stop') {
    running = false;
    if (timer) clearTimeout(timer);
    agent.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), maxMs).unref();
process.send?.({ type: 'ready' });
run();
