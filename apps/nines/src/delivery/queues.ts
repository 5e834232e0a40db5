/** Queue and job names: one place, so producers and processors cannot drift apart. */
export enum QueueName {
  Notifications = 'notifications',
  Reports = 'reports',
}

export enum JobName {
  Deliver = 'deliver',
  WeeklyReport = 'weekly-report',
}

/** Job scheduler ids (BullMQ upsertJobScheduler): one per scheduled report. */
export enum SchedulerId {
  WeeklyReport = 'weekly-report',
}

export const QUEUE_PREFIX = 'nines';
