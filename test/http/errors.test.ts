/** The HTTP status of what the client layer throws: its refusals by type, a missing workflow, anything else. */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { toHttpError } from '../../src/http/errors';
import { Refusal } from '../../src/service';

const answer = (err: unknown) => {
  const e = toHttpError(err);
  return { status: e.status, type: e.type, message: e.message };
};

describe('toHttpError', () => {
  it('answers refusals by type: 409 for state conflicts, 404 unknown, 400 input, else 422', () => {
    expect(answer(new Refusal('incident flood-0710 has ended', 'AlreadyClosed'))).toEqual({
      status: 409,
      type: 'AlreadyClosed',
      message: 'incident flood-0710 has ended',
    });
    expect(answer(new Refusal('no such unit', 'UnknownObligation')).status).toBe(404);
    expect(answer(new Refusal('at: not an instant', 'InvalidInput')).status).toBe(400);
    expect(answer(new Refusal('period not begun', 'PeriodNotBegun')).status).toBe(422);
  });

  it("reads a workflow's refusal behind a failed update as the client layer does", () => {
    const failure = ApplicationFailure.nonRetryable('request req-1 was already extended once', 'SecondExtension');
    expect(answer(new WorkflowUpdateFailedError('Workflow Update failed', failure))).toEqual({
      status: 409,
      type: 'SecondExtension',
      message: 'request req-1 was already extended once',
    });
  });

  it('answers a failure whose type is no refusal as an internal error, without its message', () => {
    // A workflow bug surfaces as an ApplicationFailure typed by the JavaScript error: not the caller's fault.
    const bug = ApplicationFailure.nonRetryable("Cannot read properties of undefined (reading 'due')", 'TypeError');
    expect(answer(new WorkflowUpdateFailedError('Workflow Update failed', bug))).toEqual({
      status: 500,
      type: 'InternalError',
      message: 'internal error',
    });
  });

  it('answers a missing workflow 404', () => {
    expect(answer(new WorkflowNotFoundError('workflow not found', 'duban/x', undefined))).toEqual({
      status: 404,
      type: 'NotFound',
      message: 'no such obligation workflow',
    });
  });
});
