/**
 * Activities: the side effects workflows ask for — notices into the outbox (and out by mail), outcomes and
 * operator events into the store. Built by {@link createActivities} from injected dependencies; this module
 * has no top-level side effects, so workflows can `import type` it for `proxyActivities<Activities>`.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Directory } from '../src/domain/directory';
import type { HolidayYear } from '../src/domain/holidays';
import type { Notice, ObligationEvent, Outcome } from '../src/domain/notice';
import type { ObligationOverview } from '../src/domain/overview';
import type { ObligationKind } from '../src/domain/plan';
import { Dispatcher, type DispatcherOptions } from '../src/mail/dispatcher';
import { type ChannelPolicy, DEFAULT_CHANNEL_POLICY } from '../src/mail/channels/config';
import { routeNotice } from '../src/mail/channels/routing';
import { MailInputError } from '../src/mail/errors';
import { type Logger, processLogger } from '../src/telemetry/logger';
import { outcomesCounter, provisionalCounter } from '../src/telemetry/metrics';
import { resolveRecipients } from '../src/mail/recipients';
import type { Mailer } from '../src/mail/transport';
import type { Store } from '../src/store/types';

/** Failure types activities raise (`ApplicationFailure.type`); all are non-retryable. */
export type ActivityFailureType =
  'UnknownUnit' | 'HeaderInjection' | 'InvalidAddress' | 'NoRecipients' | 'InvalidNotice' | 'Undeliverable';

export interface ActivityDeps {
  store: Store;
  directory: Directory;
  mailer: Mailer;
  /** (Default: () => new Date()) */
  clock?: () => Date;
  /** (Default: the process's logger) */
  logger?: Logger;
  /**
   * The dispatcher that sends the outbox. Pass the worker's (started) one; when absent, one is created
   * from the other deps and `dispatcher` options, and runs whenever something is queued. (Default: created)
   */
  dispatcher?: Dispatcher;
  /**
   * Which stages go out on which channels (DUBAN_CHANNELS_FILE); the dispatcher needs the matching `channels` to send
   * them. (Default: mail only, every stage)
   */
  channelPolicy?: ChannelPolicy;
  /** Options of the created dispatcher; ignored when `dispatcher` is given. (Default: {}) */
  dispatcherOptions?: DispatcherOptions;
  /**
   * How long `sendNotice` waits for its deliveries to leave the outbox before returning. 0 returns once the
   * notice is queued (durable), which keeps workflows and simulations fast; with a wait, a notice whose every
   * address was refused fails the activity as `Undeliverable`. (Default: 0)
   */
  awaitDeliveryMs?: number;
  /**
   * Told of every notice queued and every outcome recorded, whichever activity did it (a simulation collects its
   * output this way). Called after the store has it. (Default: none)
   */
  observer?: ActivityObserver;
}

/** See {@link ActivityDeps.observer}. */
export interface ActivityObserver {
  notice?(notice: Notice, recipients: string[]): void;
  outcome?(outcome: Outcome): void;
}

/** Identifies the obligation an operator event belongs to. */
export interface RecordEventInput {
  planId: string;
  taskNo: number | null;
  unitCode: string;
  obligation: ObligationKind;
  period: string | null;
  event: ObligationEvent;
  /** The obligation's overview after the event, for the read model (same transaction). (Default: none) */
  overview?: ObligationOverview;
}

/**
 * One instant's work of an obligation workflow, for {@link Activities.deliverDue}: the notices due at that instant
 * and the outcomes decided with them (an item missed once its last escalation is out, items left open at close).
 */
export interface DueBatch {
  notices: Notice[];
  outcomes: Outcome[];
  /**
   * The obligation's overview once the batch is done, for the read model: written in the transaction of each
   * notice and outcome (recording it for its item), else on its own. (Default: none, workflows before the read model)
   */
  overview?: ObligationOverview;
}

/**
 * What `deliverDue` did, item by item. A local activity's history marker keeps only its result, not its input, so
 * the report repeats what operators read in `duban history`: each notice's key, stage, period, due date and
 * instant with its recipients (or why it was refused), and each outcome recorded.
 */
export interface DueReport {
  notices: {
    key: string;
    stage: Notice['stage'];
    period: string | null;
    due: string;
    at: string;
    /** Addresses it was queued for; absent when refused. */
    recipients?: string[];
    /** Why it was refused (a non-retryable failure such as `UnknownUnit`), on record instead of failing the rest. */
    refused?: { type: string; message: string };
  }[];
  outcomes: { period: string | null; due: string; status: Outcome['status'] }[];
}

function failure(err: unknown): never {
  if (err instanceof MailInputError) throw ApplicationFailure.nonRetryable(err.message, err.type);
  throw err;
}

function checkNotice(notice: Notice): number {
  const atMs = Date.parse(notice.at);
  if (!notice.key || Number.isNaN(atMs)) {
    throw ApplicationFailure.nonRetryable(
      `notice '${notice.key}' has no key or an invalid 'at' instant`,
      'InvalidNotice',
    );
  }
  return atMs;
}

/** Builds the activity functions around the given store, directory and mailer. */
export function createActivities(deps: ActivityDeps) {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger ?? processLogger;
  const awaitDeliveryMs = deps.awaitDeliveryMs ?? 0;
  const dispatcher =
    deps.dispatcher ??
    new Dispatcher(
      { store: deps.store, mailer: deps.mailer, directory: deps.directory, clock, logger },
      deps.dispatcherOptions,
    );

  async function sendNotice(notice: Notice, overview?: ObligationOverview): Promise<{ recipients: string[] }> {
    checkNotice(notice);
    let recipients, skipped;
    try {
      const route = routeNotice(notice, deps.directory, deps.channelPolicy ?? DEFAULT_CHANNEL_POLICY);
      // The roles no channel reached (or all, when the stage names mail) go by mail, with mail's checks.
      const mail = route.mail ? resolveRecipients(route.mail, deps.directory) : { recipients: [], skipped: [] };
      recipients = [...mail.recipients, ...route.recipients];
      skipped = mail.skipped;
    } catch (err) {
      failure(err);
    }
    const queued = await dispatcher.enqueue(notice.key, { kind: 'notice', notice }, recipients, overview);
    if (skipped.length > 0) {
      // The rest got the notice; the general office hears which contact to fix (idempotent per notice and contact).
      logger.warn('contacts skipped: unusable in mail; the other recipients get the notice', {
        key: notice.key,
        skipped: skipped.map((k) => `${k.which}@${k.unitCode}: ${k.type}`),
      });
      await dispatcher.reportSkipped(notice, skipped);
    }
    if (!queued.created) logger.info('notice already in the outbox; not queued again', { key: notice.key });
    else for (const year of notice.provisional ?? []) provisionalCounter.inc({ year: String(year), what: 'notice' });
    if (awaitDeliveryMs > 0) {
      const deliveries = await dispatcher.waitForDelivery(notice.key, awaitDeliveryMs);
      if (deliveries.length > 0 && deliveries.every((d) => d.status === 'undeliverable')) {
        throw ApplicationFailure.nonRetryable(
          `notice ${notice.key}: every recipient address was refused`,
          'Undeliverable',
        );
      }
    }
    const addresses = queued.recipients.map((r) => r.address);
    deps.observer?.notice?.(notice, addresses);
    return { recipients: addresses };
  }

  async function recordOutcome(outcome: Outcome, overview?: ObligationOverview): Promise<void> {
    await deps.store.upsertOutcome(outcome, clock().getTime(), overview);
    // An activity retried after the store took the outcome counts it twice: rare, and an upper bound is fine here.
    outcomesCounter.inc({ status: outcome.status, obligation: outcome.obligation });
    deps.observer?.outcome?.(outcome);
  }

  return {
    /**
     * Queues a notice in the outbox under its idempotency key (a retry finds it and queues nothing) and
     * lets the dispatcher send it, digested with every other notice for the same recipient and instant.
     * Returns the recipients' addresses. Non-retryable failures: UnknownUnit, HeaderInjection,
     * InvalidAddress, NoRecipients, InvalidNotice, and Undeliverable (only with `awaitDeliveryMs`).
     */
    sendNotice,

    /**
     * Stores an obligation's outcome (upsert by plan, task, unit, obligation and period), with the obligation's
     * overview in the read model in the same transaction when given.
     */
    recordOutcome,

    /** Writes an obligation's overview into the read model (a change no notice, outcome or event carried). */
    async recordOverview(overview: ObligationOverview): Promise<void> {
      await deps.store.putOverview(overview, clock().getTime());
    },

    /**
     * Everything an obligation workflow owes at one instant, in one call (its workflows run it as a local
     * activity, so a notice costs no server round trip): queues each notice as `sendNotice` does, then records
     * each outcome. A notice refused for good (unknown unit, bad address, no recipients) is reported and the rest
     * go on; any other failure fails the call, and the retry queues nothing twice (idempotency keys, upserts).
     */
    async deliverDue(batch: DueBatch): Promise<DueReport> {
      const report: DueReport = { notices: [], outcomes: [] };
      const { overview } = batch;
      let overviewWritten = false;
      for (const notice of batch.notices) {
        const { key, stage, period, due, at } = notice;
        // Every notice carries the overview, so each item's last notice is recorded (the store keeps the same overview
        // written again; the last notice alone would leave the others' items showing an older notice).
        try {
          const { recipients } = await sendNotice(notice, overview);
          if (overview) overviewWritten = true;
          report.notices.push({ key, stage, period, due, at, recipients });
        } catch (err) {
          if (!(err instanceof ApplicationFailure) || !err.nonRetryable) throw err;
          report.notices.push({
            key,
            stage,
            period,
            due,
            at,
            refused: { type: err.type ?? 'Error', message: err.message },
          });
        }
      }
      for (const outcome of batch.outcomes) {
        // Each outcome with the overview too: its item's outcome is recorded in the read model with it.
        await recordOutcome(outcome, overview);
        if (overview) overviewWritten = true;
        report.outcomes.push({ period: outcome.period, due: outcome.due, status: outcome.status });
      }
      // The last notice was refused (nothing written), or the batch was empty.
      if (overview && !overviewWritten) await deps.store.putOverview(overview, clock().getTime());
      return report;
    },

    /**
     * The holiday years added to this installation (`duban holidays add`), which override the built-in ones: what a
     * workflow's calendar starts from. Running workflows get later additions by the `calendar` signal.
     */
    async holidayYears(): Promise<HolidayYear[]> {
      return (await deps.store.listHolidayYears()).map((r) => r.data);
    },

    /** Stores a fulfilment, extension or waiver; recording the same event again changes nothing. */
    async recordEvent(input: RecordEventInput): Promise<void> {
      const { event, overview, ...ref } = input;
      await deps.store.recordEvent(ref, event, clock().getTime(), overview);
    },
  };
}

/** The activity interface workflows proxy: `proxyActivities<Activities>(…)`. */
export type Activities = ReturnType<typeof createActivities>;
