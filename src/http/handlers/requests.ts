/**
 * Handlers of information requests (依申请公开, task 60): lists, one request with its timeline and history,
 * receiving one, and the reply, the one extension, pauses, resumptions and corrections, through the API and the
 * forms. The unit that received a request acts on it (its head approves an extension: `approver` is required);
 * operators act for any unit. Another unit's request and one that does not exist look the same to an officer (403).
 */
import type { InformationRequestStatus } from '../../../workflows/messages';
import type { Principal } from '../auth';
import type { Call, ChangeTarget, HttpApp } from '../app';
import { HttpError } from '../errors';
import { type Flash, type KeptForm, requestPage } from '../pages';
import { sendHtml, sendJson } from '../transport';
import {
  checkStatedInstant,
  parseBody,
  requestCorrectBody,
  requestExtendBody,
  requestPauseBody,
  requestReceiveBody,
  requestReplyBody,
  requestResumeBody,
} from '../validate';
import { beijing, evidenceOf, given, numberOf } from './forms';
import { fresh, onRead, windowGuard } from './windows';
import { flashOf, listedUnit, renderUnitPage } from './overview';

/** What can be done to a request once received. */
export type RequestAction = 'reply' | 'extend' | 'pause' | 'resume' | 'correct';

/** How each action reads its form, names its failure and its success flash (`?done=`). */
const FORMS: Record<RequestAction, { body(form: Record<string, string>): unknown; failure: string; done: string }> = {
  reply: {
    body: (form) => {
      const evidence = evidenceOf(form);
      return {
        ...(form.at?.trim() ? { at: beijing(form.at) } : {}),
        ...(Object.keys(evidence).length ? { evidence } : {}),
      };
    },
    failure: '未能登记答复',
    done: 'reply',
  },
  extend: {
    body: (form) => {
      const f = given(form);
      return { ...f, ...(f.workingDays !== undefined ? { workingDays: numberOf(f.workingDays) } : {}) };
    },
    failure: '未能延期',
    done: 'extension',
  },
  pause: { body: given, failure: '未能暂停计时', done: 'pause' },
  resume: { body: given, failure: '未能恢复计时', done: 'resume' },
  correct: { body: given, failure: '未能登记补正', done: 'correct' },
};

/** The handlers. */
export function requestHandlers(app: HttpApp) {
  const { duban } = app.deps;
  const requests = duban.requests;
  const href = (requestId: string) =>
    `/plans/${encodeURIComponent(app.planId)}/requests/${encodeURIComponent(requestId)}`;

  const { visible, checkIdFree } = windowGuard({
    noun: 'request',
    one: 'a request',
    idField: 'requestId',
    overview: requests.overview,
    status: requests.status,
  });

  async function receive(principal: Principal, unitCode: string, target: ChangeTarget, body: unknown) {
    const input = parseBody(requestReceiveBody, body);
    target.requestId = input.requestId;
    await checkIdFree(principal, unitCode, input.requestId);
    const received = await requests.receive({
      unit: unitCode,
      requestId: input.requestId,
      receivedOn: input.receivedOn,
    });
    return { created: received.created, request: await fresh(() => requests.overview(input.requestId)) };
  }

  async function act(principal: Principal, action: RequestAction, target: ChangeTarget, body: unknown) {
    const requestId = target.requestId!;
    const before = await visible(principal, requestId, target);
    let change: () => Promise<InformationRequestStatus>;
    if (action === 'reply') {
      const b = parseBody(requestReplyBody, body);
      checkStatedInstant(principal, b.at);
      change = () =>
        requests.reply({
          requestId,
          ...(b.at ? { at: b.at } : {}),
          // Who recorded it is the authenticated caller, never a name the client chose.
          ...(b.evidence ? { evidence: { ...b.evidence, recordedBy: principal.id } } : {}),
        });
    } else if (action === 'extend') {
      const b = parseBody(requestExtendBody, body);
      change = () => requests.extend({ requestId, workingDays: b.workingDays, approver: b.approver, reason: b.reason });
    } else if (action === 'pause') {
      const b = parseBody(requestPauseBody, body);
      change = () => requests.pause({ requestId, on: b.on, reason: b.reason });
    } else if (action === 'resume') {
      const b = parseBody(requestResumeBody, body);
      change = () => requests.resume({ requestId, on: b.on, reason: b.reason });
    } else {
      const b = parseBody(requestCorrectBody, body);
      change = () => requests.correct({ requestId, receivedOn: b.receivedOn, note: b.note });
    }
    await onRead(
      change,
      () =>
        new HttpError(
          409,
          before.repliedAt
            ? `request ${requestId} was already answered at ${before.repliedAt}; cannot ${action}`
            : `request ${requestId} has ended (${before.state}); cannot ${action}`,
          'AlreadyClosed',
        ),
    );
    return requests.overview(requestId);
  }

  async function requestHtml(call: Call, flash?: Flash, kept?: KeptForm): Promise<string> {
    const requestId = call.params.request!;
    const request = await visible(call.auth.principal, requestId);
    const [timeline, history] = await Promise.all([
      requests.timeline(requestId),
      requests.history(requestId).catch(() => []),
    ]);
    return requestPage(app.context(call.auth), {
      request,
      timeline,
      history,
      uiLink: duban.context.uiLink(request.workflowId),
      flash,
      kept,
    });
  }

  /** The API change of one request. */
  const apiAct = (action: RequestAction) => async (call: Call) => {
    const target: ChangeTarget = { unitCode: null, requestId: call.params.request! };
    return app.apiChange(call, target, (body) => act(call.auth.principal, action, target, body));
  };

  /** The form change of one request, from its page. */
  const formAct = (action: RequestAction) => async (call: Call) => {
    const requestId = call.params.request!;
    const target: ChangeTarget = { unitCode: null, requestId };
    const form = FORMS[action];
    return app.formChange(call, {
      target,
      body: form.body,
      perform: (body) => act(call.auth.principal, action, target, body),
      failure: form.failure,
      rerender: (flash, values) => requestHtml(call, flash, { id: action, values }),
      success: () => `${href(requestId)}?done=${form.done}`,
    });
  };

  return {
    async list(call: Call) {
      const unitCode = listedUnit(app, call);
      return sendJson(call.res, 200, { requests: await requests.list(unitCode ? { unitCode } : {}) });
    },

    async get(call: Call) {
      const requestId = call.params.request!;
      const request = await visible(call.auth.principal, requestId);
      const [timeline, history] = await Promise.all([requests.timeline(requestId), requests.history(requestId)]);
      return sendJson(call.res, 200, { request, timeline, history, uiLink: duban.context.uiLink(request.workflowId) });
    },

    async apiReceive(call: Call) {
      const target: ChangeTarget = { unitCode: call.params.unit! };
      return app.apiChange(
        call,
        target,
        (body) => receive(call.auth.principal, target.unitCode!, target, body),
        (result) => ({ status: result.created ? 201 : 200, body: result }),
      );
    },

    apiReply: apiAct('reply'),
    apiExtend: apiAct('extend'),
    apiPause: apiAct('pause'),
    apiResume: apiAct('resume'),
    apiCorrect: apiAct('correct'),

    async page(call: Call) {
      return sendHtml(call.res, 200, await requestHtml(call, flashOf(call.url)));
    },

    async formReceive(call: Call) {
      const unitCode = call.params.unit!;
      const target: ChangeTarget = { unitCode };
      return app.formChange(call, {
        target,
        body: given,
        perform: (body) => receive(call.auth.principal, unitCode, target, body),
        failure: '未能登记',
        rerender: (flash, form) =>
          renderUnitPage(app, call, unitCode, { flash, kept: { id: 'request', values: form } }),
        success: (result) => `${href(result.request.requestId)}?done=receive`,
      });
    },

    formReply: formAct('reply'),
    formExtend: formAct('extend'),
    formPause: formAct('pause'),
    formResume: formAct('resume'),
    formCorrect: formAct('correct'),
  };
}
