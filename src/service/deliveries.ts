/**
 * How each notice on a timeline or in a history fared in the outbox. A workflow knows only that it queued a notice;
 * the store knows what the dispatcher did with it, recipient by recipient. The two are joined when read, so the
 * workflows and their timelines stay as they are.
 */
import type { RecipientRole, TimelineEntry } from '../domain/notice';
import type { DeliveryStatus, NoticeFilter, NoticeRecord, NoticeStatus, Store } from '../store/types';

/** What the client layer reads deliveries from: the store the worker's dispatcher writes. */
export type DeliveryLog = Pick<Store, 'listNotices'>;

/** One recipient of a notice and what became of the message to them. */
export interface RecipientDelivery {
  address: string;
  name: string;
  role: RecipientRole;
  unitCode: string;
  /**
   * `queued` and `sending` are still on their way; `failed` (message refused) and `undeliverable` (address refused)
   * are final.
   */
  status: DeliveryStatus;
  /** Why it failed, or the last transient error while it waits for a retry; null when none. */
  error: string | null;
  attempts: number;
  /** When the mail server accepted it, ISO 8601 (UTC); null until then. */
  sentAt: string | null;
}

/** A notice's deliveries, as the store has them. */
export interface NoticeDelivery {
  /** The notice's idempotency key in the outbox. */
  key: string;
  /** The notice as a whole: `queued` while any delivery is pending, else `sent` if anyone got it. */
  status: NoticeStatus;
  recipients: RecipientDelivery[];
}

/** A timeline entry as operators see it: a notice's entry carries how its deliveries fared, when the store knows. */
export type TimelineRow = TimelineEntry & { delivery?: NoticeDelivery };

/** A stored notice's deliveries. */
export function deliveryOf(record: NoticeRecord): NoticeDelivery {
  return {
    key: record.key,
    status: record.status,
    recipients: record.deliveries.map((d) => ({
      address: d.address,
      name: d.name,
      role: d.role,
      unitCode: d.unitCode,
      status: d.status,
      error: d.status === 'sent' ? null : d.lastError,
      attempts: d.attempts,
      sentAt: d.sentAt,
    })),
  };
}

/** The stored notices (with their deliveries) a filter selects; none without a {@link DeliveryLog}. */
export async function storedNotices(log: DeliveryLog | undefined, filter: NoticeFilter): Promise<NoticeRecord[]> {
  return log ? log.listNotices({ ...filter, kind: 'notice' }) : [];
}

/** The deliveries of stored notices by notice key, for a history's entries (which know their keys). */
export function deliveriesByKey(records: NoticeRecord[]): Map<string, NoticeDelivery> {
  return new Map(records.map((r) => [r.key, deliveryOf(r)]));
}

/**
 * Joins each notice entry of a timeline with its stored notice by what the notice's key is built from: period,
 * stage, and the scheduled instant (which tells an extended item's notices for the old and the new due date
 * apart). Where two steps of an incident share all three, the entry's step (`what`) picks its obligation's.
 */
export function withDeliveries(entries: TimelineEntry[], records: NoticeRecord[]): TimelineRow[] {
  if (records.length === 0) return entries;
  return entries.map((entry) => {
    if (entry.type !== 'notice') return entry;
    let found = records.filter(
      (r) => r.stage === entry.stage && r.period === entry.period && Date.parse(r.at) === Date.parse(entry.at),
    );
    if (found.length > 1 && entry.what) found = found.filter((r) => r.obligation.endsWith(entry.what!));
    return found.length === 1 ? { ...entry, delivery: deliveryOf(found[0]!) } : entry;
  });
}

const PHRASES: Record<DeliveryStatus, string> = {
  sent: 'sent to',
  queued: 'queued for',
  sending: 'queued for',
  failed: 'failed for',
  undeliverable: 'undeliverable to',
};

/**
 * One line of how a notice fared: `sent to a; failed for b (554 …)`. Without its deliveries only the workflow's
 * record is known, that the notice was queued for `queuedFor`: nothing is called sent until the dispatcher sent it.
 */
export function deliveryText(queuedFor: readonly string[] | undefined, delivery?: NoticeDelivery): string {
  if (!delivery?.recipients.length) return `queued for ${queuedFor?.join(', ') || 'nobody'}`;
  const groups: string[] = [];
  for (const status of ['sent', 'queued', 'failed', 'undeliverable'] as const) {
    const of = delivery.recipients.filter((r) => (r.status === 'sending' ? 'queued' : r.status) === status);
    if (of.length === 0) continue;
    const final = status === 'failed' || status === 'undeliverable';
    groups.push(
      `${PHRASES[status]} ${of.map((r) => (final && r.error ? `${r.address} (${r.error})` : r.address)).join(', ')}`,
    );
  }
  return groups.join('; ');
}
