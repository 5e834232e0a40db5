import { readFile, writeFile } from 'node:fs/promises';
import { loadConfigFile } from '../../../../libs/config/src/config-holder';
import { readSettings } from '../../../../libs/config/src/settings';
import { formatImportIssue, importOpenSlo, toNinesYaml } from '../../../../libs/slo/src/openslo';
import type { SloReferences } from '../../../../libs/slo/src/validate';

export const SLO_USAGE = 'usage: nines slo import FILE [--out FILE] [--config NINES_YAML]';

/**
 * `nines slo import FILE`: OpenSLO v1 documents → the `slos:` section of nines.yaml, printed or
 * written with --out. With --config, selectors and maintenance windows are checked against
 * that config too. Exit 1 with every problem listed (file, document, field) when any SLO
 * cannot be mapped; notes (fields Nines answers differently) go to stderr.
 */
export async function sloCommand(args: string[]): Promise<void> {
  const [action, file] = args;
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (action !== 'import' || !file || file.startsWith('--')) {
    process.stderr.write(`${SLO_USAGE}\n`);
    process.exit(2);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    process.stderr.write(`nines: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}\n`);
    process.exit(1);
  }
  let refs: SloReferences | undefined;
  const configPath = flag('config');
  if (configPath) {
    const c = await loadConfigFile(configPath, readSettings().env);
    refs = { targets: new Set(c.targets.map((t) => t.key)), systems: new Set(c.systems.map((s) => s.name)), timeIntervals: new Set(c.raw.alerting.time_intervals.map((t) => t.name)) };
  }
  const r = importOpenSlo(text, refs);
  for (const n of r.notes) process.stderr.write(`note: ${formatImportIssue(file, n)}\n`);
  if (r.errors.length) {
    for (const e of r.errors) process.stderr.write(`${formatImportIssue(file, e)}\n`);
    process.exit(1);
  }
  if (!r.slos.length) {
    process.stderr.write(`nines: ${file} has no OpenSLO SLO documents\n`);
    process.exit(1);
  }
  const yaml = toNinesYaml(r.slos);
  const out = flag('out');
  if (out) {
    await writeFile(out, yaml);
    process.stdout.write(`${out}: ${r.slos.length} SLO${r.slos.length === 1 ? '' : 's'} written\n`);
  } else process.stdout.write(yaml);
}
