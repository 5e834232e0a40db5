import type { Channel, NotificationPayload } from '../../../notify/src/notification';

export interface OutboxRow {
  id: string;
  channel: Channel;
  payload: NotificationPayload;
}

/**
 * One outbox row per delivery channel of the receiver, ids derived from the flush (stable across
 * retries). A channel with recipients (Twilio's numbers) gets a row per recipient, so each number
 * is texted or called once even when another number's delivery fails and is retried.
 */
export function outboxRows(payload: NotificationPayload, channels: Map<string, Channel[]>, recipients: Map<string, string[]> = new Map()): OutboxRow[] {
  return (channels.get(payload.receiver) ?? []).flatMap((channel) => {
    const to = recipients.get(`${payload.receiver}/${channel}`);
    if (!to) {
      const id = `${payload.id}-${channel}`;
      return [{ id, channel, payload: { ...payload, id } }];
    }
    return to.map((recipient) => {
      const id = `${payload.id}-${channel}-${recipient.replace(/[^0-9A-Za-z]/g, '')}`;
      return { id, channel, payload: { ...payload, id, recipient } };
    });
  });
}
