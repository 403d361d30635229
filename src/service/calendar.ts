/**
 * Holiday years added to the installation reach the workflows already running: each running obligation, unit and
 * information-request workflow gets the `calendar` signal with every added year, and moves its remaining notices.
 * (Incidents count hours, not working days.) New workflows read the added years when they start.
 */
import type { Client } from '@temporalio/client';
import type { HolidayYear } from '../domain/holidays';
import { calendarSignal } from '../../workflows/messages';
import { mapConcurrent } from './plans';
import { isNotFound } from './refusals';

/** What {@link sendCalendar} did. */
export interface CalendarSent {
  /** Running workflows that got the signal. */
  signalled: number;
  /** Workflows that ended between the listing and the signal. */
  ended: number;
}

/**
 * Signals every running duban workflow that counts working days (all plans) with the added holiday years.
 * (Default concurrency: 16)
 */
export async function sendCalendar(
  client: Client,
  years: HolidayYear[],
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<CalendarSent> {
  const ids: string[] = [];
  for await (const w of client.workflow.list({
    query: 'WorkflowId STARTS_WITH "duban/" AND ExecutionStatus = "Running"',
  }))
    if (!/\/incident-[^/]+$/.test(w.workflowId)) ids.push(w.workflowId);
  let signalled = 0;
  let ended = 0;
  let done = 0;
  await mapConcurrent(ids, options.concurrency ?? 16, async (id) => {
    try {
      await client.workflow.getHandle(id).signal(calendarSignal, { years });
      signalled++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      ended++;
    }
    options.onProgress?.(++done, ids.length);
  });
  return { signalled, ended };
}
