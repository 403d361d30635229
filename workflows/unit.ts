/**
 * One unit under one plan: the parent of the unit's obligation workflows, so its lifecycle — implementation
 * plan (实施方案), quarterly inspection (按季度督查), task duties, year-end report (全年落实情况), close — reads as a
 * list of children in the Temporal UI. Designation adds or removes task obligations while it runs.
 */
import {
  allHandlersFinished,
  ChildWorkflowCancellationType,
  condition,
  ParentClosePolicy,
  setHandler,
  startChild,
  type ChildWorkflowHandle,
  CancellationScope,
  isCancellation,
} from '@temporalio/workflow';
import type { HolidayYear } from '../src/domain/holidays';
import { obligationWorkflowId } from '../src/domain/ids';
import type { ObligationSpec } from '../src/domain/obligations';
import {
  calendarSignal,
  closeSignal,
  designateUpdate,
  obligationsQuery,
  type CloseInput,
  type DesignationInput,
  type ObligationStatus,
} from './messages';
import { deadlineLocalActivities } from './activity-proxies';
import { patchedIn, refuse, startingHolidayYears, WORKFLOW_GENERATION, type RunOptions } from './kit';
import { obligationWorkflow } from './obligation';
import { identityAttributes } from './search-attributes';
import { searchable } from './search-status';

/**
 * Units from this patch on send the close to all their running obligations at once (one workflow task, the signals
 * in flight together); before it, one after the other, each waiting for the server to take the one before, and they
 * replay that way.
 */
const CLOSE_AT_ONCE_PATCH = 'unit-close-at-once';

/** Input of {@link unitWorkflow}. */
export interface UnitInput extends RunOptions {
  planId: string;
  unitCode: string;
  obligations: ObligationSpec[];
  activeFrom: string;
}

interface Child {
  spec: ObligationSpec;
  handle?: ChildWorkflowHandle<typeof obligationWorkflow>;
  scope?: CancellationScope;
  result?: ObligationStatus;
  running: boolean;
}

/** Runs a unit's obligations as children until they all end (or the plan is closed); returns their statuses. */
export async function unitWorkflow(input: UnitInput): Promise<ObligationStatus[]> {
  const { planId, unitCode } = input;
  const children = new Map<string, Child>();
  let closing: CloseInput | undefined;
  let pendingStarts = 0;
  /** Handed to every obligation started; kept current by the calendar signal (for designations to come). */
  let holidayYears: HolidayYear[] | undefined = input.holidayYears;

  const searchOn = input.searchAttributes !== false;
  /** Runs of a generation start their children with the generation and the identity attributes (none before). */
  const generation = input.generation !== undefined;
  searchable(
    { planId, unitCode, obligation: 'unit', taskNo: null },
    { enabled: searchOn, shiftMs: input.timeShiftMs ?? 0, givenAtStart: generation },
  );

  /** Outcomes of obligations a removal ended before the unit was designated for their task again. */
  const replaced: ObligationStatus[] = [];

  const start = async (spec: ObligationSpec, activeFrom: string): Promise<void> => {
    const before = children.get(spec.id);
    if (before?.result) replaced.push(before.result);
    const child: Child = { spec, running: true };
    children.set(spec.id, child);
    pendingStarts++;
    const scope = new CancellationScope({ cancellable: true });
    child.scope = scope;
    try {
      await scope.run(async () => {
        const starting = startChild(obligationWorkflow, {
          workflowId: obligationWorkflowId(planId, unitCode, spec.id),
          args: [
            {
              planId,
              unitCode,
              spec,
              activeFrom,
              policy: input.policy,
              timeShiftMs: input.timeShiftMs,
              searchAttributes: input.searchAttributes,
              historyLimit: input.historyLimit,
              holidayYears,
              ...(generation ? { generation: WORKFLOW_GENERATION } : {}),
            },
          ],
          ...(generation && searchOn
            ? {
                typedSearchAttributes: identityAttributes({
                  planId,
                  unitCode,
                  obligation: spec.obligation,
                  taskNo: spec.taskNo,
                }),
              }
            : {}),
          // A closed or removed unit's obligations end with it; a crashed parent never orphans them silently.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        });
        try {
          child.handle = await starting;
        } finally {
          // Counted down even when the start fails, so a close or designation never waits forever.
          pendingStarts--;
        }
        child.result = await child.handle.result();
      });
    } catch (err) {
      if (!isCancellation(err)) throw err;
    } finally {
      child.running = false;
    }
  };

  setHandler(obligationsQuery, () =>
    [...children.values()].map((c) => ({
      id: c.spec.id,
      workflowId: obligationWorkflowId(planId, unitCode, c.spec.id),
      running: c.running,
    })),
  );

  setHandler(closeSignal, (close) => {
    closing = close;
  });
  // The obligations get the same signal themselves; the unit keeps the years for the obligations it starts later.
  setHandler(calendarSignal, ({ years }) => {
    holidayYears = years;
  });

  const runs: Promise<void>[] = [];
  setHandler(
    designateUpdate,
    async ({ taskNo, obligations, remove, by }: DesignationInput) => {
      if (remove) {
        for (const c of children.values()) {
          if (c.spec.taskNo === taskNo && c.running) {
            await c.handle?.signal(closeSignal, { reason: `unit removed from task ${taskNo} by ${by}` });
          }
        }
      } else {
        const now = new Date(Date.now() + (input.timeShiftMs ?? 0)).toISOString();
        for (const spec of obligations) runs.push(start(spec, now));
        await condition(() => pendingStarts === 0);
      }
      return [...children.keys()];
    },
    {
      validator: ({ taskNo, obligations, remove }: DesignationInput) => {
        if (closing) refuse(`plan ${planId} is closed`, 'AlreadyClosed');
        if (!Number.isInteger(taskNo) || taskNo <= 0)
          refuse(`taskNo: '${taskNo}' is not a task number`, 'UnknownObligation');
        if (remove) {
          if (![...children.values()].some((c) => c.spec.taskNo === taskNo && c.running))
            refuse(`${unitCode} carries no running obligation of task ${taskNo}`, 'UnknownObligation');
          return;
        }
        for (const spec of obligations) {
          if (spec.taskNo !== taskNo) refuse(`obligation ${spec.id} is not of task ${taskNo}`, 'UnknownObligation');
          // After a removal has ended it, the same obligation may start again (a new run of the same workflow id).
          if (children.get(spec.id)?.running) refuse(`${unitCode} already carries ${spec.id}`, 'AlreadyClosed');
        }
      },
    },
  );

  holidayYears ??= await startingHolidayYears(undefined, deadlineLocalActivities.holidayYears, input);
  for (const spec of input.obligations) runs.push(start(spec, input.activeFrom));

  // Wait until every child has ended, or the plan is closed.
  await condition(() => closing !== undefined || [...children.values()].every((c) => !c.running));
  if (closing) {
    // A close can arrive while children are still being started: signal them once they exist.
    await condition(() => pendingStarts === 0);
    if (patchedIn(input, CLOSE_AT_ONCE_PATCH)) {
      const close = closing;
      await Promise.all(
        [...children.values()].map((c) => (c.running ? c.handle?.signal(closeSignal, close) : undefined)),
      );
    } else {
      for (const c of children.values()) {
        if (c.running) await c.handle?.signal(closeSignal, closing);
      }
    }
  }
  await Promise.all(runs);
  await condition(allHandlersFinished);
  return [...replaced, ...[...children.values()].flatMap((c) => (c.result ? [c.result] : []))];
}
