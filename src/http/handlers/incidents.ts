/**
 * Handlers of incidents (突发事件, task 55): lists, one incident with its timeline and history, reporting one and
 * recording a step done, through the API and the forms. An officer sees and acts on their own unit's incidents
 * only; another unit's incident and one that does not exist look the same to them (403).
 */
import type { Principal } from '../auth';
import type { Call, ChangeTarget, HttpApp } from '../app';
import { HttpError } from '../errors';
import { type Flash, incidentPage, type KeptForm } from '../pages';
import { sendHtml, sendJson } from '../transport';
import { checkStatedInstant, incidentDoneBody, incidentReportBody, parseBody } from '../validate';
import { beijing, evidenceOf, given } from './forms';
import { fresh, onRead, windowGuard } from './windows';
import { flashOf, listedUnit, renderUnitPage } from './overview';

/** The handlers. */
export function incidentHandlers(app: HttpApp) {
  const { duban } = app.deps;
  const incidents = duban.incidents;
  const href = (incidentId: string) =>
    `/plans/${encodeURIComponent(app.planId)}/incidents/${encodeURIComponent(incidentId)}`;

  const { visible, checkIdFree } = windowGuard({
    noun: 'incident',
    one: 'an incident',
    idField: 'incidentId',
    overview: incidents.overview,
    status: incidents.status,
  });

  async function report(principal: Principal, unitCode: string, target: ChangeTarget, body: unknown) {
    const input = parseBody(incidentReportBody, body);
    if (input.incidentId) {
      target.incidentId = input.incidentId;
      await checkIdFree(principal, unitCode, input.incidentId);
    }
    const reported = await incidents.report({ unit: unitCode, ...input });
    target.incidentId = reported.incidentId;
    return { created: reported.created, incident: await fresh(() => incidents.overview(reported.incidentId)) };
  }

  async function done(principal: Principal, incidentId: string, target: ChangeTarget, body: unknown) {
    const before = await visible(principal, incidentId, target);
    const input = parseBody(incidentDoneBody, body);
    checkStatedInstant(principal, input.at);
    target.step = input.step;
    const step = before.steps.find((s) => s.step === input.step);
    await onRead(
      () =>
        incidents.done({
          incidentId,
          step: input.step,
          ...(input.at ? { at: input.at } : {}),
          // Who recorded it is the authenticated caller, never a name the client chose.
          evidence: { ...input.evidence, recordedBy: principal.id },
        }),
      () =>
        step?.doneAt
          ? new HttpError(
              409,
              `${input.step} of incident ${incidentId} was already done at ${step.doneAt}`,
              'AlreadyDone',
            )
          : new HttpError(409, `incident ${incidentId} has ended; cannot record ${input.step}`, 'AlreadyClosed'),
    );
    return incidents.overview(incidentId);
  }

  async function incidentHtml(call: Call, flash?: Flash, kept?: KeptForm): Promise<string> {
    const incidentId = call.params.incident!;
    const incident = await visible(call.auth.principal, incidentId);
    const [timeline, history] = await Promise.all([
      incidents.timeline(incidentId),
      incidents.history(incidentId).catch(() => []),
    ]);
    return incidentPage(app.context(call.auth), {
      incident,
      timeline,
      history,
      uiLink: duban.context.uiLink(incident.workflowId),
      flash,
      kept,
    });
  }

  const reportBodyOf = (form: Record<string, string>) => {
    const f = given(form);
    return { ...f, ...(f.occurredAt ? { occurredAt: beijing(f.occurredAt) } : {}) };
  };
  const doneBodyOf = (form: Record<string, string>) => {
    const f = given(form);
    return { step: f.step, ...(f.at ? { at: beijing(f.at) } : {}), evidence: evidenceOf(form) };
  };

  return {
    async list(call: Call) {
      const unitCode = listedUnit(app, call);
      return sendJson(call.res, 200, { incidents: await incidents.list(unitCode ? { unitCode } : {}) });
    },

    async get(call: Call) {
      const incidentId = call.params.incident!;
      const incident = await visible(call.auth.principal, incidentId);
      const [timeline, history] = await Promise.all([incidents.timeline(incidentId), incidents.history(incidentId)]);
      return sendJson(call.res, 200, {
        incident,
        timeline,
        history,
        uiLink: duban.context.uiLink(incident.workflowId),
      });
    },

    async apiReport(call: Call) {
      const target: ChangeTarget = { unitCode: call.params.unit! };
      return app.apiChange(
        call,
        target,
        (body) => report(call.auth.principal, target.unitCode!, target, body),
        (result) => ({ status: result.created ? 201 : 200, body: result }),
      );
    },

    async apiDone(call: Call) {
      const target: ChangeTarget = { unitCode: null, incidentId: call.params.incident! };
      return app.apiChange(call, target, (body) => done(call.auth.principal, target.incidentId!, target, body));
    },

    async page(call: Call) {
      return sendHtml(call.res, 200, await incidentHtml(call, flashOf(call.url)));
    },

    async formReport(call: Call) {
      const unitCode = call.params.unit!;
      const target: ChangeTarget = { unitCode };
      return app.formChange(call, {
        target,
        body: reportBodyOf,
        perform: (body) => report(call.auth.principal, unitCode, target, body),
        failure: '未能报告',
        rerender: (flash, form) =>
          renderUnitPage(app, call, unitCode, { flash, kept: { id: 'incident', values: form } }),
        // The unit's list reads Temporal's visibility, which lags a moment: the incident's own page is read directly.
        success: (result) => `${href(result.incident.incidentId)}?done=report`,
      });
    },

    async formDone(call: Call) {
      const incidentId = call.params.incident!;
      const target: ChangeTarget = { unitCode: null, incidentId };
      return app.formChange(call, {
        target,
        body: doneBodyOf,
        perform: (body) => done(call.auth.principal, incidentId, target, body),
        failure: '未能登记',
        rerender: (flash, form) => incidentHtml(call, flash, { id: 'done', values: form }),
        success: () => `${href(incidentId)}?done=done`,
      });
    },
  };
}
