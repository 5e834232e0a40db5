import { readFile } from 'node:fs/promises';
import { secretScrubber } from '../../common/src/secrets';
import { NinesConfig, parseConfig } from './config';
import { ConfigError } from './errors';

export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv): Promise<NinesConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([{ path: '(file)', message: code === 'ENOENT' ? `${path} does not exist (set NINES_CONFIG or create it)` : `cannot read ${path}: ${code}` }]);
  }
  return parseConfig(text, env);
}

type Listener = (config: NinesConfig, previous: NinesConfig) => Promise<void> | void;

/**
 * The running config. A reload parses the file first; only a valid config replaces the
 * current one, and listeners (the engine, the target registry) then apply it in place.
 */
export class ConfigHolder {
  private listeners: Listener[] = [];
  private secrets = new Set<string>();

  private fill: ((c: NinesConfig) => void)[] = [];

  constructor(
    readonly path: string,
    private current: NinesConfig,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.rememberSecrets(current);
  }

  /** Fills what the file leaves to the deployment (e.g. a generated ack key), now and on every reload. */
  addDefaults(fn: (c: NinesConfig) => void): void {
    this.fill.push(fn);
    fn(this.current);
    this.rememberSecrets(this.current);
  }

  get(): NinesConfig {
    return this.current;
  }

  onChange(fn: Listener): void {
    this.listeners.push(fn);
  }

  /** Throws ConfigError (and keeps the running config) when the file is invalid. */
  async reload(): Promise<NinesConfig> {
    const next = await loadConfigFile(this.path, this.env);
    for (const f of this.fill) f(next);
    const previous = this.current;
    this.rememberSecrets(next);
    this.current = next;
    for (const l of this.listeners) await l(next, previous);
    return next;
  }

  private rememberSecrets(c: NinesConfig): void {
    // Old secrets stay masked too: text produced before a reload may still carry them.
    for (const s of c.secrets) this.secrets.add(s);
    secretScrubber.setSecrets(this.secrets);
  }
}
