/**
 * Information requests (依申请公开, task 60): receiving one starts its reply-deadline workflow (15 or 20 working
 * days after receipt); the reply, the one extension, pauses for third parties and corrected requests are messages
 * to it; operators list them per unit and plan with their lights.
 */
import { WORKFLOW_GENERATION } from '../../workflows/generation';
import { deadlineWindowOpensMs, lightOf, type Light } from '../domain/lights';
import { requestWorkflowId } from '../domain/ids';
import type { Evidence } from '../domain/notice';
import type { IsoDate } from '../domain/plan';
import { deadlineAgenda, informationRequestDue, type InformationRequestDue } from '../domain/policy';
import type { Unit } from '../domain/directory';
import type { informationRequestWorkflow } from '../../workflows/information-request';
import {
  requestCorrectUpdate,
  requestExtendUpdate,
  requestPauseUpdate,
  requestReplyUpdate,
  requestResumeUpdate,
  requestStatusQuery,
  type InformationRequestStatus,
} from '../../workflows/messages';
import type { ClientContext } from './context';
import { checkTexts, dateInput, instantInput, isoInstant, quoted, textInput, windowIdInput } from './inputs';
import { isAlreadyStarted, Refusal } from './refusals';
import { windowAccess, type WindowReads } from './windows';

/** A request as a caller registers it. */
export interface RequestReceipt {
  /** Unit code, name or alias. */
  unit: string;
  /** ASCII, unique within the plan. */
  requestId: string;
  /** Day of receipt R, `YYYY-MM-DD`; not counted. */
  receivedOn: string;
}

/** What {@link RequestsClient.receive} did. */
export interface RequestReceived {
  workflowId: string;
  requestId: string;
  unit: Unit;
  /** False when the request was already received: nothing was started or changed. */
  created: boolean;
  due: InformationRequestDue;
}

/** A request as lists and pages show it. */
export interface RequestOverview extends InformationRequestStatus {
  workflowId: string;
  unitName: string;
  light: Light;
  /**
   * Years without a holiday notice yet that the open request's due date or notices rest on (provisional).
   * (Default: absent, none)
   */
  provisional?: number[];
}

/** What operators and officers do to information requests; refusals are {@link Refusal}s and change nothing. */
export interface RequestsClient extends WindowReads<InformationRequestStatus, RequestOverview> {
  /**
   * Starts a request's reply-deadline workflow, once per request id. Refuses an unknown unit, a receipt date in the
   * future or outside the calendar, a non-ASCII id, and an id another unit's request already has. `nowMs` is the
   * plan time it is registered at (a scenario's event time); notices before it are never sent. (Default: now)
   */
  receive(receipt: RequestReceipt, options?: { nowMs?: number }): Promise<RequestReceived>;
  /** Records the reply (on time if before the due date ends) and ends the request. */
  reply(input: { requestId: string; at?: string; evidence?: Evidence }): Promise<InformationRequestStatus>;
  /** The one extension (延长答复期限), of at most the statutory limit, approved within the limit. */
  extend(input: {
    requestId: string;
    workingDays?: number;
    approver: string;
    reason: string;
  }): Promise<InformationRequestStatus>;
  /** Stops the clock while a third party is consulted (征求第三方意见). (Default `on`: today) */
  pause(input: { requestId: string; on?: string; reason: string }): Promise<InformationRequestStatus>;
  /** Restarts the clock when the answer arrives. (Default `on`: today) */
  resume(input: { requestId: string; on?: string; reason?: string }): Promise<InformationRequestStatus>;
  /** The corrected request (补正) arrived: the count restarts from that day. */
  correct(input: { requestId: string; receivedOn: string; note?: string }): Promise<InformationRequestStatus>;
}

/** Creates the requests client over the shared client context. */
export function createRequestsClient(ctx: ClientContext): RequestsClient {
  const { client, plan, policy } = ctx;

  /** The provisional years an open request's dates rest on: its count of working days, then its notices. */
  const provisionalOf = (s: InformationRequestStatus): number[] => {
    if (s.due === null || s.closed || s.state === 'on-time' || s.state === 'late') return [];
    try {
      const count = informationRequestDue(s.receivedOn, { policy, calendar: ctx.calendar }).provisionalYears ?? [];
      const notices = deadlineAgenda({ due: s.due, activeFrom: s.receivedOn, policy, calendar: ctx.calendar });
      return [...new Set([...count, ...notices.provisionalYears])].sort((a, b) => a - b);
    } catch {
      // Dates that cannot be computed show as the request's calendarError instead.
      return [];
    }
  };

  const overviewOf = async (s: InformationRequestStatus): Promise<RequestOverview> => {
    const now = await ctx.now();
    const provisional = provisionalOf(s);
    return {
      ...s,
      ...(provisional.length > 0 ? { provisional } : {}),
      workflowId: requestWorkflowId(plan.id, s.requestId),
      unitName: ctx.unitName(s.unitCode),
      // A paused clock cannot run late: green until it runs again.
      light:
        s.due === null
          ? 'green'
          : lightOf({
              state: s.state,
              due: s.due,
              nowMs: now,
              windowOpensMs: () =>
                deadlineWindowOpensMs({ rule: 'deadline', due: s.due!, policy, calendar: ctx.calendar }),
            }),
    };
  };

  const windows = windowAccess(ctx, {
    noun: 'request',
    idField: 'requestId',
    workflowId: requestWorkflowId,
    workflowType: 'informationRequestWorkflow',
    statusQuery: requestStatusQuery,
    // Answered, or closed.
    ended: (s) => (s.closed ? 'closed' : s.state),
    unitOf: (s) => s.unitCode,
    obligations: ['information-request'],
    overviewOf,
    // Latest receipt first.
    order: (a, b) => (a.receivedOn < b.receivedOn ? 1 : a.receivedOn > b.receivedOn ? -1 : 0),
  });
  const { call, status, started, ...reads } = windows;
  const optionalDate = async (value: string | undefined, field: string): Promise<IsoDate | undefined> =>
    value === undefined ? undefined : dateInput(value, field, await ctx.now());

  return {
    async receive(r, options = {}) {
      const now = options.nowMs ?? (await ctx.now());
      const unit = ctx.unitOf(textInput(r.unit, 'unit', 'the unit'));
      const requestId = windowIdInput(r.requestId, 'requestId');
      const receivedOn = dateInput(r.receivedOn, 'receivedOn', now);
      let due: InformationRequestDue;
      try {
        due = informationRequestDue(receivedOn, { policy, calendar: ctx.calendar });
      } catch (err) {
        throw new Refusal(`receivedOn: ${(err as Error).message}`, 'InvalidInput');
      }
      const workflowId = requestWorkflowId(plan.id, requestId);
      try {
        await client.workflow.start<typeof informationRequestWorkflow>('informationRequestWorkflow', {
          taskQueue: ctx.taskQueue,
          workflowId,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [
            {
              planId: plan.id,
              unitCode: unit.code,
              requestId,
              receivedOn,
              // Notices before the request reached duban would be news of the past: never sent.
              activeFrom: isoInstant(now),
              policy: ctx.policy,
              timeShiftMs: ctx.timeShiftMs,
              searchAttributes: ctx.searchAttributes,
              generation: WORKFLOW_GENERATION,
            },
          ],
        });
        started(requestId);
        return { workflowId, requestId, unit, created: true, due };
      } catch (err) {
        if (!isAlreadyStarted(err)) throw err;
      }
      // The id is taken: the same request again changes nothing; another unit's request with this id is refused.
      const existing = await status(requestId);
      if (existing.unitCode !== unit.code)
        throw new Refusal(
          `requestId: ${requestId} is already a request of ${ctx.unitName(existing.unitCode)} (${existing.unitCode}) ` +
            'under this plan; request ids are unique per plan, so give this one another id',
          'InvalidInput',
        );
      return { workflowId, requestId, unit, created: false, due };
    },

    async reply({ requestId, at, evidence }) {
      checkTexts(evidence);
      const when = at === undefined ? undefined : isoInstant(instantInput(at, 'at'));
      return call(requestId, 'reply', (h) =>
        h.executeUpdate(requestReplyUpdate, {
          args: [{ ...(when ? { at: when } : {}), ...(evidence ? { evidence } : {}) }],
        }),
      );
    },

    async extend({ requestId, workingDays, approver, reason }) {
      checkTexts({ approver, reason });
      if (workingDays !== undefined && !Number.isInteger(workingDays))
        throw new Refusal(`workingDays: ${quoted(workingDays)} is not a whole number`, 'InvalidInput');
      return call(requestId, 'extend', (h) =>
        h.executeUpdate(requestExtendUpdate, { args: [{ workingDays, approver, reason }] }),
      );
    },

    async pause({ requestId, on, reason }) {
      checkTexts({ reason });
      const day = await optionalDate(on, 'on');
      return call(requestId, 'pause', (h) => h.executeUpdate(requestPauseUpdate, { args: [{ on: day, reason }] }));
    },

    async resume({ requestId, on, reason }) {
      checkTexts({ reason });
      const day = await optionalDate(on, 'on');
      return call(requestId, 'resume', (h) =>
        h.executeUpdate(requestResumeUpdate, {
          args: [{ on: day, reason: reason?.trim() || 'third party answered' }],
        }),
      );
    },

    async correct({ requestId, receivedOn, note }) {
      checkTexts({ note });
      const day = dateInput(receivedOn, 'receivedOn', await ctx.now());
      return call(requestId, 'restart the count', (h) =>
        h.executeUpdate(requestCorrectUpdate, { args: [{ receivedOn: day, note }] }),
      );
    },

    status,
    ...reads,
  };
}
