import { spawn } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { formatDuration } from '../../../common/src/duration';
import type { ProbeContext, ProbeDriver } from '../driver';
import type { Observation } from '../observation';

const MAX_OUTPUT = 64 * 1024;

/**
 * Runs a Nagios/Icinga/Monitoring-Plugins check. The command runs with Nines' privileges, so it
 * may only come from the config file (the API has no way to create probes), is an absolute path
 * and is spawned without a shell: args are passed as they are, never interpreted.
 */
export const nagiosSchema = z
  .object({
    command: z.string().refine((s) => isAbsolute(s), { message: 'must be an absolute path' }),
    args: z.array(z.string()).default([]),
  })
  .strict();
export type NagiosSpec = z.infer<typeof nagiosSchema>;

export interface PerfValue {
  value: number;
  uom?: string;
  warn?: string;
  crit?: string;
  min?: number;
  max?: number;
}

/** Parses plugin perfdata: 'label'=value[UOM];[warn];[crit];[min];[max], space-separated. */
export function parsePerfdata(text: string): Record<string, PerfValue> {
  const out: Record<string, PerfValue> = {};
  const re = /\s*(?:'((?:[^']|'')+)'|([^\s=']+))=(\S*)/g;
  for (const m of text.matchAll(re)) {
    const label = m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2];
    const [raw, warn, crit, min, max] = m[3].split(';');
    const vm = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([a-zA-Z%/]*)$/.exec(raw ?? '');
    if (!vm) continue; // "U" (undetermined) or garbage: skip that one label, keep the rest
    const v: PerfValue = { value: Number(vm[1]) };
    if (vm[2]) v.uom = vm[2];
    if (warn) v.warn = warn;
    if (crit) v.crit = crit;
    if (min && Number.isFinite(Number(min))) v.min = Number(min);
    if (max && Number.isFinite(Number(max))) v.max = Number(max);
    out[label] = v;
  }
  return out;
}

/**
 * Splits plugin output by the plugin API: first line "TEXT | perfdata", then optional long text,
 * whose own "| perfdata" continues to the end.
 */
export function splitPluginOutput(stdout: string): { summary: string; longText: string; perfdata: Record<string, PerfValue> } {
  const lines = stdout.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const [first = '', ...rest] = lines;
  const bar = first.indexOf('|');
  const summary = (bar >= 0 ? first.slice(0, bar) : first).trim();
  let perf = bar >= 0 ? first.slice(bar + 1) : '';
  const long: string[] = [];
  let inPerf = false;
  for (const l of rest) {
    if (inPerf) perf += ' ' + l;
    else {
      const b = l.indexOf('|');
      if (b >= 0) {
        long.push(l.slice(0, b));
        perf += ' ' + l.slice(b + 1);
        inPerf = true;
      } else long.push(l);
    }
  }
  return { summary, longText: long.join('\n').trim(), perfdata: parsePerfdata(perf) };
}

const STATES = ['ok', 'warning', 'critical', 'unknown'] as const;

/** Exit status → observation: 0 up, 1 up with warning, 2 down, 3 down "unknown: …". */
export function interpretPlugin(exitCode: number, stdout: string): Observation {
  const { summary, longText, perfdata } = splitPluginOutput(stdout);
  const text = summary || '(no output)';
  const details: Record<string, unknown> = { exit_code: exitCode, state: STATES[exitCode] ?? 'unknown', output: summary };
  if (longText) details.long_output = longText.slice(0, 4000);
  if (Object.keys(perfdata).length) details.perfdata = perfdata;
  switch (exitCode) {
    case 0:
      return { up: true, details };
    case 1:
      return { up: true, warning: text, details };
    case 2:
      return { up: false, reason: text, details };
    case 3:
      return { up: false, reason: `unknown: ${text}`, details };
    default:
      return { up: false, reason: `plugin exited with code ${exitCode}${summary ? `: ${summary}` : ''}`, details };
  }
}

export function probeNagios(spec: NagiosSpec, ctx: ProbeContext): Promise<Observation> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let done = false;
    const finish = (obs: Observation) => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(obs);
    };
    // detached: the plugin leads its own process group, so a timeout kills its children too.
    const child = spawn(spec.command, spec.args, { shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => {
      killGroup();
      finish({ up: false, reason: `timeout after ${formatDuration(ctx.timeoutMs)} (plugin killed)` });
    };
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < MAX_OUTPUT) out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' ? 'plugin not found' : e.code === 'EACCES' ? 'plugin is not executable' : `cannot run plugin (${e.code ?? e.message})`;
      finish({ up: false, reason: `${why}: ${spec.command}` });
    });
    child.on('close', (code, signal) => {
      killGroup(); // children the plugin left behind must not outlive the check
      if (signal) return finish({ up: false, reason: `plugin killed by ${signal}` });
      let stdout = out || err; // some plugins print to stderr on failure
      // Plugins sometimes echo their credentials; the output lands in details, so mask it here.
      for (const secret of pluginSecrets(spec)) if (secret.length >= 3) stdout = stdout.split(secret).join('***');
      finish(interpretPlugin(code ?? 3, stdout));
    });
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

const SECRET_FLAG = /^--?(a|password|passwd|pass|secret|token|authpassword|privpasswd|community|C)$/;
const SECRET_INLINE = /^--?(password|passwd|pass|secret|token|authpassword|privpasswd|community)=(.+)$/;

/**
 * Plugins take credentials as flags (--password=…, -a user:pass, -C community): their values are
 * secrets. Short -p is a port for some plugins and a password for others, so it is not guessed.
 */
export function pluginSecrets(spec: NagiosSpec): string[] {
  return spec.args.flatMap((a, i) => {
    const inline = SECRET_INLINE.exec(a);
    if (inline) return [inline[2]];
    return SECRET_FLAG.test(a) && spec.args[i + 1] !== undefined ? [spec.args[i + 1]] : [];
  });
}

export const nagiosDriver: ProbeDriver<NagiosSpec> = {
  kind: 'nagios',
  schema: nagiosSchema,
  secrets: pluginSecrets,
  probe: probeNagios,
};
