/**
 * The outbox dispatcher: sends queued deliveries as one digest per (recipient address, scheduled instant),
 * marks them, retries transient failures with backoff, and reports every delivery that failed for good (address or
 * message refused, message not composable) to the general office.
 *
 * Delivery guarantee: a row is claimed (`sending`, with a lease) before the hand-over to SMTP and marked
 * `sent` after. If the process dies in between, the lease expires, the row is re-queued and logged as a
 * "possible duplicate", and sent again: at most one duplicate per crash, with the same Message-ID. A store that
 * stops answering between the two (a database restart) does not count as a crash: the mark is retried until it
 * answers, past the lease if need be, so the digest is not sent again.
 */
import crypto from 'node:crypto';
import { addressProblem, breaksMailHeader } from '../domain/contact';
import type { Directory } from '../domain/directory';
import type { Notice, Stage } from '../domain/notice';
import type {
  ClaimedDelivery,
  DeliveryRecord,
  OutboxPayload,
  Recipient,
  Store,
  WithOverview,
  UndeliverableReport,
} from '../store/types';
import { DEFAULT_PUBLIC_URL } from './config';
import { assertAddress, assertHeaderSafe } from './errors';
import { type Logger, processLogger } from '../telemetry/logger';
import { noticesCounter } from '../telemetry/metrics';
import { ChannelSendError, type ChannelAddress, type Channels, parseChannelAddress } from './channels/senders';
import {
  type DigestItem,
  type PriorNotice,
  type RenderContext,
  type RenderedMessage,
  dashboardLink,
  renderDigest,
} from './message';
import { signForLink, type SignForConfig } from './sign-for-token';
import type { SkippedContact } from './recipients';
import { type Mailer, type OutgoingMail, classifySendError, describeSendError } from './transport';

/** Tuning of a {@link Dispatcher}. */
export interface DispatcherOptions {
  /** How long a queued notice waits for others of the same instant and recipient. (Default: 2000) */
  graceMs?: number;
  /** Stages sent without grace, where latency matters more than grouping. (Default: ['opened', 'breach']) */
  urgentStages?: Stage[];
  /** Interval of the safety-net poll once {@link Dispatcher.start} ran (rows queued by other processes, expired leases). (Default: 1000) */
  pollMs?: number;
  /** How long a claimed group may stay `sending` before it counts as crashed; must exceed a send's timeouts. (Default: 300000) */
  leaseMs?: number;
  /** Groups claimed per round. (Default: 50) */
  batchSize?: number;
  /** Groups sent at once. (Default: 4) */
  concurrency?: number;
  /** First retry delay after a transient failure; doubles per attempt. (Default: 5000) */
  retryBaseMs?: number;
  /** Longest retry delay; transient failures retry forever at this pace, so nothing queued is lost. (Default: 600000) */
  retryMaxMs?: number;
  /** Base of dashboard links in messages. (Default: 'http://localhost:8080') */
  publicUrl?: string;
  /** Every message is a rehearsal's, and says so (see `RenderContext.rehearsal`). (Default: false) */
  rehearsal?: boolean;
  /** Key and lifetime of sign-for (签收) links; reminders and escalations carry one. (Default: no links) */
  signFor?: SignForConfig;
}

export interface DispatcherDeps {
  store: Store;
  mailer: Mailer;
  directory: Directory;
  /** (Default: () => new Date()) */
  clock?: () => Date;
  /** (Default: the process's logger) */
  logger?: Logger;
  /**
   * The channels besides mail (IM robots, webhook, SMS) for deliveries whose address names one (`dingtalk:fj-czt`).
   * Without it such deliveries stay queued, logged, until a process that has them sends them. (Default: none)
   */
  channels?: Channels;
}

/** What one {@link Dispatcher.runOnce} did, counted in deliveries. */
export interface DispatchSummary {
  sent: number;
  retried: number;
  undeliverable: number;
  failed: number;
  /** Deliveries found `sending` past their lease: each may reach its recipient twice. */
  possibleDuplicates: number;
  /** Channel deliveries held back by their endpoint's rate limit, queued for when it allows them. */
  deferred: number;
}

/** A digest a round kept queued after a transient failure, for the round's one log line. */
interface HeldRound {
  /** Where it failed to go: the mail transport's target, or a channel endpoint (`dingtalk:fj-czt`). */
  target: string;
  deliveries: number;
  /** The first failure's description, code and reply code (describeSendError). */
  error: string;
  code: string | undefined;
  responseCode: number | undefined;
  nextAttemptMs: number;
}

/** A transient failure going on, as operators last heard of it. */
interface Failing {
  /** Code and reply code: a different one is news and is logged at once. */
  kind: string;
  sinceMs: number;
  loggedMs: number;
}

/** Counts deliveries in `duban_notices_total` by their notice's stage (a report to the general office: `report`). */
function countDeliveries(
  payloads: OutboxPayload[],
  result: 'queued' | 'sent' | 'retried' | 'failed' | 'undeliverable' | 'deferred',
  channel = 'mail',
) {
  for (const p of payloads)
    noticesCounter.inc({ channel, stage: p.kind === 'notice' ? p.notice.stage : 'report', result });
}

/** The channel a delivery's address names: `mail` for an e-mail address. */
function channelOfAddress(address: string): string {
  return parseChannelAddress(address)?.channel ?? 'mail';
}

/** Longest wait between two tries to mark a handed-over digest sent; also bounds how long a stop waits for one. */
const MARK_RETRY_MAX_MS = 5_000;

/** While the same failure lasts it is logged again at most this often. */
const FAILURE_LOG_INTERVAL_MS = 60_000;

export class Dispatcher {
  private readonly store: Store;
  private readonly mailer: Mailer;
  private readonly directory: Directory;
  private readonly channels: Channels | undefined;
  private readonly clock: () => Date;
  private readonly logger: Logger;
  private readonly options: Required<Omit<DispatcherOptions, 'signFor'>> & Pick<DispatcherOptions, 'signFor'>;
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs = Infinity;
  private poller: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private again = false;
  private stopped = false;
  private failing: Failing | null = null;
  private storeFailing: { sinceMs: number; loggedMs: number } | null = null;

  constructor(deps: DispatcherDeps, options: DispatcherOptions = {}) {
    this.store = deps.store;
    this.mailer = deps.mailer;
    this.directory = deps.directory;
    this.channels = deps.channels;
    this.clock = deps.clock ?? (() => new Date());
    this.logger = deps.logger ?? processLogger;
    this.options = {
      graceMs: 2000,
      urgentStages: ['opened', 'breach'],
      pollMs: 1000,
      leaseMs: 300_000,
      batchSize: 50,
      concurrency: 4,
      retryBaseMs: 5000,
      retryMaxMs: 600_000,
      publicUrl: DEFAULT_PUBLIC_URL,
      ...options,
      rehearsal: options.rehearsal ?? false,
    };
  }

  /**
   * Queues a payload for its recipients unless its key is already queued (idempotent), then arranges a
   * dispatch after the grace. Returns the stored recipients (the first enqueue's, on a repeat). An `overview`
   * goes into the read model in the same transaction. (Default: none)
   */
  async enqueue(
    key: string,
    payload: OutboxPayload,
    recipients: Recipient[],
    overview?: WithOverview,
  ): Promise<{ created: boolean; recipients: Recipient[] }> {
    const nowMs = this.clock().getTime();
    const notice = payload.kind === 'notice' ? payload.notice : payload.report.notice;
    const atMs = Date.parse(notice.at);
    const urgent = payload.kind === 'notice' && this.options.urgentStages.includes(notice.stage);
    const notBeforeMs = urgent ? nowMs : nowMs + this.options.graceMs;
    const result = await this.store.enqueue({ key, payload, recipients, atMs, notBeforeMs }, nowMs, overview);
    if (result.created)
      for (const r of result.recipients) countDeliveries([payload], 'queued', channelOfAddress(r.address));
    this.wake(result.created ? notBeforeMs : nowMs);
    return result;
  }

  /** Starts the safety-net poll and recovers expired leases at once. The worker process calls this. */
  start(): void {
    this.stopped = false;
    if (this.poller) return;
    this.poller = setInterval(() => this.wake(0), this.options.pollMs);
    this.poller.unref();
    this.wake(0);
  }

  /** Stops timers and waits for the round in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    if (this.timer) clearTimeout(this.timer);
    this.poller = this.timer = null;
    this.timerAtMs = Infinity;
    await this.running;
  }

  /** Waits until no delivery of `key` is pending, or `timeoutMs` passed; returns its deliveries. */
  async waitForDelivery(key: string, timeoutMs: number): Promise<DeliveryRecord[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const deliveries = await this.store.deliveriesOf(key);
      if (!deliveries.some((d) => d.status === 'queued' || d.status === 'sending') || Date.now() >= until)
        return deliveries;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Arranges a round at `atMs` (epoch, by the injected clock) unless one is due sooner. */
  private wake(atMs: number): void {
    if (this.stopped || atMs >= this.timerAtMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, atMs - this.clock().getTime()));
    // The worker keeps the process alive; a pending dispatch alone must not.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.timerAtMs = Infinity;
    if (this.running) {
      this.again = true;
      return;
    }
    const round = this.runOnce()
      .then((summary) => {
        if (this.storeFailing) {
          const downS = Math.round((Date.now() - this.storeFailing.sinceMs) / 1000);
          this.logger.info(`outbox dispatch works again after ${downS} s`);
          this.storeFailing = null;
        }
        return summary;
      })
      .catch((err: unknown) => {
        // A store that is away (a database restart) fails every poll: one line when it starts, then one a minute.
        const nowMs = Date.now();
        const failing = this.storeFailing;
        if (!failing || nowMs - failing.loggedMs >= FAILURE_LOG_INTERVAL_MS) {
          const since = failing ? ` (failing since ${new Date(failing.sinceMs).toISOString()})` : '';
          this.logger.error(`outbox dispatch round failed; will retry every ${this.options.pollMs} ms${since}`, {
            error: (err as Error).message,
          });
          this.storeFailing = { sinceMs: failing?.sinceMs ?? nowMs, loggedMs: nowMs };
        }
        return null;
      })
      .finally(() => (this.running = null));
    this.running = round;
    const summary = await round;
    if (this.stopped) return;
    if (this.again || summary === null) {
      this.again = false;
      this.wake(this.clock().getTime() + (summary === null ? this.options.pollMs : 0));
      return;
    }
    const next = await this.store.nextDueMs().catch(() => null);
    if (next !== null) this.wake(next);
  }

  /**
   * Sends everything queued now, grace or backoff notwithstanding, then stops. For processes about to exit
   * (`duban simulate`, tests) so no notice stays behind in the outbox unsent.
   */
  async drain(): Promise<DispatchSummary> {
    await this.stop();
    return this.runOnce(Number.MAX_SAFE_INTEGER);
  }

  /**
   * One round: recover expired leases, then send every group due by `horizonMs`. Tests and the bench call
   * it directly. (Default: horizonMs = now by the injected clock)
   */
  async runOnce(horizonMs?: number): Promise<DispatchSummary> {
    const summary: DispatchSummary = {
      sent: 0,
      retried: 0,
      undeliverable: 0,
      failed: 0,
      possibleDuplicates: 0,
      deferred: 0,
    };
    const held: HeldRound[] = [];
    for (const r of await this.store.recoverExpiredLeases(this.clock().getTime())) {
      summary.possibleDuplicates++;
      this.logger.warn('possible duplicate: delivery was still sending when its lease expired; re-queued', {
        key: r.noticeKey,
        deliveryId: r.id,
        attempts: r.attempts,
      });
    }
    for (;;) {
      const groups = await this.store.dueGroups(horizonMs ?? this.clock().getTime(), this.options.batchSize);
      if (groups.length === 0) break;
      let next = 0;
      const lanes = Array.from({ length: Math.min(this.options.concurrency, groups.length) }, async () => {
        while (next < groups.length) {
          const group = groups[next++];
          if (group) await this.sendGroup(group, summary, held);
        }
      });
      // Every lane ends before the round does: a lane still marking its digest sent must not meet the next round's
      // lease recovery, which would send that digest again.
      const failure = (await Promise.allSettled(lanes)).find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
      if (groups.length < this.options.batchSize) break;
    }
    await this.reportRound(held, summary);
    return summary;
  }

  /**
   * Tells operators of transient failures in one line per round, and of the same failure again only every
   * {@link FAILURE_LOG_INTERVAL_MS}: an outage of the relay or the outbox folder is one line, not one per digest and
   * retry (each row keeps its own error in the store). Says when sending works again.
   */
  private async reportRound(held: HeldRound[], summary: DispatchSummary): Promise<void> {
    const nowMs = this.clock().getTime();
    const first = held[0];
    if (!first) {
      if (this.failing && summary.sent > 0) {
        this.logger.info(
          `outbox sending again after ${Math.round((nowMs - this.failing.sinceMs) / 1000)} s of transient failures`,
          { transport: this.mailer.kind, sent: summary.sent },
        );
        this.failing = null;
      }
      return;
    }
    const kind = `${first.code ?? ''}/${first.responseCode ?? ''}`;
    const failing = this.failing;
    if (failing && failing.kind === kind && nowMs - failing.loggedMs < FAILURE_LOG_INTERVAL_MS) return;
    const counts = await this.store.countDeliveries().catch(() => null);
    const kept = counts ? `${counts.queued + counts.sending} deliveries kept queued` : 'kept queued';
    const deliveries = held.reduce((n, h) => n + h.deliveries, 0);
    const since = failing ? `, failing since ${new Date(failing.sinceMs).toISOString()}` : '';
    this.logger.warn(
      `transient ${parseChannelAddress(first.target) ? 'channel' : 'mail'} failure (${first.target}); will retry: ${first.error}; ${held.length} digests (${deliveries} deliveries) not ` +
        `sent this round, ${kept}${since}`,
      {
        transport: this.mailer.kind,
        code: first.code,
        responseCode: first.responseCode,
        nextAttemptAt: new Date(Math.min(...held.map((h) => h.nextAttemptMs))).toISOString(),
      },
    );
    this.failing = { kind, sinceMs: failing?.sinceMs ?? nowMs, loggedMs: nowMs };
  }

  private async sendGroup(
    group: { address: string; atMs: number },
    summary: DispatchSummary,
    held: HeldRound[],
  ): Promise<void> {
    const rows = await this.store.claimGroup(group, this.clock().getTime(), this.options.leaseMs);
    if (rows.length === 0) return;
    const channel = parseChannelAddress(group.address);
    if (channel) return this.sendChannelGroup(channel, rows, summary, held);
    const ids = rows.map((r) => r.id);
    const keys = rows.map((r) => r.noticeKey);
    let mail: OutgoingMail;
    try {
      mail = await this.compose(rows);
    } catch (err) {
      await this.failComposition(rows, err, summary, 'mail');
      return;
    }
    let messageId: string;
    try {
      messageId = (await this.mailer.send(mail)).messageId;
    } catch (err) {
      await this.onSendError(err, rows, summary, held);
      return;
    }
    // Outside the send's try: a failure to mark must leave the rows `sending` for lease recovery, not retry them now.
    await this.markSent(ids, messageId);
    summary.sent += ids.length;
    countDeliveries(
      rows.map((r) => r.payload),
      'sent',
    );
    this.logger.info('digest sent', { keys, messageId, transport: this.mailer.kind });
  }

  /** Ends claimed rows whose digest could not be composed (retrying cannot help) and tells the general office. */
  private async failComposition(
    rows: ClaimedDelivery[],
    err: unknown,
    summary: DispatchSummary,
    channel: string,
  ): Promise<void> {
    const ids = rows.map((r) => r.id);
    const error = (err as Error).message;
    await this.store.markFinal(ids, 'failed', { error, nowMs: this.clock().getTime() });
    summary.failed += ids.length;
    countDeliveries(
      rows.map((r) => r.payload),
      'failed',
      channel,
    );
    this.logger.error('could not compose a digest; marked failed', { keys: rows.map((r) => r.noticeKey), error });
    await this.reportFailures(rows, 'failed', error);
  }

  /**
   * Sends a claimed group on its channel (IM robot, webhook, SMS): within the endpoint's rate limit, else kept queued
   * (not counted as an attempt) until the limit allows it; failures are classified as for mail, so a down gateway
   * delays the digest and never drops it.
   */
  private async sendChannelGroup(
    address: ChannelAddress,
    rows: ClaimedDelivery[],
    summary: DispatchSummary,
    held: HeldRound[],
  ): Promise<void> {
    const ids = rows.map((r) => r.id);
    const keys = rows.map((r) => r.noticeKey);
    const target = rows[0]?.address ?? address.channel;
    const nowMs = this.clock().getTime();
    if (!this.channels) {
      const error = `no ${address.channel} channel in this process (DUBAN_CHANNELS_FILE); kept queued`;
      await this.store.markRetry(ids, { error, nextAttemptMs: nowMs + this.options.retryMaxMs, nowMs, untried: true });
      summary.retried += ids.length;
      held.push({
        target,
        deliveries: ids.length,
        error,
        code: undefined,
        responseCode: undefined,
        nextAttemptMs: nowMs + this.options.retryMaxMs,
      });
      return;
    }
    const freeAtMs = this.channels.reserve(address, nowMs);
    if (freeAtMs > 0) {
      const limit = this.channels.policy.perMinute[address.channel];
      const error = `rate limit of ${target} (${limit} a minute) reached; queued until ${new Date(freeAtMs).toISOString()}`;
      await this.store.markRetry(ids, { error, nextAttemptMs: freeAtMs, nowMs, untried: true });
      summary.deferred += ids.length;
      countDeliveries(
        rows.map((r) => r.payload),
        'deferred',
        address.channel,
      );
      this.logger.info('rate limit reached; digest kept queued', {
        target,
        keys,
        until: new Date(freeAtMs).toISOString(),
      });
      return;
    }
    let message;
    try {
      const { rendered, digestId } = await this.render(rows);
      const first = rows[0]!;
      const notices = rows.flatMap((r) =>
        r.payload.kind === 'notice' ? [r.payload.notice] : [r.payload.report.notice],
      );
      const lead = notices[0]!;
      message = {
        id: digestId,
        subject: rendered.subject,
        // The mail's signature line ("此邮件由 … 自动发送") speaks of an e-mail; a channel message goes without it.
        text: rendered.text.replace(/\n-- \n[\s\S]*$/, '\n'),
        link: dashboardLink(this.options.publicUrl, lead),
        unitName: this.directory.units.find((u) => u.code === first.unitCode)?.name ?? first.unitCode,
        count: rows.length,
        notices: notices.map((n) => ({
          key: n.key,
          stage: n.stage,
          planId: n.planId,
          unitCode: n.unitCode,
          taskNo: n.taskNo,
          due: n.due,
          at: n.at,
        })),
      };
    } catch (err) {
      this.channels.limiter.release(target, nowMs);
      await this.failComposition(rows, err, summary, address.channel);
      return;
    }
    let response: string;
    try {
      response = (await this.channels.send(address, message)).response;
    } catch (err) {
      await this.onSendError(err, rows, summary, held);
      return;
    }
    await this.markSent(ids, message.id);
    summary.sent += ids.length;
    countDeliveries(
      rows.map((r) => r.payload),
      'sent',
      address.channel,
    );
    this.logger.info('digest sent', { keys, messageId: message.id, channel: address.channel, target, response });
  }

  /**
   * Marks a handed-over digest sent, retrying while the store does not answer (a database restart) until the
   * dispatcher stops: a mark given up leaves the rows to lease recovery, which sends the digest a second time.
   */
  private async markSent(ids: number[], messageId: string): Promise<void> {
    let failedSinceMs: number | undefined;
    for (let delayMs = this.options.pollMs; ; delayMs = Math.min(delayMs * 2, MARK_RETRY_MAX_MS)) {
      try {
        await this.store.markSent(ids, { messageId, nowMs: this.clock().getTime() });
        if (failedSinceMs !== undefined)
          this.logger.info('digest marked sent: the store answers again', {
            messageId,
            afterS: Math.round((Date.now() - failedSinceMs) / 1000),
          });
        return;
      } catch (err) {
        if (this.stopped) throw err;
        if (failedSinceMs === undefined) {
          failedSinceMs = Date.now();
          this.logger.error('digest handed over but not marked sent: the store does not answer; retrying the mark', {
            messageId,
            deliveries: ids.length,
            error: (err as Error).message,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private async onSendError(
    err: unknown,
    rows: ClaimedDelivery[],
    summary: DispatchSummary,
    held: HeldRound[],
  ): Promise<void> {
    const ids = rows.map((r) => r.id);
    const keys = rows.map((r) => r.noticeKey);
    const channel = err instanceof ChannelSendError ? channelOfAddress(rows[0]?.address ?? '') : 'mail';
    const e =
      err instanceof ChannelSendError
        ? { code: err.code, responseCode: err.status }
        : (err as { code?: string; responseCode?: number });
    const nowMs = this.clock().getTime();
    const error = err instanceof ChannelSendError ? err.message : describeSendError(err);
    const target = err instanceof ChannelSendError ? (rows[0]?.address ?? channel) : this.mailer.target;
    const by = channel === 'mail' ? 'the mail server' : `the ${channel} endpoint`;
    switch (err instanceof ChannelSendError ? err.failure : classifySendError(err)) {
      case 'undeliverable':
        await this.store.markFinal(ids, 'undeliverable', { error, nowMs });
        summary.undeliverable += ids.length;
        countDeliveries(
          rows.map((r) => r.payload),
          'undeliverable',
          channel,
        );
        this.logger.warn(`recipient refused by ${by}; deliveries undeliverable`, {
          keys,
          code: e.code,
          responseCode: e.responseCode,
        });
        await this.reportFailures(rows, 'undeliverable', error);
        return;
      case 'failed':
        await this.store.markFinal(ids, 'failed', { error, nowMs });
        summary.failed += ids.length;
        countDeliveries(
          rows.map((r) => r.payload),
          'failed',
          channel,
        );
        this.logger.error(`message refused by ${by}; deliveries failed`, {
          keys,
          code: e.code,
          responseCode: e.responseCode,
        });
        await this.reportFailures(rows, 'failed', error);
        return;
      case 'transient': {
        const attempts = Math.max(...rows.map((r) => r.attempts));
        const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(attempts - 1, 20));
        // Jitter so many groups failing together do not all hit the server again in the same instant.
        const nextAttemptMs = nowMs + Math.round(delay * (0.8 + Math.random() * 0.4));
        await this.store.markRetry(ids, { error, nextAttemptMs, nowMs });
        summary.retried += ids.length;
        countDeliveries(
          rows.map((r) => r.payload),
          'retried',
          channel,
        );
        held.push({ target, deliveries: ids.length, error, code: e.code, responseCode: e.responseCode, nextAttemptMs });
      }
    }
  }

  /**
   * Queues a report to the general office per delivery of a notice that failed for good, once per delivery (the
   * report's key holds its id). A report that fails is logged, never reported: a broken general-office mailbox must
   * not breed reports about reports.
   */
  private async reportFailures(
    rows: ClaimedDelivery[],
    status: 'failed' | 'undeliverable',
    response: string,
  ): Promise<void> {
    for (const row of rows) {
      if (row.payload.kind !== 'notice') {
        this.logger.error('a report to the general office failed too; not reported again', {
          key: row.noticeKey,
          deliveryId: row.id,
          status,
        });
        continue;
      }
      const failed: Recipient = {
        address: row.address,
        name: row.name,
        role: row.role,
        unitCode: row.unitCode,
        locale: row.locale,
      };
      const key = `${row.noticeKey}#${status}#${row.role}@${row.unitCode}#${row.id}`;
      await this.report(key, {
        notice: row.payload.notice,
        failed,
        response,
        ...(status === 'failed' ? { messageRefused: true } : {}),
      });
    }
  }

  /**
   * Queues a report to the general office about contacts a notice skipped because the directory's name or
   * address cannot go into a mail header (the other recipients got the notice). Idempotent per notice and contact.
   */
  async reportSkipped(notice: Notice, skipped: SkippedContact[]): Promise<void> {
    for (const k of skipped) {
      const failed: Recipient = { address: '', name: '', role: k.role, unitCode: k.unitCode, locale: 'zh' };
      await this.report(`${notice.key}#skipped#${k.which}@${k.unitCode}`, {
        notice,
        failed,
        response: k.reason,
        skipped: true,
      });
    }
  }

  private async report(key: string, report: UndeliverableReport): Promise<void> {
    const office = this.directory.units.find((u) => u.code === this.directory.generalOffice);
    const failedAddress = report.failed.address.toLowerCase();
    const to: Recipient[] = office
      ? [office.head, office.officer]
          .filter((contact) => contact.email.toLowerCase() !== failedAddress)
          // A broken general-office contact cannot receive the report either.
          .filter((contact) => !breaksMailHeader(contact.name) && !addressProblem(contact.email))
          .map((contact) => ({
            address: contact.email,
            name: contact.name,
            role: 'general-office' as const,
            unitCode: office.code,
            locale: contact.locale ?? 'zh',
          }))
      : [];
    if (to.length === 0) {
      this.logger.error('a notice that did not reach someone cannot be reported: no other general office contact', {
        key: report.notice.key,
      });
      return;
    }
    await this.enqueue(key, { kind: 'undeliverable-report', report }, to);
    this.logger.info('a notice that did not reach someone was reported to the general office', {
      key: report.notice.key,
      reportKey: key,
    });
  }

  /** The digest of claimed rows for their recipient, and its deterministic id (Message-ID, channel message id). */
  private async render(rows: ClaimedDelivery[]): Promise<{ rendered: RenderedMessage; digestId: string }> {
    const first = rows[0];
    if (!first) throw new Error('empty digest');
    const items: DigestItem[] = [];
    for (const row of rows) {
      items.push({
        payload: row.payload,
        others: row.recipients.filter((r) => r.address.toLowerCase() !== row.address.toLowerCase()),
        history: await this.history(row),
      });
    }
    const rendered = renderDigest(items, {
      directory: this.directory,
      publicUrl: this.options.publicUrl,
      recipient: { name: first.name, locale: first.locale },
      rehearsal: this.options.rehearsal,
      signForLink: this.signForLinks(first),
    });
    const digestId = crypto
      .createHash('sha256')
      .update([first.address.toLowerCase(), ...rows.map((r) => r.noticeKey).sort()].join('\n'))
      .digest('hex')
      .slice(0, 32);
    return { rendered, digestId };
  }

  private async compose(rows: ClaimedDelivery[]): Promise<OutgoingMail> {
    const { rendered, digestId } = await this.render(rows);
    const first = rows[0]!;
    // Checked here too so a bad header fails the rows at once instead of being retried as a send error.
    assertHeaderSafe(rendered.subject, 'subject');
    assertHeaderSafe(first.name, 'recipient name');
    assertAddress(first.address, 'recipient address');
    // The From domain keeps the Message-ID plausible to spam filters; `.invalid` only when From has none.
    const domain = /@([^\s<>@]+)>?\s*$/.exec(this.mailer.from)?.[1] ?? 'duban.invalid';
    return { to: { name: first.name, address: first.address }, ...rendered, messageId: `<${digestId}@${domain}>` };
  }

  /** The recipient's sign-for links, when a key is configured. */
  private signForLinks(to: ClaimedDelivery): RenderContext['signForLink'] {
    const config = this.options.signFor;
    if (!config) return undefined;
    return (n) => signForLink(config, this.options.publicUrl, n, to.role, this.clock().getTime());
  }

  /** Earlier notices of the same obligation that reached someone; only escalations and breaches show them. */
  private async history(row: ClaimedDelivery): Promise<PriorNotice[]> {
    if (row.payload.kind !== 'notice') return [];
    const n = row.payload.notice;
    if (!(n.stage.startsWith('escalation') || n.stage === 'breach')) return [];
    const earlier = await this.store.listNotices({
      planId: n.planId,
      taskNo: n.taskNo,
      unitCode: n.unitCode,
      obligation: n.obligation,
      period: n.period,
      kind: 'notice',
      beforeAtMs: row.atMs,
    });
    return earlier
      .map((e) => ({
        stage: e.stage,
        at: e.at,
        recipients: e.deliveries
          .filter((d) => d.status === 'sent')
          .map((d) => ({ name: d.name, role: d.role, unitCode: d.unitCode })),
      }))
      .filter((p) => p.recipients.length > 0);
  }
}
