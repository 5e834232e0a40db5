import type { NotificationPayload, NotifiedAlert } from './notification';

/** Payloads for the notifier specs: a system down with its incident, and the same group resolved. */
export function alert(over: Partial<NotifiedAlert> = {}): NotifiedAlert {
  return {
    fingerprint: '0123456789abcdef',
    status: 'firing',
    labels: { alertname: 'SystemDown', system: 'orders-db', severity: 'page', layer: 'storage' },
    annotations: { summary: 'orders-db: primary pg1 unreachable for 12s; pg2 promoted at 03:12:07' },
    startsAt: '2026-03-02T03:12:00.000Z',
    incidentId: 42,
    incidentUrl: 'https://nines.example.com/incidents/42',
    ...over,
  };
}

export function firingPayload(over: Partial<NotificationPayload> = {}): NotificationPayload {
  const alerts = over.alerts ?? [alert()];
  return {
    id: 'n-0123456789abcdef01234567-x',
    kind: 'alerts',
    receiver: 'oncall',
    status: 'firing',
    groupKey: '{}/{system="orders-db"}:{alertname="SystemDown", system="orders-db"}',
    groupLabels: { system: 'orders-db' },
    commonLabels: { alertname: 'SystemDown', system: 'orders-db', severity: 'page', layer: 'storage' },
    commonAnnotations: {},
    alerts,
    externalUrl: 'https://nines.example.com',
    incidentId: 42,
    incidentUrl: 'https://nines.example.com/incidents/42',
    ackUrl: 'https://nines.example.com/api/v1/ack/42.1770000000.c2lnbmF0dXJl',
    ...over,
  };
}

export function resolvedPayload(over: Partial<NotificationPayload> = {}): NotificationPayload {
  return firingPayload({
    id: 'n-fedcba9876543210fedcba98-x',
    status: 'resolved',
    alerts: [alert({ status: 'resolved', endsAt: '2026-03-02T03:20:00.000Z' })],
    ackUrl: undefined,
    ...over,
  });
}
