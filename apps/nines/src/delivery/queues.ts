/** Queue and job names: one place, so producers and processors cannot drift apart. */
export enum QueueName {
  Notifications = 'notifications',
}

export enum JobName {
  Deliver = 'deliver',
}

export const QUEUE_PREFIX = 'nines';
