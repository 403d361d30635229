/** Optional extras the dashboard links to when the caller provides them (reports, calendar feeds). */

/** Optional extras the dashboard links to when they are given (`operatorExtras` in dashboard.ts builds them). */
export interface DashboardExtras {
  /** iCalendar text of every due date and reminder of a unit. (Default: no calendar feed) */
  calendar?: (unitCode: string) => Promise<string> | string;
  /** A report download. (Default: no report links) */
  report?: (
    kind: 'quarterly' | 'year-end',
    format: 'md' | 'csv' | 'xlsx',
  ) => Promise<{ body: string | Buffer; contentType: string; filename: string }>;
}
