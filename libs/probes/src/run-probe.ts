import { systemClock, type Clock } from '../../common/src/clock';
import { secretScrubber } from '../../common/src/secrets';
import type { Observation } from './observation';
import { driverFor } from './registry';
import { reasonFromError } from './reasons';
import type { ProbeTarget } from './target';
import { formatDuration } from '../../common/src/duration';

/**
 * Runs one probe with its timeout. The race against the timer guarantees a result even from a
 * driver that ignores its abort signal; any throw becomes a failed observation, never a crash.
 */
export async function runProbe(target: ProbeTarget, clock: Clock = systemClock): Promise<Observation> {
  const driver = driverFor(target.probe.kind);
  if (!driver) return { up: false, reason: `no driver for kind ${target.probe.kind}` };
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Observation>((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve({ up: false, reason: `timeout after ${formatDuration(target.timeoutMs)}` });
    }, target.timeoutMs);
  });
  try {
    const obs = await Promise.race([
      driver.probe(target.probe, { signal: ac.signal, timeoutMs: target.timeoutMs, now: () => clock.now() }).catch(
        (err): Observation => ({ up: false, reason: reasonFromError(err, target.timeoutMs) }),
      ),
      timedOut,
    ]);
    if (obs.reason) obs.reason = secretScrubber.scrub(obs.reason);
    if (obs.warning) obs.warning = secretScrubber.scrub(obs.warning);
    return obs;
  } finally {
    clearTimeout(timer);
  }
}
