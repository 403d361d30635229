/**
 * Incidents (突发事件, task 55): reporting one starts its response workflow (information within 5 hours, a press
 * conference within 24 hours of the occurrence); steps are recorded as done; operators list them per unit and plan
 * with their windows' lights and margins.
 */
import { DateTime } from 'luxon';
import type { Directory, Unit } from '../domain/directory';
import { incidentWorkflowId } from '../domain/ids';
import { lightOf, type Light } from '../domain/lights';
import type { Evidence } from '../domain/notice';
import { PLAN_TIMEZONE } from '../domain/plan';
import { emergencyAgenda, type EmergencyAgenda, type EmergencyStepRule, type Policy } from '../domain/policy';
import type { emergencyWorkflow } from '../../workflows/emergency';
import {
  emergencyDoneUpdate,
  emergencyStatusQuery,
  type EmergencyStatus,
  type EmergencyStep,
  type EmergencyStepStatus,
  type IncidentLevel,
} from '../../workflows/messages';
import { unitOrRefuse, type ClientContext } from './context';
import { checkTexts, instantInput, isoInstant, quoted, textInput, windowIdInput } from './inputs';
import { isAlreadyStarted, isRefusal, Refusal } from './refusals';
import { windowAccess, type WindowReads } from './windows';

/** Incident levels task 55 covers: 特别重大 (class I) and 重大 (class II). */
export const INCIDENT_LEVELS: readonly IncidentLevel[] = ['特别重大', '重大'];
/** The two steps of a response. */
export const EMERGENCY_STEPS: readonly EmergencyStep[] = ['information', 'press-conference'];

/** A report of an incident, as a caller gives it. */
export interface IncidentReport {
  /** Unit code, name or alias. */
  unit: string;
  /** (Default: derived from the unit and the occurrence minute, so the same report twice is one incident) */
  incidentId?: string;
  /** 特别重大 or 重大. */
  level: string;
  summary: string;
  /** t0, ISO 8601 (no offset: Asia/Shanghai). Every window runs from here. */
  occurredAt: string;
  /** (Default: now) */
  reportedAt?: string;
}

/** A report after its checks, ready to start. */
export interface CheckedIncident {
  unit: Unit;
  incidentId: string;
  level: IncidentLevel;
  summary: string;
  occurredAt: string;
  reportedAt: string;
  agenda: EmergencyAgenda;
}

/** What {@link IncidentsClient.report} did. */
export interface IncidentReported extends CheckedIncident {
  workflowId: string;
  /** False when the incident was already reported: nothing was started or changed. */
  created: boolean;
}

/** One step of an incident with its light. */
export interface IncidentStepOverview extends EmergencyStepStatus {
  light: Light;
}

/** An incident as lists and pages show it. */
export interface IncidentOverview extends Omit<EmergencyStatus, 'steps'> {
  workflowId: string;
  unitName: string;
  steps: IncidentStepOverview[];
}

/** What operators and officers do to incidents; refusals are {@link Refusal}s and change nothing. */
export interface IncidentsClient extends WindowReads<EmergencyStatus, IncidentOverview> {
  /**
   * Checks a report and starts its response workflow, once per incident id (a second report of the same id
   * changes nothing). Refuses an unknown unit, an occurrence or report in the future, a report before the
   * occurrence, an unknown level, an empty summary, a non-ASCII id. `nowMs` is the plan time the report is made at
   * (a scenario's event time). (Default: now)
   */
  report(report: IncidentReport, options?: { nowMs?: number }): Promise<IncidentReported>;
  /** Records a step as done; a step done early cancels its remaining reminders and its breach. */
  done(input: { incidentId: string; step: string; at?: string; evidence: Evidence }): Promise<EmergencyStatus>;
}

/** When a step's reminder window opens: its first reminder, `withinHours - max(remindHoursBefore)` after t0. */
function windowOpensMs(step: EmergencyStepStatus, rule: EmergencyStepRule): number | null {
  if (rule.remindHoursBefore.length === 0) return null;
  return Date.parse(step.due) - Math.max(...rule.remindHoursBefore) * 3_600_000;
}

/**
 * The checks of {@link IncidentsClient.report}, without a server: an unknown unit, an unknown level, an empty
 * summary (or one with control characters), an occurrence or report after `nowMs` (plan time), a report before the occurrence, a non-ASCII id.
 */
export function checkIncidentReport(
  deps: { directory: Directory; policy?: Policy },
  r: IncidentReport,
  now: number,
): CheckedIncident {
  const unit = unitOrRefuse(deps.directory, textInput(r.unit, 'unit', 'the unit'));
  if (!INCIDENT_LEVELS.includes(r.level as IncidentLevel))
    throw new Refusal(
      `level: expected ${INCIDENT_LEVELS.join(' | ')} (task 55 covers these two), got ${quoted(r.level)}`,
      'InvalidInput',
    );
  const summary = textInput(r.summary, 'summary', 'a short description of the incident');
  checkTexts({ summary });
  const occurredMs = instantInput(r.occurredAt, 'occurredAt', now);
  const reportedMs = r.reportedAt === undefined ? now : instantInput(r.reportedAt, 'reportedAt', now);
  if (reportedMs < occurredMs)
    throw new Refusal(
      `reportedAt: ${isoInstant(reportedMs)} is before the incident occurred (${isoInstant(occurredMs)})`,
      'InvalidInput',
    );
  const incidentId = windowIdInput(
    r.incidentId ?? `${unit.code}-${DateTime.fromMillis(occurredMs, { zone: PLAN_TIMEZONE }).toFormat('yyyyMMddHHmm')}`,
    'incidentId',
  );
  const occurredAt = isoInstant(occurredMs);
  const reportedAt = isoInstant(reportedMs);
  return {
    unit,
    incidentId,
    level: r.level as IncidentLevel,
    summary,
    occurredAt,
    reportedAt,
    agenda: emergencyAgenda({ occurredAt, reportedAt, policy: deps.policy }),
  };
}

/** Creates the incidents client over the shared client context. */
export function createIncidentsClient(ctx: ClientContext): IncidentsClient {
  const { client, plan, policy } = ctx;
  const overviewOf = async (status: EmergencyStatus): Promise<IncidentOverview> => {
    const now = await ctx.now();
    const rules = { information: policy.emergency.information, 'press-conference': policy.emergency.pressConference };
    return {
      ...status,
      workflowId: incidentWorkflowId(plan.id, status.incidentId),
      unitName: ctx.unitName(status.unitCode),
      steps: status.steps.map((s) => ({
        ...s,
        light: lightOf({ state: s.state, due: s.due, nowMs: now, windowOpensMs: windowOpensMs(s, rules[s.step]) }),
      })),
    };
  };

  const windows = windowAccess(ctx, {
    noun: 'incident',
    idField: 'incidentId',
    workflowId: incidentWorkflowId,
    workflowType: 'emergencyWorkflow',
    statusQuery: emergencyStatusQuery,
    // Both steps done, or closed.
    ended: (s) => (s.closed ? 'closed' : s.steps.map((x) => `${x.step} ${x.state}`).join(', ')),
    unitOf: (s) => s.unitCode,
    obligations: ['emergency-information', 'emergency-press-conference'],
    overviewOf,
    order: (a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt),
  });
  const { call, status, started, ...reads } = windows;

  return {
    async report(r, options = {}) {
      const checked = checkIncidentReport(ctx, r, options.nowMs ?? (await ctx.now()));
      const workflowId = incidentWorkflowId(plan.id, checked.incidentId);
      try {
        await client.workflow.start<typeof emergencyWorkflow>('emergencyWorkflow', {
          taskQueue: ctx.taskQueue,
          workflowId,
          // Idempotent by incident id, even after the response ended.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [
            {
              planId: plan.id,
              unitCode: checked.unit.code,
              incidentId: checked.incidentId,
              level: checked.level,
              summary: checked.summary,
              occurredAt: checked.occurredAt,
              reportedAt: checked.reportedAt,
              policy: ctx.policy,
              timeShiftMs: ctx.timeShiftMs,
              searchAttributes: ctx.searchAttributes,
            },
          ],
        });
        started(checked.incidentId);
        return { ...checked, workflowId, created: true };
      } catch (err) {
        if (!isAlreadyStarted(err)) throw err;
      }
      // The id is taken: the same report again changes nothing; another unit's incident with this id is refused.
      const existing = await status(checked.incidentId);
      if (existing.unitCode !== checked.unit.code)
        throw new Refusal(
          `incidentId: ${checked.incidentId} is already an incident of ${ctx.unitName(existing.unitCode)} ` +
            `(${existing.unitCode}) under this plan; incident ids are unique per plan, so give this one another id`,
          'InvalidInput',
        );
      return { ...checked, workflowId, created: false };
    },

    async done({ incidentId, step, at, evidence }) {
      checkTexts(evidence);
      if (!EMERGENCY_STEPS.includes(step as EmergencyStep))
        throw new Refusal(`step: expected ${EMERGENCY_STEPS.join(' | ')}, got ${quoted(step)}`, 'InvalidInput');
      const when = at === undefined ? undefined : isoInstant(instantInput(at, 'at'));
      try {
        return await call(incidentId, `record ${step}`, (h) =>
          h.executeUpdate(emergencyDoneUpdate, {
            args: [{ step: step as EmergencyStep, ...(when ? { at: when } : {}), evidence }],
          }),
        );
      } catch (err) {
        // Both steps done ends the response; a step recorded again is still "already done", as while it ran.
        if (!isRefusal(err) || err.type !== 'AlreadyClosed') throw err;
        const done = (await status(incidentId)).steps.find((s) => s.step === step && s.doneAt);
        if (done)
          throw new Refusal(`${step} of incident ${incidentId} was already done at ${done.doneAt}`, 'AlreadyDone');
        throw err;
      }
    },

    status,
    ...reads,
  };
}
