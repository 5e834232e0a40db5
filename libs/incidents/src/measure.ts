import type { TimelineEntry } from './timeline';

/**
 * What an incident measured, each with how it was measured and its uncertainty: Nines sees
 * the world once per probe interval, so any instant it reports is late by up to one interval.
 */
export interface Measurement {
  value_ms?: number;
  measured: string;
  uncertainty_ms?: number;
}

export interface IncidentMeasurements {
  time_to_detect: Measurement;
  rto: Measurement;
  failover_duration: Measurement;
  rpo: { lag_seconds?: number; lag_bytes?: number; lsn_diff_bytes?: number; measured: string };
  time_to_acknowledge: Measurement;
  time_to_resolve: Measurement;
}

/** "16/B374D848" → byte position. */
export function parseLsn(lsn: string): bigint | undefined {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(lsn.trim());
  if (!m) return undefined;
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

const first = (t: TimelineEntry[], kind: string, pred: (e: TimelineEntry) => boolean = () => true) => t.find((e) => e.kind === kind && pred(e));
const last = (t: TimelineEntry[], kind: string) => [...t].reverse().find((e) => e.kind === kind);

export function measure(
  timeline: TimelineEntry[],
  inc: { openedAt: number; acknowledgedAt?: number; resolvedAt?: number; rootSystem: string; intervalMs: (system: string, member?: string) => number | undefined },
): IncidentMeasurements {
  const t = [...timeline].sort((a, b) => a.at - b.at);
  const firstFail = first(t, 'first_failure_observed');
  const detected = first(t, 'detected');
  const ival = (e?: TimelineEntry) => (e ? inc.intervalMs(e.system ?? inc.rootSystem, e.member) : undefined);

  const ttd: Measurement = firstFail && detected
    ? { value_ms: detected.at - firstFail.at, measured: 'first failed observation → failure threshold reached', uncertainty_ms: ival(firstFail) }
    : { measured: 'not detected yet' };

  // RTO starts at the first failed observation of what users reach: the endpoint, or the primary.
  const serviceDown = first(t, 'service_down', (e) => e.system === inc.rootSystem) ?? first(t, 'service_down');
  const primaryDown = first(t, 'member_down', (e) => e.details.role === 'primary' || e.details.role === 'leader');
  const outageStart = serviceDown ?? primaryDown ?? first(t, 'no_primary');
  const startAt = outageStart ? (typeof outageStart.details.first_failure_at === 'number' ? outageStart.details.first_failure_at : outageStart.at) : undefined;
  // Restored means the same thing answering again: that endpoint, or a primary of that system.
  const sameStory = (e: TimelineEntry) => !!outageStart && e.system === outageStart.system && e.at >= outageStart.at;
  // A system with an endpoint that never went down has no service_restored: its primary serving again ends it.
  const restored = outageStart ? (first(t, 'service_restored', sameStory) ?? (serviceDown ? undefined : first(t, 'primary_restored', sameStory))) : undefined;
  const rto: Measurement =
    startAt !== undefined && restored
      ? {
          value_ms: restored.at - startAt,
          measured: serviceDown ? 'first failed probe of the user-facing endpoint → first successful one' : 'first failed probe of the primary → a primary serving again',
          uncertainty_ms: ival(outageStart),
        }
      : { measured: startAt === undefined ? 'no user-facing outage observed' : 'service not restored yet' };

  const elected = first(t, 'new_primary_elected');
  const lostAt = primaryDown ? (typeof primaryDown.details.first_failure_at === 'number' ? primaryDown.details.first_failure_at : primaryDown.at) : first(t, 'failover_started')?.at;
  const failover: Measurement =
    lostAt !== undefined && elected
      ? { value_ms: elected.at - lostAt, measured: 'first failed probe of the old primary → first observation of the new primary serving', uncertainty_ms: ival(elected) }
      : { measured: elected ? 'new primary observed without a lost primary (switchover)' : 'no failover' };

  // RPO: what the promoted node had not yet received when the old primary was last seen.
  const promo = last(t, 'promoted') ?? last(t, 'leader_changed');
  const view = promo?.details.last_replica_view as { lagSeconds?: number; lagBytes?: number; position?: string } | undefined;
  const oldPos = primaryDown?.details.last_position as string | undefined;
  let lsnDiff: number | undefined;
  if (oldPos && view?.position) {
    const a = parseLsn(oldPos);
    const b = parseLsn(view.position);
    if (a !== undefined && b !== undefined) lsnDiff = Number(a > b ? a - b : 0n);
  }
  const rpo = promo
    ? {
        lag_seconds: view?.lagSeconds,
        lag_bytes: view?.lagBytes,
        lsn_diff_bytes: lsnDiff,
        measured: view
          ? `the promoted node's last observed replication lag before the failure${lsnDiff !== undefined ? '; lsn_diff_bytes = old primary last observed LSN − promoted node last received LSN' : ''} (an upper bound on writes lost, observed up to one interval before the failure)`
          : 'the promoted node was never observed as a replica: unknown',
      }
    : { measured: 'no promotion: no data loss from failover' };

  const tta: Measurement = inc.acknowledgedAt !== undefined ? { value_ms: inc.acknowledgedAt - inc.openedAt, measured: 'opened → acknowledged' } : { measured: 'not acknowledged' };
  const ttr: Measurement = inc.resolvedAt !== undefined ? { value_ms: inc.resolvedAt - (firstFail?.at ?? inc.openedAt), measured: 'first failed observation → resolved (all systems healthy)', uncertainty_ms: ival(firstFail) } : { measured: 'not resolved' };
  return { time_to_detect: ttd, rto, failover_duration: failover, rpo, time_to_acknowledge: tta, time_to_resolve: ttr };
}
