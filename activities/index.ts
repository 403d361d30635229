/**
 * Activities: the side effects workflows ask for — notices into the outbox (and out by mail), outcomes and
 * operator events into the store. Built by {@link createActivities} from injected dependencies; this module
 * has no top-level side effects, so workflows can `import type` it for `proxyActivities<Activities>`.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Directory } from '../src/domain/directory';
import type { Notice, ObligationEvent, Outcome } from '../src/domain/notice';
import type { ObligationKind } from '../src/domain/plan';
import { Dispatcher, type DispatcherOptions } from '../src/mail/dispatcher';
import { MailInputError } from '../src/mail/errors';
import { type Logger, consoleLogger } from '../src/mail/logger';
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
  /** (Default: consoleLogger) */
  logger?: Logger;
  /**
   * The dispatcher that sends the outbox. Pass the worker's (started) one; when absent, one is created
   * from the other deps and `dispatcher` options, and runs whenever something is queued. (Default: created)
   */
  dispatcher?: Dispatcher;
  /** Options of the created dispatcher; ignored when `dispatcher` is given. (Default: {}) */
  dispatcherOptions?: DispatcherOptions;
  /**
   * How long `sendNotice` waits for its deliveries to leave the outbox before returning. 0 returns once the
   * notice is queued (durable), which keeps workflows and simulations fast; with a wait, a notice whose every
   * address was refused fails the activity as `Undeliverable`. (Default: 0)
   */
  awaitDeliveryMs?: number;
}

/** Identifies the obligation an operator event belongs to. */
export interface RecordEventInput {
  planId: string;
  taskNo: number | null;
  unitCode: string;
  obligation: ObligationKind;
  period: string | null;
  event: ObligationEvent;
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
  const logger = deps.logger ?? consoleLogger;
  const awaitDeliveryMs = deps.awaitDeliveryMs ?? 0;
  const dispatcher =
    deps.dispatcher ??
    new Dispatcher(
      { store: deps.store, mailer: deps.mailer, directory: deps.directory, clock, logger },
      deps.dispatcherOptions,
    );

  return {
    /**
     * Queues a notice in the outbox under its idempotency key (a retry finds it and queues nothing) and
     * lets the dispatcher send it, digested with every other notice for the same recipient and instant.
     * Returns the recipients' addresses. Non-retryable failures: UnknownUnit, HeaderInjection,
     * InvalidAddress, NoRecipients, InvalidNotice, and Undeliverable (only with `awaitDeliveryMs`).
     */
    async sendNotice(notice: Notice): Promise<{ recipients: string[] }> {
      checkNotice(notice);
      let recipients;
      try {
        recipients = resolveRecipients(notice, deps.directory);
      } catch (err) {
        failure(err);
      }
      const queued = await dispatcher.enqueue(notice.key, { kind: 'notice', notice }, recipients);
      if (!queued.created) logger.info('notice already in the outbox; not queued again', { key: notice.key });
      if (awaitDeliveryMs > 0) {
        const deliveries = await dispatcher.waitForDelivery(notice.key, awaitDeliveryMs);
        if (deliveries.length > 0 && deliveries.every((d) => d.status === 'undeliverable')) {
          throw ApplicationFailure.nonRetryable(
            `notice ${notice.key}: every recipient address was refused`,
            'Undeliverable',
          );
        }
      }
      return { recipients: queued.recipients.map((r) => r.address) };
    },

    /** Stores an obligation's outcome (upsert by plan, task, unit, obligation and period). */
    async recordOutcome(outcome: Outcome): Promise<void> {
      await deps.store.upsertOutcome(outcome, clock().getTime());
    },

    /** Stores a fulfilment, extension or waiver; recording the same event again changes nothing. */
    async recordEvent(input: RecordEventInput): Promise<void> {
      const { event, ...ref } = input;
      await deps.store.recordEvent(ref, event, clock().getTime());
    },
  };
}

/** The activity interface workflows proxy: `proxyActivities<Activities>(…)`. */
export type Activities = ReturnType<typeof createActivities>;
