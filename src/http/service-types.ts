/**
 * What the HTTP layer needs from the operator service (src/operator/service.ts): its methods minus the CLI-only
 * ones, so tests may hand in a service that counts calls, plus optional extras the dashboard links to.
 */
import type { OperatorService } from '../operator/service';

export type { HistoryEntry, Light, ObligationRef, StatusReport, StatusRow } from '../operator/service';

/** The operator service as the dashboard uses it. */
export type DashboardService = Pick<
  OperatorService,
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
