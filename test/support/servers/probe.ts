import { driverFor } from '../../../libs/probes/src/registry';
import { runProbe } from '../../../libs/probes/src/run-probe';
import type { Observation } from '../../../libs/probes/src/observation';
import type { ProbeTarget } from '../../../libs/probes/src/target';

/**
 * Builds a target the way config loading does: the driver's schema fills in defaults and
 * rejects unknown fields, so a test cannot pass a spec the real config would refuse.
 */
export function probeTarget(kind: string, fields: Record<string, unknown>, timeoutMs = 2000): ProbeTarget {
  const driver = driverFor(kind);
  if (!driver) throw new Error(`no driver for ${kind}`);
  const spec = driver.schema.parse(fields) as Record<string, unknown>;
  return { key: `test/${kind}`, name: `test ${kind}`, intervalMs: 10_000, timeoutMs, labels: {}, probe: { kind, ...spec } };
}

/** Runs one probe through runProbe (timeout, scrubbing) and reports how long it took. */
export async function timedProbe(kind: string, fields: Record<string, unknown>, timeoutMs = 2000): Promise<{ obs: Observation; ms: number }> {
  const started = Date.now();
  const obs = await runProbe(probeTarget(kind, fields, timeoutMs));
  return { obs, ms: Date.now() - started };
}

/** Runs the driver directly with a signal that never fires, so only the driver's own timeouts act. */
export async function probeWithoutRace(kind: string, fields: Record<string, unknown>, timeoutMs: number): Promise<Observation> {
  const driver = driverFor(kind)!;
  return driver.probe(driver.schema.parse(fields), { signal: new AbortController().signal, timeoutMs });
}
