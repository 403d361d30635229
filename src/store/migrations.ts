/**
 * Schema migrations, numbered and applied in order on open by both stores. One text per step; the
 * few dialect differences are placeholders ({{id}}) so SQLite and PostgreSQL cannot drift apart.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order. Append only: a released step is never edited. */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'outbox, outcomes and obligation events',
    sql: `
      CREATE TABLE notices (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        plan_id TEXT NOT NULL,
        task_no INTEGER,
        unit_code TEXT NOT NULL,
        obligation TEXT NOT NULL,
        period TEXT,
        obligation_key TEXT NOT NULL,
        stage TEXT NOT NULL,
        due TEXT NOT NULL,
        at TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        payload TEXT NOT NULL,
        recipients TEXT NOT NULL,
        created_ms BIGINT NOT NULL
      );
      CREATE INDEX notices_plan_unit ON notices (plan_id, unit_code, at_ms);
      CREATE INDEX notices_obligation ON notices (obligation_key, at_ms);

      -- One row per (notice, address): each address succeeds, retries or bounces on its own.
      CREATE TABLE deliveries (
        id {{id}},
        notice_key TEXT NOT NULL REFERENCES notices (key),
        address TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        locale TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        queued_ms BIGINT NOT NULL,
        not_before_ms BIGINT NOT NULL,
        next_attempt_ms BIGINT NOT NULL,
        lease_until_ms BIGINT,
        sent_ms BIGINT,
        updated_ms BIGINT NOT NULL,
        message_id TEXT,
        last_error TEXT,
        UNIQUE (notice_key, address)
      );
      CREATE INDEX deliveries_due ON deliveries (status, next_attempt_ms);
      CREATE INDEX deliveries_group ON deliveries (address, at_ms, status);

      CREATE TABLE outcomes (
        obligation_key TEXT PRIMARY KEY,
        plan_id TEXT NOT NULL,
        task_no INTEGER,
        unit_code TEXT NOT NULL,
        obligation TEXT NOT NULL,
        period TEXT,
        due TEXT NOT NULL,
        status TEXT NOT NULL,
        fulfilled_at TEXT,
        evidence TEXT,
        updated_ms BIGINT NOT NULL
      );
      CREATE INDEX outcomes_plan_unit ON outcomes (plan_id, unit_code);

      -- Fulfilments (with evidence), extensions and waivers, distinguished by type.
      CREATE TABLE obligation_events (
        id {{id}},
        obligation_key TEXT NOT NULL,
        plan_id TEXT NOT NULL,
        task_no INTEGER,
        unit_code TEXT NOT NULL,
        obligation TEXT NOT NULL,
        period TEXT,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        recorded_ms BIGINT NOT NULL,
        UNIQUE (obligation_key, type, at)
      );
      CREATE INDEX obligation_events_plan_unit ON obligation_events (plan_id, unit_code);
    `,
  },
  {
    version: 2,
    name: 'audit log of changes made through the HTTP API',
    sql: `
      -- Who tried to change what through the API, and what came of it (refusals too): the operators' paper trail.
      CREATE TABLE audit_log (
        id {{id}},
        at_ms BIGINT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        plan_id TEXT,
        unit_code TEXT,
        target TEXT NOT NULL,
        input TEXT NOT NULL,
        result TEXT NOT NULL,
        status INTEGER NOT NULL,
        message TEXT
      );
      CREATE INDEX audit_log_plan ON audit_log (plan_id, at_ms);
    `,
  },
  {
    version: 3,
    name: 'how far an emergency step beat or missed its window',
    sql: `
      ALTER TABLE outcomes ADD COLUMN margin_minutes INTEGER;
    `,
  },
  {
    version: 4,
    name: 'holiday notices added after release',
    sql: `
      -- One row per year added with duban holidays add (notice and adjustments as JSON), so every worker sees it.
      CREATE TABLE holiday_years (
        year INTEGER PRIMARY KEY,
        data TEXT NOT NULL,
        added_ms BIGINT NOT NULL,
        updated_ms BIGINT NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'read model: each obligation item as its workflow last recorded it',
    sql: `
      -- Written with the notice, outcome or event that changed it (same transaction), so status and the dashboard
      -- read one table instead of querying every workflow. Lights that depend on now are computed when read.
      CREATE TABLE overviews (
        plan_id TEXT NOT NULL,
        unit_code TEXT NOT NULL,
        obligation_id TEXT NOT NULL,
        item_index INTEGER NOT NULL,
        task_no INTEGER,
        obligation TEXT NOT NULL,
        period TEXT,
        due TEXT NOT NULL,
        due_end_ms BIGINT NOT NULL,
        state TEXT NOT NULL,
        fulfilled_at TEXT,
        extended INTEGER NOT NULL,
        calendar_error TEXT,
        next_at TEXT,
        next_stage TEXT,
        provisional TEXT,
        first_reminder_ahead INTEGER,
        window_opens_ms BIGINT,
        closed INTEGER NOT NULL,
        obligation_calendar_error TEXT,
        last_notice_key TEXT,
        last_notice_at TEXT,
        last_notice_stage TEXT,
        outcome TEXT,
        as_of_ms BIGINT NOT NULL,
        seq INTEGER NOT NULL,
        updated_ms BIGINT NOT NULL,
        PRIMARY KEY (plan_id, unit_code, obligation_id, item_index)
      );
      CREATE INDEX overviews_task ON overviews (plan_id, task_no, unit_code);
      CREATE INDEX overviews_kind ON overviews (plan_id, obligation, unit_code);
    `,
  },
  {
    version: 6,
    name: 'read model: a version per plan, bumped by every overview write',
    sql: `
      -- Bumped last in each transaction that writes a plan's overviews: a reader that finds the version it counted
      -- at (and no light due to turn since) reuses its counts instead of scanning the plan again.
      CREATE TABLE overview_versions (
        plan_id TEXT PRIMARY KEY,
        version BIGINT NOT NULL
      );
    `,
  },
];

/** The newest schema this code knows. */
export const latestVersion: number = migrations.reduce((max, m) => Math.max(max, m.version), 0);

/** Migration text for one dialect. */
export function migrationSql(m: Migration, dialect: 'sqlite' | 'postgres'): string {
  const id =
    dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY';
  return m.sql.replaceAll('{{id}}', id);
}

/** Thrown on open when the database was migrated by a newer duban than this one. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly found: number,
    readonly known: number,
    where: string,
  ) {
    super(
      `${where} has schema version ${found}, but this duban knows versions up to ${known}; ` +
        'upgrade duban (or point DUBAN_DATA_DIR / DATABASE_URL at another database)',
    );
  }
}
