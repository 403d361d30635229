/**
 * Handlers of obligations: status and timeline (API), fulfil, extend and waive (API and forms), designation of
 * 省直有关部门 units (API and form), the obligation's page and the task page.
 */
import type { FulfilInput } from '../../../workflows/messages';
import { LIGHTS, type Light } from '../../domain/lights';
import { OBLIGATION_KINDS } from '../../domain/names';
import type { ObligationKind } from '../../domain/plan';

/** The obligation kinds `?kind=` may name. */
import type { ObligationRef, StatusRow } from '../../service';
import type { Principal } from '../auth';
import type { Call, ChangeTarget, HttpApp, QueryParameter } from '../app';
import { HttpError } from '../errors';
import { type Flash, itemValue, type KeptForm, taskPage, timelinePage } from '../pages';
import { sendHtml, sendJson } from '../transport';
import {
  checkStatedInstant,
  designateBody,
  extendBody,
  fulfilBody,
  parseBody,
  signForBody,
  waiveBody,
  wholeParam,
} from '../validate';
import { evidenceOf, given } from './forms';
import { flashOf, renderUnitPage } from './overview';

/** The most rows one page of `GET …/status` may ask for. */
const STATUS_LIMIT_MAX = 10_000;

/** What `GET …/status` filters and pages by (all optional; read from the store's read model). */
export const STATUS_QUERY: readonly QueryParameter[] = [
  { name: 'task', description: 'only this task number', schema: { type: 'integer', minimum: 1 } },
  {
    name: 'unit',
    description: "only this unit's code (an officer always sees their own unit)",
    schema: { type: 'string' },
  },
  { name: 'light', description: 'only rows of this light', schema: { enum: [...LIGHTS] } },
  { name: 'kind', description: 'only this obligation kind', schema: { enum: [...OBLIGATION_KINDS] } },
  {
    name: 'limit',
    description: 'rows per page; with it the answer has a `page` member',
    schema: { type: 'integer', minimum: 1, maximum: STATUS_LIMIT_MAX },
  },
  { name: 'offset', description: 'rows to skip (with `limit`)', schema: { type: 'integer', minimum: 0 } },
];

/** The body's `period` as the audit names it: a non-empty string, else null. */
const periodOf = (body: unknown): string | null => {
  const period = (body as { period?: unknown } | null)?.period;
  return typeof period === 'string' && period !== '' ? period : null;
};

/** What the obligation routes change. */
type ObligationAction = 'fulfil' | 'extend' | 'waive' | 'sign-for';

const FAILURE: Record<Exclude<ObligationAction, 'fulfil'>, string> = {
  extend: '未能延期',
  waive: '未能豁免',
  'sign-for': '未能签收',
};

/** The handlers. */
export function obligationHandlers(app: HttpApp) {
  const { duban } = app.deps;
  const planId = app.planId;
  const p = encodeURIComponent(planId);

  /** An obligation's rows in the unit's status; 404 when the unit has no such obligation. */
  async function rowsOf(unitCode: string, obligationId: string): Promise<StatusRow[]> {
    const report = await duban.obligations.status({ planId, unitCode });
    const rows = report.rows.filter((r) => r.obligationId === obligationId);
    if (rows.length === 0)
      throw new HttpError(404, `unit ${unitCode} has no obligation '${obligationId}'`, 'UnknownObligation');
    return rows;
  }

  const refOf = (row: StatusRow, period: string | null): ObligationRef => ({
    planId,
    unitCode: row.unitCode,
    obligation: row.obligation,
    taskNo: row.taskNo,
    period,
    obligationId: row.obligationId,
  });

  /** Performs fulfil, extend, waive or sign-for; the route's who-check and the unit check have run. */
  async function perform(principal: Principal, action: ObligationAction, target: ChangeTarget, body: unknown) {
    if (action === 'sign-for') {
      const { noticeKey } = parseBody(signForBody, body);
      const rows = await rowsOf(target.unitCode!, target.obligationId!);
      // Who signed is the authenticated caller (`operator`, `officer:<unit>`), never a name the client chose.
      return duban.obligations.signFor(refOf(rows[0]!, null), {
        ...(noticeKey ? { noticeKey } : {}),
        by: principal.id,
        via: 'dashboard',
      });
    }
    const parsed =
      action === 'fulfil'
        ? parseBody(fulfilBody, body)
        : action === 'extend'
          ? parseBody(extendBody, body)
          : parseBody(waiveBody, body);
    const rows = await rowsOf(target.unitCode!, target.obligationId!);
    const ref = refOf(rows[0]!, parsed.period ?? null);
    const period = parsed.period ? { period: parsed.period } : {};
    if (action === 'fulfil') {
      const f = parsed as ReturnType<typeof fulfilBody.parse>;
      checkStatedInstant(principal, f.at);
      const input: FulfilInput = {
        ...period,
        ...(f.at ? { at: f.at } : {}),
        // Who recorded it is the authenticated caller, never a name the client chose.
        evidence: { ...f.evidence, recordedBy: principal.id },
      };
      return duban.obligations.fulfil(ref, input);
    }
    if (action === 'extend') {
      const e = parsed as ReturnType<typeof extendBody.parse>;
      return duban.obligations.extend(ref, { ...period, newDue: e.newDue, reason: e.reason, approver: e.approver });
    }
    const w = parsed as ReturnType<typeof waiveBody.parse>;
    return duban.obligations.waive(ref, { ...period, reason: w.reason, approver: w.approver });
  }

  async function designate(principal: Principal, taskNo: number, body: unknown) {
    const input = parseBody(designateBody, body);
    const task = app.deps.plan.tasks.find((t) => t.no === taskNo);
    if (!task) throw new HttpError(404, `no task ${taskNo} in plan ${planId}`, 'NotFound');
    if (!app.unitNames.has(input.unitCode))
      throw new HttpError(400, `unitCode: no unit '${input.unitCode}' in the directory`, 'InvalidPayload');
    return duban.obligations.designate({
      planId,
      taskNo: task.no,
      unitCode: input.unitCode,
      remove: input.remove,
      by: principal.id,
    });
  }

  async function timelineHtml(call: Call, period: string | null, flash?: Flash, kept?: KeptForm): Promise<string> {
    const { unit: unitCode, obligation: obligationId } = call.params as { unit: string; obligation: string };
    const allRows = await rowsOf(unitCode, obligationId);
    const rows = period ? allRows.filter((r) => r.period === period) : allRows;
    const ref = refOf(allRows[0]!, period);
    const [timeline, history] = await Promise.all([
      duban.obligations.timeline(ref),
      duban.obligations.history(ref).catch(() => []),
    ]);
    let uiLink: string | null = null;
    try {
      uiLink = duban.obligations.uiLink(ref);
    } catch {
      uiLink = null;
    }
    return timelinePage(app.context(call.auth), {
      unitCode,
      obligationId,
      period,
      rows: rows.length ? rows : allRows,
      timeline,
      history,
      uiLink,
      flash,
      kept,
    });
  }

  const taskNoOf = (call: Call) => {
    const n = Number(call.params.task);
    if (!Number.isInteger(n) || n <= 0)
      throw new HttpError(404, `no task ${call.params.task} in plan ${planId}`, 'NotFound');
    return n;
  };

  async function taskHtml(call: Call, flash?: Flash): Promise<string> {
    const taskNo = taskNoOf(call);
    const task = app.deps.plan.tasks.find((t) => t.no === taskNo);
    if (!task) throw new HttpError(404, `no task ${taskNo} in plan ${planId}`, 'NotFound');
    const report = await duban.obligations.status({ planId, taskNo: task.no });
    const designatable = [...task.leadUnits, ...task.responsibleUnits].includes('省直有关部门');
    const provincial = app.deps.directory.units.filter(
      (u) => u.kind === 'provincial' && u.code !== app.deps.directory.generalOffice,
    );
    return taskPage(app.context(call.auth), task, report.rows, {
      flash,
      designatable,
      units: provincial.map((u) => ({ code: u.code, name: u.name })),
    });
  }

  /** An API change of one obligation. */
  const apiObligation = (action: ObligationAction) => async (call: Call) => {
    const target: ChangeTarget = { unitCode: call.params.unit!, obligationId: call.params.obligation! };
    return app.apiChange(call, target, (body) => {
      target.period = periodOf(body);
      return perform(call.auth.principal, action, target, body);
    });
  };

  /** A form change of one obligation from its page (extend, waive). */
  const formObligation = (action: Exclude<ObligationAction, 'fulfil'>) => async (call: Call) => {
    const target: ChangeTarget = { unitCode: call.params.unit!, obligationId: call.params.obligation! };
    const base = `/plans/${p}/units/${encodeURIComponent(target.unitCode!)}/obligations/${encodeURIComponent(target.obligationId!)}`;
    return app.formChange(call, {
      target,
      body: (form) => {
        target.period = form.period || null;
        return given(form);
      },
      perform: (body) => perform(call.auth.principal, action, target, body),
      failure: FAILURE[action],
      rerender: (flash, form) => timelineHtml(call, form.period || null, flash, { id: action, values: form }),
      success: () => `${base}?done=${action}`,
    });
  };

  return {
    async status(call: Call) {
      const principal = call.auth.principal;
      const taskParam = call.url.searchParams.get('task');
      let unitCode = call.url.searchParams.get('unit') ?? undefined;
      if (principal.kind === 'officer') {
        if (unitCode !== undefined && unitCode !== principal.unitCode) app.checkUnit(principal, unitCode);
        unitCode = principal.unitCode;
      }
      let taskNo: number | undefined;
      if (taskParam !== null) {
        taskNo = Number(taskParam);
        if (!Number.isInteger(taskNo) || taskNo <= 0)
          throw new HttpError(400, 'task: must be a task number', 'InvalidPayload');
      }
      const q = call.url.searchParams;
      const light = q.get('light') ?? undefined;
      if (light !== undefined && !LIGHTS.includes(light as Light))
        throw new HttpError(400, 'light: must be green, yellow or red', 'InvalidPayload');
      const kind = q.get('kind') ?? undefined;
      if (kind !== undefined && !OBLIGATION_KINDS.includes(kind as ObligationKind))
        throw new HttpError(400, `kind: must be one of ${OBLIGATION_KINDS.join(', ')}`, 'InvalidPayload');
      const limit = wholeParam(q, 'limit', 1, STATUS_LIMIT_MAX);
      const offset = limit === undefined ? undefined : wholeParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER);
      return sendJson(
        call.res,
        200,
        await duban.obligations.status({
          planId,
          taskNo,
          unitCode,
          light: light as Light | undefined,
          obligation: kind as ObligationKind | undefined,
          limit,
          offset,
        }),
      );
    },

    async timeline(call: Call) {
      const period = call.url.searchParams.get('period');
      const rows = await rowsOf(call.params.unit!, call.params.obligation!);
      const ref = refOf(rows[0]!, period);
      const [timeline, history] = await Promise.all([duban.obligations.timeline(ref), duban.obligations.history(ref)]);
      return sendJson(call.res, 200, { rows, timeline, history, uiLink: duban.obligations.uiLink(ref) });
    },

    apiFulfil: apiObligation('fulfil'),
    apiExtend: apiObligation('extend'),
    apiWaive: apiObligation('waive'),
    apiSignFor: apiObligation('sign-for'),

    async apiDesignate(call: Call) {
      const target: ChangeTarget = { unitCode: null, taskNo: Number(call.params.task) };
      return app.apiChange(
        call,
        target,
        (body) => {
          const unitCode = (body as { unitCode?: unknown } | null)?.unitCode;
          target.unitCode = typeof unitCode === 'string' ? unitCode : null;
          return designate(call.auth.principal, taskNoOf(call), body);
        },
        (ids) => ({ status: 200, body: { obligations: ids } }),
      );
    },

    async formFulfil(call: Call) {
      const unitCode = call.params.unit!;
      const target: ChangeTarget = { unitCode, obligationId: '' };
      return app.formChange(call, {
        target,
        body: (form) => {
          const [obligationId = '', period = ''] = (form.item ?? '').split('|');
          Object.assign(target, { obligationId, period: period || null });
          return {
            ...(period ? { period } : {}),
            evidence: evidenceOf(form),
          };
        },
        perform: (body) => perform(call.auth.principal, 'fulfil', target, body),
        failure: '未能登记',
        rerender: (flash, form) => renderUnitPage(app, call, unitCode, { flash, kept: { id: 'fulfil', values: form } }),
        success: () =>
          `/plans/${p}/units/${encodeURIComponent(unitCode)}?done=fulfil&item=${encodeURIComponent(
            itemValue({ obligationId: target.obligationId!, period: target.period ?? null }),
          )}`,
      });
    },

    formExtend: formObligation('extend'),
    formWaive: formObligation('waive'),
    formSignFor: formObligation('sign-for'),

    async obligationPage(call: Call) {
      return sendHtml(call.res, 200, await timelineHtml(call, call.url.searchParams.get('period'), flashOf(call.url)));
    },

    async taskPage(call: Call) {
      return sendHtml(call.res, 200, await taskHtml(call, flashOf(call.url)));
    },

    async formDesignate(call: Call) {
      const taskNo = taskNoOf(call);
      const target: ChangeTarget = { unitCode: null, taskNo };
      return app.formChange(call, {
        target,
        body: (form) => {
          target.unitCode = form.unitCode ?? '';
          return { unitCode: form.unitCode ?? '', ...(form.remove ? { remove: true } : {}) };
        },
        perform: (body) => designate(call.auth.principal, taskNo, body),
        failure: '未能指定',
        rerender: (flash) => taskHtml(call, flash),
        success: () => `/plans/${p}/tasks/${taskNo}?done=designate`,
      });
    },
  };
}
