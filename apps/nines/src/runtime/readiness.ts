/** What /readyz reports: set by bootstrap once migrations ran and by the probe of the database. */
export class Readiness {
  migrated = false;
  stopping = false;
}
