import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where browser tests write their screenshots: the committed test/artifacts when asked to refresh
 * them (NINES_UPDATE_ARTIFACTS=1, then looked at and committed), else a scratch directory, so a
 * test run never leaves the checkout changed.
 */
export function artifactsDir(): string {
  const dir = process.env.NINES_UPDATE_ARTIFACTS === '1' ? resolve(__dirname, '../../../test/artifacts') : join(tmpdir(), 'nines-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
