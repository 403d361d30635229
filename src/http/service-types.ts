/** Optional extras the dashboard links to when the caller provides them (reports, calendar feeds). */

import type { ScorePeriod, ScoreReport } from '../reports/score';
import type { ScoreCharts } from './pages/scores';

/** Optional extras the dashboard links to when they are given (`operatorExtras` in dashboard.ts builds them). */
export interface DashboardExtras {
  /** iCalendar text of every due date and reminder of a unit. (Default: no calendar feed) */
  calendar?: (unitCode: string) => Promise<string> | string;
  /** A report download. (Default: no report links) */
  report?: (
    kind: 'quarterly' | 'year-end',
    format: 'md' | 'csv' | 'xlsx',
  ) => Promise<{ body: string | Buffer; contentType: string; filename: string }>;
  /** The scores of a period (default: the latest quarter with an item due) and their charts. (Default: no scores page) */
  scores?: (period?: ScorePeriod) => Promise<{ report: ScoreReport; charts: ScoreCharts }>;
  /** The 通报 of a period as `.docx`. (Default: no bulletin download) */
  bulletin?: (period?: ScorePeriod) => Promise<{ body: Buffer; filename: string }>;
}
