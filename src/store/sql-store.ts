/** The Store on any {@link SqlDriver}: one implementation, so SQLite and PostgreSQL behave the same. */
import { deadlineEndMs } from '../domain/deadlines';
import { validateHolidayYear, type HolidayYear } from '../domain/holidays';
import type { Light } from '../domain/lights';
import type { ObligationOverview } from '../domain/overview';
import type { ObligationEvent, Outcome, OutcomeStatus } from '../domain/notice';
import type { ObligationKind } from '../domain/plan';
import type { SqlDriver } from './driver';
import { SchemaTooNewError, latestVersion, migrationSql, migrations } from './migrations';
import {
  type AuditEntry,
  type AuditOutcome,
  type AuditFilter,
  type AuditRecord,
  type ClaimedDelivery,
  type DeliveryRecord,
  type DeliveryStatus,
  type EventFilter,
  type HolidayYearRecord,
  type NoticeFilter,
  type NoticeRecord,
  type NoticeStatus,
  type ObligationEventRecord,
  type ObligationRef,
  type OutboxEntry,
  type OutboxPayload,
  type OutcomeFilter,
  type OutcomeRecord,
  type OverviewCount,
  type OverviewFilter,
  type OverviewLightCount,
  type OverviewRecord,
  type LastNoticeDelivery,
  type Recipient,
  type Store,
  type WithOverview,
  obligationKey,
} from './types';

interface DeliveryRow {
  id: number;
  notice_key: string;
  address: string;
  name: string;
  role: string;
  unit_code: string;
  locale: string;
  at_ms: number;
  status: string;
  attempts: number;
  queued_ms: number;
  sent_ms: number | null;
  message_id: string | null;
  last_error: string | null;
}

interface NoticeRow {
  key: string;
  kind: string;
  plan_id: string;
  task_no: number | null;
  unit_code: string;
  obligation: string;
  period: string | null;
  stage: string;
  due: string;
  at: string;
  payload: string;
  recipients: string;
  created_ms: number;
}

const DELIVERY_COLUMNS =
  'id, notice_key, address, name, role, unit_code, locale, at_ms, status, attempts, queued_ms, sent_ms, message_id, last_error';

const iso = (ms: number) => new Date(ms).toISOString();

function toDelivery(r: DeliveryRow): DeliveryRecord {
  return {
    id: Number(r.id),
    noticeKey: r.notice_key,
    address: r.address,
    name: r.name,
    role: r.role as DeliveryRecord['role'],
    unitCode: r.unit_code,
    locale: r.locale === 'en' ? 'en' : 'zh',
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    atMs: Number(r.at_ms),
    queuedAt: iso(Number(r.queued_ms)),
    sentAt: r.sent_ms === null ? null : iso(Number(r.sent_ms)),
    messageId: r.message_id,
    lastError: r.last_error,
  };
}

/** A notice is pending while any delivery is; otherwise sent if anyone got it. */
function noticeStatus(deliveries: DeliveryRecord[]): NoticeStatus {
  if (deliveries.some((d) => d.status === 'queued' || d.status === 'sending')) return 'queued';
  if (deliveries.some((d) => d.status === 'sent')) return 'sent';
  if (deliveries.some((d) => d.status === 'failed')) return 'failed';
  return deliveries.length > 0 ? 'undeliverable' : 'queued';
}

/** Builds `col = ?` / `col IS NULL` conditions from a filter; `undefined` means no condition. */
function where(conditions: [column: string, value: unknown][]): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of conditions) {
    if (value === undefined) continue;
    if (value === null) parts.push(`${column} IS NULL`);
    else {
      parts.push(column.includes('?') ? column : `${column} = ?`);
      params.push(value);
    }
  }
  return { sql: parts.length ? ` WHERE ${parts.join(' AND ')}` : '', params };
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** Applies pending migrations in one transaction; refuses a schema newer than the code. */
export async function migrate(db: SqlDriver): Promise<number> {
  return db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') {
      // Two workers starting together must not both run step 1.
      await tx.all('SELECT pg_advisory_xact_lock(hashtext(current_schema()))');
    }
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)',
    );
    const [row] = await tx.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
    const current = Number(row?.v ?? 0);
    if (current > latestVersion) throw new SchemaTooNewError(current, latestVersion, tx.description);
    for (const m of migrations) {
      if (m.version <= current) continue;
      await tx.exec(migrationSql(m, tx.dialect));
      await tx.run('INSERT INTO schema_version (version, name, applied_ms) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
    return Math.max(current, latestVersion);
  });
}

/** A {@link Store} over an already migrated driver. */
export class SqlStore implements Store {
  /** Light counts already made, per plan, while its overviews and the lights' clock leave them true. */
  private readonly counts = new OverviewCountCache();

  constructor(private readonly db: SqlDriver) {}

  get dialect() {
    return this.db.dialect;
  }

  async schemaVersion(): Promise<number> {
    const [row] = await this.db.all<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
    return Number(row?.v ?? 0);
  }

  async enqueue(
    entry: OutboxEntry,
    nowMs: number,
    overview?: WithOverview,
  ): Promise<{ created: boolean; recipients: Recipient[] }> {
    const ref = refOf(entry.payload);
    return this.db.transaction((tx) =>
      bumpingVersion(tx, overview, async () => {
        if (overview) {
          const lastNotice = entry.payload.kind === 'notice' ? { ...ref, key: entry.key } : undefined;
          await putOverviewOn(tx, overview, nowMs, { lastNotice });
        }
        const inserted = await tx.run(
          `INSERT INTO notices (key, kind, plan_id, task_no, unit_code, obligation, period, obligation_key, stage, due, at, at_ms,
           payload, recipients, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
          [
            entry.key,
            entry.payload.kind,
            ref.planId,
            ref.taskNo,
            ref.unitCode,
            ref.obligation,
            ref.period,
            obligationKey(ref),
            ref.stage,
            ref.due,
            ref.at,
            entry.atMs,
            JSON.stringify(entry.payload),
            JSON.stringify(entry.recipients),
            nowMs,
          ],
        );
        if (inserted === 0) {
          const [existing] = await tx.all<{ recipients: string }>('SELECT recipients FROM notices WHERE key = ?', [
            entry.key,
          ]);
          return { created: false, recipients: JSON.parse(existing?.recipients ?? '[]') as Recipient[] };
        }
        for (const r of entry.recipients) {
          await tx.run(
            `INSERT INTO deliveries (notice_key, address, name, role, unit_code, locale, at_ms, status, attempts, queued_ms,
             not_before_ms, next_attempt_ms, updated_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?) ON CONFLICT (notice_key, address) DO NOTHING`,
            [
              entry.key,
              r.address,
              r.name,
              r.role,
              r.unitCode,
              r.locale,
              entry.atMs,
              nowMs,
              entry.notBeforeMs,
              entry.notBeforeMs,
              nowMs,
            ],
          );
        }
        return { created: true, recipients: entry.recipients };
      }),
    );
  }

  async dueGroups(nowMs: number, limit: number): Promise<{ address: string; atMs: number }[]> {
    const rows = await this.db.all<{ address: string; at_ms: number }>(
      `SELECT address, at_ms FROM deliveries
       WHERE status = 'queued' AND next_attempt_ms <= ?
       GROUP BY address, at_ms ORDER BY MIN(next_attempt_ms), at_ms LIMIT ?`,
      [nowMs, limit],
    );
    return rows.map((r) => ({ address: r.address, atMs: Number(r.at_ms) }));
  }

  async nextDueMs(): Promise<number | null> {
    const [row] = await this.db.all<{ m: number | null }>(
      "SELECT MIN(next_attempt_ms) AS m FROM deliveries WHERE status = 'queued'",
    );
    return row?.m === null || row?.m === undefined ? null : Number(row.m);
  }

  async claimGroup(
    group: { address: string; atMs: number },
    nowMs: number,
    leaseMs: number,
  ): Promise<ClaimedDelivery[]> {
    return this.db.transaction(async (tx) => {
      // The status test in WHERE makes a concurrent claimer (another worker on PostgreSQL) skip rows already taken.
      const rows = await tx.all<DeliveryRow>(
        `UPDATE deliveries SET status = 'sending', attempts = attempts + 1, lease_until_ms = ?, updated_ms = ?
         WHERE status = 'queued' AND address = ? AND at_ms = ?
         RETURNING ${DELIVERY_COLUMNS}`,
        [nowMs + leaseMs, nowMs, group.address, group.atMs],
      );
      if (rows.length === 0) return [];
      const keys = [...new Set(rows.map((r) => r.notice_key))];
      const notices = await tx.all<{ key: string; payload: string; recipients: string }>(
        `SELECT key, payload, recipients FROM notices WHERE key IN (${placeholders(keys.length)})`,
        keys,
      );
      const byKey = new Map(notices.map((n) => [n.key, n]));
      return rows
        .map((r) => {
          const n = byKey.get(r.notice_key);
          if (!n) throw new Error(`delivery ${r.id} has no notice ${r.notice_key}`);
          return {
            ...toDelivery(r),
            payload: JSON.parse(n.payload) as OutboxPayload,
            recipients: JSON.parse(n.recipients) as Recipient[],
          };
        })
        .sort((a, b) => a.noticeKey.localeCompare(b.noticeKey));
    });
  }

  async markSent(ids: number[], info: { messageId: string; nowMs: number }): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run(
      `UPDATE deliveries SET status = 'sent', sent_ms = ?, message_id = ?, lease_until_ms = NULL, last_error = NULL, updated_ms = ?
       WHERE id IN (${placeholders(ids.length)})`,
      [info.nowMs, info.messageId, info.nowMs, ...ids],
    );
  }

  async markRetry(
    ids: number[],
    info: { error: string; nextAttemptMs: number; nowMs: number; untried?: boolean },
  ): Promise<void> {
    if (ids.length === 0) return;
    // A claim held back before any hand-over (a rate limit) does not count as an attempt.
    const attempts = info.untried ? 'attempts = attempts - 1, ' : '';
    await this.db.run(
      `UPDATE deliveries SET status = 'queued', ${attempts}next_attempt_ms = ?, lease_until_ms = NULL, last_error = ?, updated_ms = ?
       WHERE id IN (${placeholders(ids.length)})`,
      [info.nextAttemptMs, info.error, info.nowMs, ...ids],
    );
  }

  async markFinal(
    ids: number[],
    status: 'failed' | 'undeliverable',
    info: { error: string; nowMs: number },
  ): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run(
      `UPDATE deliveries SET status = ?, lease_until_ms = NULL, last_error = ?, updated_ms = ?
       WHERE id IN (${placeholders(ids.length)})`,
      [status, info.error, info.nowMs, ...ids],
    );
  }

  async recoverExpiredLeases(nowMs: number): Promise<DeliveryRecord[]> {
    const rows = await this.db.all<DeliveryRow>(
      `UPDATE deliveries SET status = 'queued', next_attempt_ms = ?, lease_until_ms = NULL, updated_ms = ?,
         last_error = 'lease expired while sending: possibly delivered already'
       WHERE status = 'sending' AND lease_until_ms <= ?
       RETURNING ${DELIVERY_COLUMNS}`,
      [nowMs, nowMs, nowMs],
    );
    return rows.map(toDelivery);
  }

  async deliveriesOf(noticeKey: string): Promise<DeliveryRecord[]> {
    const rows = await this.db.all<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE notice_key = ? ORDER BY id`,
      [noticeKey],
    );
    return rows.map(toDelivery);
  }

  async listNotices(filter: NoticeFilter = {}): Promise<NoticeRecord[]> {
    const { planId, taskNo, unitCode, obligation, period } = filter;
    // One obligation's notices (a digest's history, `duban history`): by its key's index, not a scan of the unit's.
    const one =
      planId !== undefined &&
      unitCode !== undefined &&
      obligation !== undefined &&
      taskNo !== undefined &&
      period !== undefined;
    const w = where([
      ['notices.obligation_key', one ? obligationKey({ planId, taskNo, unitCode, obligation, period }) : undefined],
      // Qualified: the deliveries query below joins a table with unit_code and at_ms of its own.
      ['notices.plan_id', filter.planId],
      ['notices.unit_code', filter.unitCode],
      ['notices.task_no', filter.taskNo],
      ['notices.obligation', filter.obligation],
      ['notices.period', filter.period],
      ['notices.kind', filter.kind],
      ['notices.at_ms < ?', filter.beforeAtMs],
    ]);
    const notices = await this.db.all<NoticeRow>(
      `SELECT key, kind, plan_id, task_no, unit_code, obligation, period, stage, due, at, payload, recipients, created_ms
       FROM notices${w.sql} ORDER BY at_ms, key`,
      w.params,
    );
    if (notices.length === 0) return [];
    const deliveries = await this.db.all<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS.split(', ')
        .map((c) => `d.${c}`)
        .join(', ')} FROM deliveries d JOIN notices ON notices.key = d.notice_key${w.sql} ORDER BY d.id`,
      w.params,
    );
    const byKey = new Map<string, DeliveryRecord[]>();
    for (const d of deliveries.map(toDelivery)) {
      const list = byKey.get(d.noticeKey) ?? [];
      list.push(d);
      byKey.set(d.noticeKey, list);
    }
    return notices.map((n) => {
      const ds = byKey.get(n.key) ?? [];
      return {
        key: n.key,
        kind: n.kind as OutboxPayload['kind'],
        planId: n.plan_id,
        taskNo: n.task_no === null ? null : Number(n.task_no),
        unitCode: n.unit_code,
        obligation: n.obligation as ObligationKind,
        period: n.period,
        stage: n.stage,
        due: n.due,
        at: n.at,
        status: noticeStatus(ds),
        createdAt: iso(Number(n.created_ms)),
        payload: JSON.parse(n.payload) as OutboxPayload,
        recipients: JSON.parse(n.recipients) as Recipient[],
        deliveries: ds,
      };
    });
  }

  async countDeliveries(filter: { planId?: string } = {}): Promise<Record<DeliveryStatus, number>> {
    const rows = await this.db.all<{ status: DeliveryStatus; n: number }>(
      filter.planId === undefined
        ? 'SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status'
        : `SELECT d.status AS status, COUNT(*) AS n FROM deliveries d JOIN notices ON notices.key = d.notice_key
           WHERE notices.plan_id = ? GROUP BY d.status`,
      filter.planId === undefined ? [] : [filter.planId],
    );
    const counts: Record<DeliveryStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0, undeliverable: 0 };
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  async upsertOutcome(outcome: Outcome, nowMs: number, overview?: WithOverview): Promise<void> {
    if (overview)
      return this.db.transaction((tx) =>
        bumpingVersion(tx, overview, async () => {
          await upsertOutcomeOn(tx, outcome, nowMs);
          await putOverviewOn(tx, overview, nowMs, { outcome });
        }),
      );
    return upsertOutcomeOn(this.db, outcome, nowMs);
  }

  async putOverview(overview: ObligationOverview, nowMs: number): Promise<void> {
    await bumpingVersion(this.db, overview, () => putOverviewOn(this.db, overview, nowMs, {}));
  }

  async listOverviews(filter: OverviewFilter): Promise<OverviewRecord[]> {
    const w = overviewWhere(filter);
    const page =
      filter.limit !== undefined
        ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))} OFFSET ${Math.max(0, Math.floor(filter.offset ?? 0))}`
        : '';
    // One query: the page, then the deliveries of each row's last notice by the deliveries' (notice_key, address)
    // index. Delivery states change with every send, retry and bounce; joined here, the dispatcher writes only its
    // deliveries and a status row can never show a state the outbox has left.
    const rows = await this.db.all<OverviewRow>(
      `WITH paged AS (
         SELECT * FROM overviews${w.sql} ORDER BY plan_id, unit_code, obligation_id, item_index${page}
       ), page AS (
         SELECT paged.*, COALESCE(last_notice_key, (
           SELECT n.key FROM notices n
           WHERE n.obligation_key = ${OBLIGATION_KEY_SQL} AND n.kind = 'notice'
           ORDER BY n.at_ms DESC, n.key DESC LIMIT 1)) AS delivery_key
         FROM paged
       ), counted AS (
         SELECT notice_key,
           SUM(CASE WHEN status IN ('queued', 'sending') THEN 1 ELSE 0 END) AS d_queued,
           SUM(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) AS d_sent,
           SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS d_failed,
           SUM(CASE WHEN status = 'undeliverable' THEN 1 ELSE 0 END) AS d_undeliverable
         FROM deliveries WHERE notice_key IN (SELECT delivery_key FROM page) GROUP BY notice_key
       )
       SELECT page.*, n.stage AS d_stage, n.at AS d_at, counted.d_queued, counted.d_sent, counted.d_failed,
         counted.d_undeliverable
       FROM page LEFT JOIN notices n ON n.key = page.delivery_key
         LEFT JOIN counted ON counted.notice_key = page.delivery_key
       ORDER BY page.plan_id, page.unit_code, page.obligation_id, page.item_index`,
      w.params,
    );
    return rows.map(toOverview);
  }

  async listOverviewObligations(planId: string): Promise<{ unitCode: string; obligationId: string }[]> {
    const rows = await this.db.all<{ unit_code: string; obligation_id: string }>(
      'SELECT DISTINCT unit_code, obligation_id FROM overviews WHERE plan_id = ? ORDER BY unit_code, obligation_id',
      [planId],
    );
    return rows.map((r) => ({ unitCode: r.unit_code, obligationId: r.obligation_id }));
  }

  async countOverviews(filter: Omit<OverviewFilter, 'limit' | 'offset'>): Promise<OverviewCount[]> {
    return this.counts.get(this.db, 'cells', filter, () => this.scanOverviewCounts(filter));
  }

  async countOverviewLights(filter: Omit<OverviewFilter, 'limit' | 'offset'>): Promise<OverviewLightCount[]> {
    return this.counts.get(this.db, 'lights', filter, () => this.scanOverviewLights(filter));
  }

  private async scanOverviewCounts(filter: Omit<OverviewFilter, 'limit' | 'offset'>): Promise<OverviewCount[]> {
    const w = overviewWhere(filter);
    const rows = await this.db.all<{
      unit_code: string;
      task_no: number | null;
      obligation: string;
      light: string;
      provisional: string | null;
      calendar_error: string | null;
      n: number;
    }>(
      `SELECT unit_code, task_no, obligation, ${LIGHT_SQL} AS light, provisional,
         COALESCE(calendar_error, obligation_calendar_error) AS calendar_error, COUNT(*) AS n
       FROM overviews${w.sql} GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY unit_code, task_no, obligation`,
      [filter.nowMs, filter.nowMs, ...w.params],
    );
    return rows.map((r) => ({
      unitCode: r.unit_code,
      taskNo: r.task_no === null ? null : Number(r.task_no),
      obligation: r.obligation as ObligationKind,
      light: r.light as Light,
      ...(r.provisional ? { provisional: JSON.parse(r.provisional) as number[] } : {}),
      ...(r.calendar_error ? { calendarError: r.calendar_error } : {}),
      count: Number(r.n),
    }));
  }

  private async scanOverviewLights(filter: Omit<OverviewFilter, 'limit' | 'offset'>): Promise<OverviewLightCount[]> {
    const w = overviewWhere(filter);
    const rows = await this.db.all<{
      light: string;
      provisional: string | null;
      calendar_error: string | null;
      n: number;
    }>(
      `SELECT ${LIGHT_SQL} AS light, provisional, COALESCE(calendar_error, obligation_calendar_error) AS calendar_error,
         COUNT(*) AS n
       FROM overviews${w.sql} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [filter.nowMs, filter.nowMs, ...w.params],
    );
    return rows.map((r) => ({
      light: r.light as Light,
      ...(r.provisional ? { provisional: JSON.parse(r.provisional) as number[] } : {}),
      ...(r.calendar_error ? { calendarError: r.calendar_error } : {}),
      count: Number(r.n),
    }));
  }

  async listOutcomes(filter: OutcomeFilter = {}): Promise<OutcomeRecord[]> {
    const w = where([
      ['plan_id', filter.planId],
      ['unit_code', filter.unitCode],
      ['task_no', filter.taskNo],
      ['obligation', filter.obligation],
      ['status', filter.status],
    ]);
    const rows = await this.db.all<{
      plan_id: string;
      task_no: number | null;
      unit_code: string;
      obligation: string;
      period: string | null;
      due: string;
      status: string;
      fulfilled_at: string | null;
      evidence: string | null;
      margin_minutes: number | null;
      updated_ms: number;
    }>(
      `SELECT plan_id, task_no, unit_code, obligation, period, due, status, fulfilled_at, evidence, margin_minutes, updated_ms
       FROM outcomes${w.sql} ORDER BY plan_id, task_no, unit_code, obligation, period, due`,
      w.params,
    );
    return rows.map((r) => ({
      planId: r.plan_id,
      taskNo: r.task_no === null ? null : Number(r.task_no),
      unitCode: r.unit_code,
      obligation: r.obligation as ObligationKind,
      period: r.period,
      due: r.due,
      status: r.status as OutcomeStatus,
      fulfilledAt: r.fulfilled_at,
      ...(r.evidence ? { evidence: JSON.parse(r.evidence) as Outcome['evidence'] } : {}),
      ...(r.margin_minutes === null || r.margin_minutes === undefined
        ? {}
        : { marginMinutes: Number(r.margin_minutes) }),
      updatedAt: iso(Number(r.updated_ms)),
    }));
  }

  async recordEvent(
    ref: ObligationRef,
    event: ObligationEvent,
    nowMs: number,
    overview?: WithOverview,
  ): Promise<{ created: boolean }> {
    if (overview)
      return this.db.transaction((tx) =>
        bumpingVersion(tx, overview, async () => {
          const created = await recordEventOn(tx, ref, event, nowMs);
          await putOverviewOn(tx, overview, nowMs, {});
          return created;
        }),
      );
    return recordEventOn(this.db, ref, event, nowMs);
  }

  async listEvents(filter: EventFilter = {}): Promise<ObligationEventRecord[]> {
    const w = where([
      ['plan_id', filter.planId],
      ['task_no', filter.taskNo],
      ['unit_code', filter.unitCode],
      ['obligation', filter.obligation],
      ['period', filter.period],
      ['type', filter.type],
    ]);
    const rows = await this.db.all<{
      id: number;
      plan_id: string;
      task_no: number | null;
      unit_code: string;
      obligation: string;
      period: string | null;
      event: string;
      recorded_ms: number;
    }>(
      `SELECT id, plan_id, task_no, unit_code, obligation, period, event, recorded_ms FROM obligation_events${w.sql} ORDER BY at, id`,
      w.params,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      planId: r.plan_id,
      taskNo: r.task_no === null ? null : Number(r.task_no),
      unitCode: r.unit_code,
      obligation: r.obligation as ObligationKind,
      period: r.period,
      event: JSON.parse(r.event) as ObligationEvent,
      recordedAt: iso(Number(r.recorded_ms)),
    }));
  }

  async recordAudit(entry: AuditEntry, nowMs: number): Promise<number> {
    const [row] = await this.db.all<{ id: number }>(
      `INSERT INTO audit_log (at_ms, actor, role, action, plan_id, unit_code, target, input, result, status, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        nowMs,
        entry.actor,
        entry.role,
        entry.action,
        entry.planId,
        entry.unitCode,
        JSON.stringify(entry.target),
        JSON.stringify(entry.input ?? null),
        entry.result,
        entry.status,
        entry.message,
      ],
    );
    return Number(row!.id);
  }

  async completeAudit(id: number, outcome: AuditOutcome): Promise<void> {
    await this.db.run(
      `UPDATE audit_log SET result = ?, status = ?, message = ?, unit_code = ?, target = ?
       WHERE id = ? AND result = 'pending'`,
      [outcome.result, outcome.status, outcome.message, outcome.unitCode, JSON.stringify(outcome.target), id],
    );
  }

  async listAudit(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    const w = where([
      ['plan_id', filter.planId],
      ['unit_code', filter.unitCode],
      ['actor', filter.actor],
    ]);
    const limit =
      filter.limit !== undefined
        ? ` ORDER BY at_ms DESC, id DESC LIMIT ${Math.max(0, Math.floor(filter.limit))}`
        : ' ORDER BY at_ms, id';
    const rows = await this.db.all<{
      id: number;
      at_ms: number;
      actor: string;
      role: string;
      action: string;
      plan_id: string | null;
      unit_code: string | null;
      target: string;
      input: string;
      result: string;
      status: number;
      message: string | null;
    }>(
      `SELECT id, at_ms, actor, role, action, plan_id, unit_code, target, input, result, status, message FROM audit_log${w.sql}${limit}`,
      w.params,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      at: iso(Number(r.at_ms)),
      actor: r.actor,
      role: r.role === 'officer' ? 'officer' : 'operator',
      action: r.action,
      planId: r.plan_id,
      unitCode: r.unit_code,
      target: JSON.parse(r.target) as Record<string, unknown>,
      input: JSON.parse(r.input) as unknown,
      result: r.result as AuditEntry['result'],
      status: Number(r.status),
      message: r.message,
    }));
  }

  async putHolidayYear(data: HolidayYear, nowMs: number): Promise<{ previous: HolidayYearRecord | null }> {
    const year = validateHolidayYear(data, `holiday year ${String(data?.year)}`);
    return this.db.transaction(async (tx) => {
      const [row] = await tx.all<HolidayYearRow>(
        `SELECT year, data, added_ms, updated_ms FROM holiday_years WHERE year = ?${
          tx.dialect === 'postgres' ? ' FOR UPDATE' : ''
        }`,
        [year.year],
      );
      await tx.run(
        `INSERT INTO holiday_years (year, data, added_ms, updated_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (year) DO UPDATE SET data = excluded.data, updated_ms = excluded.updated_ms`,
        [year.year, JSON.stringify(year), nowMs, nowMs],
      );
      return { previous: row ? toHolidayYear(row) : null };
    });
  }

  async listHolidayYears(): Promise<HolidayYearRecord[]> {
    const rows = await this.db.all<HolidayYearRow>(
      'SELECT year, data, added_ms, updated_ms FROM holiday_years ORDER BY year',
    );
    return rows.map(toHolidayYear);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

interface HolidayYearRow {
  year: number;
  data: string;
  added_ms: number;
  updated_ms: number;
}

/** A stored year, checked again on the way out: a row edited by hand must not reach a calendar unchecked. */
function toHolidayYear(r: HolidayYearRow): HolidayYearRecord {
  return {
    data: validateHolidayYear(JSON.parse(r.data), `holiday_years row ${Number(r.year)}`),
    addedAt: iso(Number(r.added_ms)),
    updatedAt: iso(Number(r.updated_ms)),
  };
}

/** The columns a notice row is indexed by, for either payload kind. */
function refOf(payload: OutboxPayload) {
  const n = payload.kind === 'notice' ? payload.notice : payload.report.notice;
  return {
    planId: n.planId,
    taskNo: n.taskNo,
    unitCode: n.unitCode,
    obligation: n.obligation,
    period: n.period,
    stage: payload.kind === 'notice' ? n.stage : 'undeliverable',
    due: n.due,
    at: n.at,
  };
}

async function upsertOutcomeOn(db: SqlDriver, outcome: Outcome, nowMs: number): Promise<void> {
  await db.run(
    `INSERT INTO outcomes (obligation_key, plan_id, task_no, unit_code, obligation, period, due, status, fulfilled_at, evidence, margin_minutes, updated_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (obligation_key) DO UPDATE SET due = excluded.due, status = excluded.status,
       fulfilled_at = excluded.fulfilled_at, evidence = excluded.evidence, margin_minutes = excluded.margin_minutes,
       updated_ms = excluded.updated_ms`,
    [
      obligationKey(outcome),
      outcome.planId,
      outcome.taskNo,
      outcome.unitCode,
      outcome.obligation,
      outcome.period,
      outcome.due,
      outcome.status,
      outcome.fulfilledAt,
      outcome.evidence ? JSON.stringify(outcome.evidence) : null,
      outcome.marginMinutes ?? null,
      nowMs,
    ],
  );
}

async function recordEventOn(
  db: SqlDriver,
  ref: ObligationRef,
  event: ObligationEvent,
  nowMs: number,
): Promise<{ created: boolean }> {
  const changed = await db.run(
    `INSERT INTO obligation_events (obligation_key, plan_id, task_no, unit_code, obligation, period, type, at, event, recorded_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (obligation_key, type, at) DO NOTHING`,
    [
      obligationKey(ref),
      ref.planId,
      ref.taskNo,
      ref.unitCode,
      ref.obligation,
      ref.period,
      event.type,
      event.at,
      JSON.stringify(event),
      nowMs,
    ],
  );
  return { created: changed > 0 };
}

const OVERVIEW_COLUMNS = [
  'plan_id',
  'unit_code',
  'obligation_id',
  'item_index',
  'task_no',
  'obligation',
  'period',
  'due',
  'due_end_ms',
  'state',
  'fulfilled_at',
  'extended',
  'calendar_error',
  'next_at',
  'next_stage',
  'provisional',
  'first_reminder_ahead',
  'window_opens_ms',
  'closed',
  'obligation_calendar_error',
  'last_notice_key',
  'last_notice_at',
  'last_notice_stage',
  'outcome',
  'as_of_ms',
  'seq',
  'updated_ms',
] as const;
/** Kept from the row before when a write does not say: set only by the notice or outcome written with it. */
const OVERVIEW_KEPT = new Set(['last_notice_key', 'last_notice_at', 'last_notice_stage', 'outcome']);
const OVERVIEW_KEY = new Set(['plan_id', 'unit_code', 'obligation_id', 'item_index']);
const OVERVIEW_UPSERT_SET = OVERVIEW_COLUMNS.filter((c) => !OVERVIEW_KEY.has(c))
  .map((c) => (OVERVIEW_KEPT.has(c) ? `${c} = COALESCE(excluded.${c}, overviews.${c})` : `${c} = excluded.${c}`))
  .join(', ');

/**
 * Writes every item of an overview in one statement (only the items it carries when it has `indexes`: their rows);
 * a row holding a later overview (workflow time, then sequence) is kept. `lastNotice` and `outcome` are what the same transaction recorded, for their item.
 */
/**
 * Runs `write`, which writes `overview`'s rows, then bumps its plan's read-model version: last in the transaction,
 * so the version row is locked (PostgreSQL) only from there to the commit, and always after the rows, in one order.
 */
async function bumpingVersion<T>(db: SqlDriver, overview: WithOverview, write: () => Promise<T>): Promise<T> {
  const result = await write();
  if (overview)
    await db.run(
      `INSERT INTO overview_versions (plan_id, version) VALUES (?, 1)
       ON CONFLICT (plan_id) DO UPDATE SET version = overview_versions.version + 1`,
      [overview.planId],
    );
  return result;
}

/** Final states: their light never turns (the first branch of {@link LIGHT_SQL}). */
const SETTLED_STATES = "('on-time', 'late', 'waived', 'overdue', 'missed')";

/**
 * Counts of a plan's overviews (the dashboard's totals and cells, the status API's sums), kept while they stay true:
 * until the plan's read-model version moves (any overview written, by any process: the version is in the store), or
 * the plan clock reaches the first instant a light can turn (a due date ends, a reminder window opens), or a minute
 * has passed (a writer that died between its commit and its bump cannot leave them stale for long). The version is
 * read before counting, so counts kept under a version are at least as new as it. Without it every page of a large
 * plan scanned all its rows for the totals.
 */
class OverviewCountCache {
  static readonly MAX_AGE_MS = 60_000;
  static readonly MAX_ENTRIES = 256;
  private readonly plans = new Map<
    string,
    { version: number; fromMs: number; untilMs: number; madeMs: number; entries: Map<string, unknown> }
  >();
  /** Scans made (misses), for tests and benches. */
  scans = 0;

  async get<T>(
    db: SqlDriver,
    what: string,
    filter: Omit<OverviewFilter, 'limit' | 'offset'>,
    scan: () => Promise<T>,
  ): Promise<T> {
    const { planId, nowMs } = filter;
    const [row] = await db.all<{ version: number }>('SELECT version FROM overview_versions WHERE plan_id = ?', [
      planId,
    ]);
    const version = Number(row?.version ?? 0);
    let plan = this.plans.get(planId);
    const wall = Date.now();
    if (
      !plan ||
      plan.version !== version ||
      nowMs < plan.fromMs ||
      nowMs >= plan.untilMs ||
      wall - plan.madeMs > OverviewCountCache.MAX_AGE_MS ||
      plan.entries.size >= OverviewCountCache.MAX_ENTRIES
    ) {
      const [turn] = await db.all<{ due_turn: number | null; window_turn: number | null }>(
        `SELECT MIN(CASE WHEN due_end_ms > ? THEN due_end_ms END) AS due_turn,
           MIN(CASE WHEN window_opens_ms > ? THEN window_opens_ms END) AS window_turn
         FROM overviews WHERE plan_id = ? AND state NOT IN ${SETTLED_STATES}`,
        [nowMs, nowMs, planId],
      );
      const turns = [turn?.due_turn, turn?.window_turn].filter((t) => t !== null && t !== undefined).map(Number);
      plan = {
        version,
        fromMs: nowMs,
        untilMs: turns.length ? Math.min(...turns) : Number.POSITIVE_INFINITY,
        madeMs: wall,
        entries: new Map(),
      };
      this.plans.set(planId, plan);
    }
    const { nowMs: _now, ...rest } = filter;
    const key = `${what}|${JSON.stringify(rest)}`;
    if (plan.entries.has(key)) return plan.entries.get(key) as T;
    this.scans++;
    const counted = await scan();
    plan.entries.set(key, counted);
    return counted;
  }
}

async function putOverviewOn(
  db: SqlDriver,
  overview: ObligationOverview,
  nowMs: number,
  recorded: {
    lastNotice?: { period: string | null; key: string; at: string; stage: string };
    outcome?: Pick<Outcome, 'period' | 'status'>;
  },
): Promise<void> {
  if (overview.items.length === 0) return;
  const params: unknown[] = [];
  const { indexes } = overview;
  if (indexes && indexes.length !== overview.items.length)
    throw new Error(
      `overview of ${overview.obligationId} (${overview.unitCode}): ${indexes.length} indexes for ${overview.items.length} items`,
    );
  overview.items.forEach((item, i) => {
    const index = indexes ? indexes[i] : i;
    const notice = recorded.lastNotice && recorded.lastNotice.period === item.period ? recorded.lastNotice : null;
    const outcome = recorded.outcome && recorded.outcome.period === item.period ? recorded.outcome : null;
    params.push(
      overview.planId,
      overview.unitCode,
      overview.obligationId,
      index,
      overview.taskNo,
      overview.obligation,
      item.period,
      item.due,
      deadlineEndMs(item.due),
      item.state,
      item.fulfilledAt,
      item.extended ? 1 : 0,
      item.calendarError ?? null,
      item.next?.at ?? null,
      item.next?.stage ?? null,
      item.next?.provisional ? JSON.stringify(item.next.provisional) : null,
      item.firstReminderAhead === null ? null : item.firstReminderAhead ? 1 : 0,
      item.windowOpensMs,
      overview.closed ? 1 : 0,
      overview.calendarError ?? null,
      notice?.key ?? null,
      notice?.at ?? null,
      notice?.stage ?? null,
      outcome?.status ?? null,
      overview.asOfMs,
      overview.seq,
      nowMs,
    );
  });
  const row = `(${placeholders(OVERVIEW_COLUMNS.length)})`;
  await db.run(
    `INSERT INTO overviews (${OVERVIEW_COLUMNS.join(', ')}) VALUES ${overview.items.map(() => row).join(', ')}
     ON CONFLICT (plan_id, unit_code, obligation_id, item_index) DO UPDATE SET ${OVERVIEW_UPSERT_SET}
     WHERE overviews.as_of_ms < excluded.as_of_ms
        OR (overviews.as_of_ms = excluded.as_of_ms AND overviews.seq <= excluded.seq)`,
    params,
  );
  // A workflow queues notices of two items at one instant in two activities, each with an overview: when the later
  // overview lands first, the earlier one is kept out above, and with it what it recorded for its own item. The
  // notice still becomes the item's last unless a later-scheduled one is recorded; the outcome, as in `outcomes`.
  // The item by its period, not by its place in `items`: a loop's write carries only the items whose row changed
  // (`indexes`), and the notice's item need not be among them.
  const recordedFor = recorded.lastNotice ?? recorded.outcome;
  if (!recordedFor) return;
  const key = [overview.planId, overview.unitCode, overview.obligationId, recordedFor.period ?? ''];
  const itemIs = "plan_id = ? AND unit_code = ? AND obligation_id = ? AND COALESCE(period, '') = ?";
  const notice = recorded.lastNotice;
  if (notice)
    await db.run(
      `UPDATE overviews SET last_notice_key = ?, last_notice_at = ?, last_notice_stage = ?
       WHERE ${itemIs} AND (last_notice_key IS NULL OR (last_notice_key <> ?
         AND COALESCE((SELECT n.at_ms FROM notices n WHERE n.key = overviews.last_notice_key), 0) <= ?))`,
      [notice.key, notice.at, notice.stage, ...key, notice.key, Date.parse(notice.at)],
    );
  const outcome = recorded.outcome;
  if (outcome)
    await db.run(`UPDATE overviews SET outcome = ? WHERE ${itemIs} AND (outcome IS NULL OR outcome <> ?)`, [
      outcome.status,
      ...key,
      outcome.status,
    ]);
}

/**
 * An item's light at a plan instant (four `?`, each the instant), in SQL: the rule of `lightOf` in
 * src/domain/lights.ts, over the stored state, due-date end and light inputs, so a page can filter and count by it.
 */
const LIGHT_SQL = `(CASE
  WHEN state IN ('on-time', 'late', 'waived') THEN 'green'
  WHEN state IN ('overdue', 'missed') THEN 'red'
  WHEN ? >= due_end_ms THEN 'red'
  WHEN state IN ('open', 'paused') THEN 'green'
  WHEN first_reminder_ahead = 0 THEN 'yellow'
  WHEN window_opens_ms IS NOT NULL AND ? >= window_opens_ms THEN 'yellow'
  ELSE 'green' END)`;

/** An overview row's (`paged`) `obligation_key`, as {@link obligationKey} builds it: how its notices are indexed. */
const OBLIGATION_KEY_SQL = `paged.plan_id || '/' || COALESCE(CAST(paged.task_no AS TEXT), '-') || '/' ||
  paged.unit_code || '/' || paged.obligation || '/' || COALESCE(paged.period, '-')`;

function overviewWhere(filter: Omit<OverviewFilter, 'limit' | 'offset'>): { sql: string; params: unknown[] } {
  let w = where([
    ['plan_id', filter.planId],
    ['unit_code', filter.unitCode],
    ['task_no', filter.taskNo],
    ['obligation', filter.obligation],
  ]);
  if (filter.units !== undefined) {
    // The primary key's second column: a page of units is one index range per unit.
    const units = filter.units.length ? `unit_code IN (${placeholders(filter.units.length)})` : '1 = 0';
    w = { sql: `${w.sql ? `${w.sql} AND` : ' WHERE'} ${units}`, params: [...w.params, ...filter.units] };
  }
  if (filter.light === undefined) return w;
  return {
    sql: `${w.sql ? `${w.sql} AND` : ' WHERE'} ${LIGHT_SQL} = ?`,
    params: [...w.params, filter.nowMs, filter.nowMs, filter.light],
  };
}

interface OverviewRow {
  plan_id: string;
  unit_code: string;
  obligation_id: string;
  item_index: number;
  task_no: number | null;
  obligation: string;
  period: string | null;
  due: string;
  due_end_ms: number;
  state: string;
  fulfilled_at: string | null;
  extended: number;
  calendar_error: string | null;
  next_at: string | null;
  next_stage: string | null;
  provisional: string | null;
  first_reminder_ahead: number | null;
  window_opens_ms: number | null;
  closed: number;
  obligation_calendar_error: string | null;
  last_notice_key: string | null;
  last_notice_at: string | null;
  last_notice_stage: string | null;
  outcome: string | null;
  updated_ms: number;
  delivery_key: string | null;
  d_stage: string | null;
  d_at: string | null;
  d_queued: number | string | null;
  d_sent: number | string | null;
  d_failed: number | string | null;
  d_undeliverable: number | string | null;
}

/** The delivery counts of a row's last notice; null without one. */
function deliveryOfRow(r: OverviewRow): LastNoticeDelivery | null {
  if (r.delivery_key === null || r.d_stage === null) return null;
  const queued = Number(r.d_queued ?? 0);
  const sent = Number(r.d_sent ?? 0);
  const failed = Number(r.d_failed ?? 0);
  const undeliverable = Number(r.d_undeliverable ?? 0);
  // As noticeStatus: pending while any delivery is, else sent if anyone got it.
  const status: NoticeStatus =
    queued > 0 ? 'queued' : sent > 0 ? 'sent' : failed > 0 ? 'failed' : undeliverable > 0 ? 'undeliverable' : 'queued';
  return { key: r.delivery_key, stage: r.d_stage, at: r.d_at ?? '', status, queued, sent, failed, undeliverable };
}

function toOverview(r: OverviewRow): OverviewRecord {
  const calendarError = r.calendar_error ?? r.obligation_calendar_error;
  return {
    planId: r.plan_id,
    unitCode: r.unit_code,
    obligationId: r.obligation_id,
    itemIndex: Number(r.item_index),
    taskNo: r.task_no === null ? null : Number(r.task_no),
    obligation: r.obligation as ObligationKind,
    period: r.period,
    due: r.due,
    dueEndMs: Number(r.due_end_ms),
    state: r.state as OverviewRecord['state'],
    fulfilledAt: r.fulfilled_at,
    extended: Number(r.extended) === 1,
    ...(calendarError ? { calendarError } : {}),
    next:
      r.next_at === null || r.next_stage === null
        ? null
        : {
            at: r.next_at,
            stage: r.next_stage,
            ...(r.provisional ? { provisional: JSON.parse(r.provisional) as number[] } : {}),
          },
    firstReminderAhead: r.first_reminder_ahead === null ? null : Number(r.first_reminder_ahead) === 1,
    windowOpensMs: r.window_opens_ms === null ? null : Number(r.window_opens_ms),
    closed: Number(r.closed) === 1,
    lastNotice:
      r.last_notice_key === null
        ? null
        : { key: r.last_notice_key, at: r.last_notice_at ?? '', stage: r.last_notice_stage ?? '' },
    outcome: r.outcome as OutcomeStatus | null,
    delivery: deliveryOfRow(r),
    updatedAt: iso(Number(r.updated_ms)),
  };
}
