import assert from 'node:assert/strict';
import { parseConfig } from '../config';
import { ConfigError } from '../errors';

/** The problems a config is rejected with, as "path: message" lines (a spec helper). */
export function problems(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yaml, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  assert.fail('expected a ConfigError');
}
