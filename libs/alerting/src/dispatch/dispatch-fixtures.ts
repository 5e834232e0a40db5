import { buildRoute, type Route } from '../route';
import type { GroupMember } from './member';

/** Shared by the dispatch specs: a Monday 10:00 UTC, and members built from a few fields. */
export const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;

export const route: Route = buildRoute({ receiver: 'oncall', group_by: ['system'], group_wait: '0s', group_interval: '1m', repeat_interval: '1h' });

export function member(alertname: string, over: Partial<GroupMember> = {}): GroupMember {
  return {
    fingerprint: `fp-${alertname}`,
    labels: { alertname, system: 'orders-db', severity: alertname === 'SystemDown' ? 'page' : 'warning' },
    annotations: { summary: `orders-db: ${alertname}` },
    state: 'firing',
    activeAt: T0,
    firedAt: T0,
    flapping: false,
    flips: [],
    ...over,
  };
}
