/** Starts the dashboard for a plan: HTTP config validated, the client layer built, server listening. */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Directory } from '../domain/directory';
import type { HolidayYear } from '../domain/holidays';
import type { Plan } from '../domain/plan';
import type { Policy } from '../domain/policy';
import { createDubanClient } from '../service';
import { unitCalendar } from '../reports/ics';
import { renderBulletin } from '../reports/bulletin';
import { noticesByWeekChart, onTimeRateChart, quarterTrendChart, renderSvg } from '../reports/charts';
import { quarterlyReport, renderReport, yearEndReport } from '../reports/report';
import { quarterTrend, scoreReport, signForSource, storeSources, type ScorePeriod } from '../reports/score';
import type { ScoringPolicy } from '../domain/scoring';
import type { Store } from '../store/types';
import { type Logger, processLogger } from '../telemetry/logger';
import type { HealthChecks } from '../temporal/health';
import { signForConfigFromEnv } from '../mail/sign-for-token';
import { loadHttpConfig } from './config';
import { HttpError } from './errors';
import { createHttpServer, type DubanHttp } from './server';
import type { DashboardExtras } from './service-types';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  client: Client;
  store: Store;
  plan: Plan;
  directory: Directory;
  namespace: string;
  /** Task queue of new incident and request workflows. (Default: `duban`) */
  taskQueue?: string;
  policy?: Policy;
  /** How units are scored on the scores page and in the bulletin. (Default: the default scoring, docs/scoring.md) */
  scoring?: ScoringPolicy;
  /** Temporal Web UI base URL for workflow links. (Default: the embedded dev server's UI) */
  uiBaseUrl?: string;
  /** Plan time = server time + this, as the plan was started with. (Default: 0) */
  timeShiftMs?: number;
  /** The plan runs as a rehearsal (a past plan shifted to the present): every page says so. (Default: false) */
  rehearsal?: boolean;
  /** Holiday years added to the installation, for the dates the dashboard computes. (Default: none) */
  holidayYears?: HolidayYear[];
  /** Port to listen on, overriding DUBAN_HTTP_PORT (0: a free one). (Default: DUBAN_HTTP_PORT, else 8080) */
  port?: number;
  /** (Default: {@link operatorExtras}: reports and calendar feeds) */
  extras?: DashboardExtras;
  env?: NodeJS.ProcessEnv;
  /** (Default: the process's logger) */
  logger?: Logger;
  /** What `/readyz` checks. (Default: nothing) */
  readiness?: HealthChecks;
  /** The payload codec the codec endpoint (`/api/codec/…`) runs. (Default: none: payload encryption is off) */
  codec?: PayloadCodec;
}

/** A running dashboard. */
export interface RunningDashboard {
  http: DubanHttp;
  /** `http://host:port` it listens on. */
  url: string;
  close(): Promise<void>;
}

const REPORT_TYPES = {
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

/**
 * Report downloads, calendar feeds, scores with their charts and the bulletin for operators, from the store
 * (src/reports).
 */
export function operatorExtras(options: {
  plan: Plan;
  directory: Directory;
  store: Store;
  policy?: Policy;
  scoring?: ScoringPolicy;
  /** Messages carry sign-for links (a key is configured): sign-for counts in the scores. (Default: false) */
  signForLinks?: boolean;
}): DashboardExtras {
  const { plan, directory, store, policy } = options;
  const sourcesNow = async () =>
    storeSources(store, await signForSource(store, plan.id, options.signForLinks ?? false));
  const scores = async (period?: ScorePeriod) =>
    scoreReport({ sources: await sourcesNow(), planId: plan.id, plan, directory, policy: options.scoring, period });
  return {
    calendar: (unitCode) => {
      try {
        return unitCalendar({ plan, directory, unitCode, policy });
      } catch (err) {
        // A unit the plan does not name has no calendar: not found, not a server error.
        if (err instanceof RangeError) throw new HttpError(404, err.message, 'NotFound');
        throw err;
      }
    },
    report: async (kind, format) => {
      const src = { store, planId: plan.id, plan, directory };
      const report = kind === 'quarterly' ? await quarterlyReport(src) : await yearEndReport(src);
      return {
        body: renderReport(report, format),
        contentType: REPORT_TYPES[format],
        filename: `${plan.id}-${kind}.${format}`,
      };
    },
    scores: async (period) => {
      const sources = await sourcesNow();
      const [report, notices, trend] = await Promise.all([
        scores(period),
        sources.notices(plan.id),
        quarterTrend({ sources, planId: plan.id, plan, directory, policy: options.scoring }),
      ]);
      return {
        report,
        charts: {
          onTimeRate: renderSvg(onTimeRateChart(report.units)),
          noticesByWeek: renderSvg(noticesByWeekChart(notices, report.period)),
          trend: renderSvg(quarterTrendChart(trend)),
        },
      };
    },
    bulletin: async (period) => {
      const report = await scores(period);
      return {
        body: await renderBulletin(report, { plan, directory }),
        filename: `${plan.id}-${report.period.label}-通报.docx`,
      };
    },
  };
}

/** Validates DUBAN_HTTP_* / DUBAN_OPERATOR_TOKEN / DUBAN_UNIT_TOKENS*, then serves; says where (never a token). */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? processLogger;
  const config = loadHttpConfig(options.directory, env);
  const signFor = signForConfigFromEnv(env);
  const duban = createDubanClient({
    client: options.client,
    directory: options.directory,
    plan: options.plan,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    uiBaseUrl: options.uiBaseUrl,
    timeShiftMs: options.timeShiftMs,
    policy: options.policy,
    // The dashboard runs beside the worker: the store's added years are what the workflows use.
    holidayYears: options.holidayYears ?? (await options.store.listHolidayYears()).map((r) => r.data),
    // Timelines say what the worker's dispatcher did with each notice.
    outbox: options.store,
    // Pages and the status API read the worker's read model: one query, not one per workflow.
    readModel: options.store,
  });
  const http = createHttpServer({
    duban,
    store: options.store,
    plan: options.plan,
    directory: options.directory,
    config,
    publicUrl: env.DUBAN_PUBLIC_URL?.replace(/\/+$/, '') || undefined,
    extras: options.extras ?? operatorExtras({ ...options, signForLinks: signFor !== undefined }),
    logger,
    logRequests: env.DUBAN_HTTP_LOG === '1',
    readiness: options.readiness,
    codec: options.codec ? { codec: options.codec, uiUrl: options.uiBaseUrl } : undefined,
    signFor,
    banner: options.rehearsal
      ? `演练：${options.plan.year}年计划的日期已平移到今天前后，用于熟悉系统；通知只写入发件箱，无需办理。` +
        '（rehearsal of a past plan shifted to the present）'
      : undefined,
  });
  const port = await http.listen(options.port ?? config.port, config.host);
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    `dashboard at ${url}/plans/${encodeURIComponent(options.plan.id)} (operator token: ${config.operatorTokenSource}; ${config.unitTokens.size} unit officer tokens)`,
  );
  return { http, url, close: () => http.close() };
}
