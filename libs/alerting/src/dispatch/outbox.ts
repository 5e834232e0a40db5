import type { NotificationPayload } from '../../../notify/src/notification';

export interface OutboxRow {
  id: string;
  channel: 'email' | 'webhook';
  payload: NotificationPayload;
}

/** One outbox row per delivery channel of the receiver, ids derived from the flush (stable across retries). */
export function outboxRows(payload: NotificationPayload, channels: Map<string, ('email' | 'webhook')[]>): OutboxRow[] {
  return (channels.get(payload.receiver) ?? []).map((channel) => {
    const id = `${payload.id}-${channel}`;
    return { id, channel, payload: { ...payload, id } };
  });
}
