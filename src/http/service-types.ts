/**
 * What the HTTP layer needs from the client layer's obligations (src/client/obligations.ts), so tests may hand in
 * one that counts calls, plus optional extras the dashboard links to.
 */
import type { ObligationsClient } from '../client';

export type { HistoryEntry, Light, ObligationRef, StatusReport, StatusRow } from '../client';

/** The obligations client as the dashboard uses it. */
export type DashboardService = Pick<
  ObligationsClient,
  'status' | 'fulfil' | 'extend' | 'waive' | 'designate' | 'timeline' | 'history' | 'uiLink'
>;

/** Optional extras the dashboard links to when the operator layer provides them. */
export interface DashboardExtras {
  /** iCalendar text of every due date and reminder of a unit. (Default: no calendar feed) */
  calendar?: (unitCode: string) => Promise<string> | string;
  /** A report download. (Default: no report links) */
  report?: (
    kind: 'quarterly' | 'year-end',
    format: 'md' | 'csv' | 'xlsx',
  ) => Promise<{ body: string | Buffer; contentType: string; filename: string }>;
}
