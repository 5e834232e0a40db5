import assert from 'node:assert/strict';
import { parseConfig } from '../config';
import { ConfigError } from '../errors';

/** The problems a config is rejected with, as "path: message" lines; none when it loads. */
export function problemsIfAny(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yaml, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

/** The problems a config is rejected with, as "path: message" lines; a config that loads fails the spec. */
export function problems(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  const found = problemsIfAny(yaml, env);
  if (!found.length) assert.fail('expected a ConfigError');
  return found;
}
