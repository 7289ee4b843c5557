/**
 * One versioned step of the team server's schema. Applied once, in version order, in a
 * transaction of its own, and recorded with the checksum of its text: once released, a
 * migration's text never changes (a change is a new migration), and it never drops or rewrites
 * data (a column is added, a table is added; nothing is dropped, truncated or deleted).
 */
export interface Migration {
  /** 1, 2, 3, ...: the order of application, and the row's key in lodestar_migrations. */
  version: number;
  /** kebab-case, what the step does. */
  name: string;
  /** One or more SQL statements, run as one simple query (no parameters). */
  sql: string;
}
