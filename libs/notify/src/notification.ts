/**
 * How a notification travels: one outbox row, lane and notifier per receiver and channel. `phone`
 * (a Twilio call) and `sms` (a Twilio text) are a paged person's own channels, named after the
 * contact method so one person's call and text are separate rows.
 */
export const CHANNELS = ['email', 'webhook', 'pagerduty', 'opsgenie', 'slack', 'teams', 'telegram', 'ntfy', 'twilio', 'phone', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What a receiver gets: one notification per alert group flush, already filtered (silences,
 * inhibition, mute intervals). Its id is stable across retries (the `webhook-id`), so a
 * receiver can drop duplicates.
 */
export interface NotifiedAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: { summary: string; description?: string; reason?: string };
  startsAt: string; // RFC 3339
  endsAt?: string;
  incidentId?: number;
  incidentUrl?: string;
  flapping?: boolean;
  flapCount?: number;
}

export interface NotificationPayload {
  id: string;
  receiver: string;
  status: 'firing' | 'resolved';
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  alerts: NotifiedAlert[];
  externalUrl: string;
  /** The incident the links point at: one still waiting for an acknowledgement, else any of the group's. */
  incidentId?: number;
  /** Signed, expiring link that acknowledges the incident of this group (when there is one). */
  ackUrl?: string;
  incidentUrl?: string;
  /** Set when this notification escalates an unacknowledged group to another receiver. */
  escalation?: { from: string; unacknowledgedForMs: number };
  /** The one phone number this row is for (Twilio: one outbox row per number, so a retry never texts twice). */
  recipient?: string;
  /**
   * A weekly report or other non-alert message, rendered by the report code; `acknowledged`: the
   * group's incidents were acknowledged in Nines, told to the providers that track alerts
   * (PagerDuty, Opsgenie) that were triggered for it.
   */
  kind: 'alerts' | 'report' | 'acknowledged';
  /** Who acknowledged (kind `acknowledged`). */
  acknowledgedBy?: string;
  report?: { subject: string; html: string; text: string; attachments?: { filename: string; cid: string; contentType: string; contentBase64: string }[] };
}

/** A failed delivery says whether trying again can help (5xx, network) or not (4xx but 408/429). */
export class NotifyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}

export interface Notifier {
  /** Delivers or throws NotifyError. Must honour the signal (timeout) and never leak secrets in errors. */
  send(payload: NotificationPayload, signal: AbortSignal): Promise<void>;
  /** Releases kept-alive connections when a reload replaces this notifier. */
  close?(): void | Promise<void>;
}
