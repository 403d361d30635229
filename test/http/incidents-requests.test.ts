/**
 * Incidents (突发事件, task 55) and information requests (依申请公开, task 60) through the HTTP API and the forms, on
 * the seed plan at plan time 2017-05-23: an officer acts for their own unit only and never sees another unit's
 * incident or request; bodies are refused with 400 naming the field; workflow refusals are passed on (409 for a
 * second `done` or a second extension); a refused call changes nothing; every attempted change is audited.
 */
import { callApi, type DashboardFixture, TOKENS, startDashboardFixture } from './fixture';

jest.setTimeout(180_000);

/** 3.5 hours before plan now: the information window (5 h) is in its reminder hours, the press conference's not yet. */
const OCCURRED = '2017-05-23T06:30:00+08:00';

describe('incidents and information requests over HTTP (dev server, plan time 2017-05-23)', () => {
  let f: DashboardFixture;
  beforeAll(async () => {
    f = await startDashboardFixture();
  });
  afterAll(async () => {
    await f?.teardown();
  });

  const api = (path: string, options: { token?: string; method?: string; body?: unknown; raw?: string } = {}) =>
    callApi(f.baseUrl, path, options);
  const plan = () => f.plan.id;
  const base = () => `/api/plans/${plan()}`;
  const auditOf = async (actor: string) =>
    (await f.opened.store.listAudit({ planId: plan(), actor })).map((a) => [a.action, a.unitCode, a.result, a.status]);
  /** Everything observable about an incident or a request, and the unit's stored events. */
  const incidentState = async (id: string) => ({
    incident: await f.duban.incidents.status(id),
    timeline: (await f.duban.incidents.timeline(id)).length,
    events: (await f.opened.store.listEvents({ planId: plan(), unitCode: 'fj-czt' })).length,
  });
  const requestState = async (id: string) => ({
    request: await f.duban.requests.status(id),
    timeline: (await f.duban.requests.timeline(id)).length,
    events: (await f.opened.store.listEvents({ planId: plan(), unitCode: 'fj-czt' })).length,
  });

  describe('incidents', () => {
    it('lets an officer report an incident of their unit (201), list it, read it with timeline, history and UI link; the same report again is 200', async () => {
      const report = {
        incidentId: 'czt-flood-1',
        level: '重大',
        summary: '暴雨致财政大楼停电',
        occurredAt: OCCURRED,
      };
      const created = await api(`${base()}/units/fj-czt/incidents`, { token: TOKENS.czt, body: report });
      expect(created.status).toBe(201);
      const incident = created.json.incident as {
        incidentId: string;
        unitCode: string;
        steps: { step: string; due: string; light: string; state: string }[];
      };
      expect(created.json.created).toBe(true);
      expect([incident.incidentId, incident.unitCode]).toEqual(['czt-flood-1', 'fj-czt']);
      expect(incident.steps.map((s) => [s.step, s.due, s.state, s.light])).toEqual([
        ['information', '2017-05-23T11:30:00.000+08:00', 'pending', 'yellow'],
        ['press-conference', '2017-05-24T06:30:00.000+08:00', 'pending', 'green'],
      ]);

      const mine = await api(`${base()}/units/fj-czt/incidents`, { token: TOKENS.czt });
      expect((mine.json.incidents as { incidentId: string }[]).map((i) => i.incidentId)).toEqual(['czt-flood-1']);
      const all = await api(`${base()}/incidents`, { token: TOKENS.operator });
      expect((all.json.incidents as { incidentId: string }[]).map((i) => i.incidentId)).toContain('czt-flood-1');

      const one = await api(`${base()}/incidents/czt-flood-1`, { token: TOKENS.czt });
      expect(one.status).toBe(200);
      expect((one.json.incident as { unitName: string }).unitName).toBe('省财政厅');
      // The report sends `opened` at once, stating both deadlines.
      expect((one.json.timeline as { type: string; stage?: string }[]).some((t) => t.stage === 'opened')).toBe(true);
      expect((one.json.history as unknown[]).length).toBeGreaterThan(0);
      expect(String(one.json.uiLink)).toContain(encodeURIComponent(`duban/${plan()}/incident-czt-flood-1`));

      const again = await api(`${base()}/units/fj-czt/incidents`, {
        token: TOKENS.czt,
        body: { ...report, summary: '重复报告' },
      });
      expect([again.status, again.json.created]).toEqual([200, false]);
      expect(await auditOf('officer:fj-czt')).toEqual([
        ['incident-report', 'fj-czt', 'ok', 201],
        ['incident-report', 'fj-czt', 'ok', 200],
      ]);
    });

    it('refuses invalid reports and step records with 400 naming the field, and changes nothing', async () => {
      const before = await f.duban.incidents.list();
      const url = `${base()}/units/fj-czt/incidents`;
      const valid = { level: '重大', summary: '暴雨', occurredAt: OCCURRED };
      const cases: [unknown, string][] = [
        [{ summary: '暴雨', occurredAt: OCCURRED }, 'level: is required'],
        [{ ...valid, level: '一般' }, 'level: must be 特别重大 or 重大'],
        [{ ...valid, summary: '  ' }, 'summary: must not be empty'],
        [{ ...valid, occurredAt: '2017-05-23 06:30' }, 'occurredAt: must be ISO 8601 with an offset'],
        [{ ...valid, incidentId: '暴雨一号' }, 'incidentId: must be 1–64 ASCII letters'],
        [{ ...valid, colour: 'red' }, 'colour: unknown field'],
        // The client's own check: an occurrence after plan now.
        [
          { ...valid, occurredAt: '2017-05-24T06:30:00+08:00' },
          'occurredAt: 2017-05-24T06:30:00.000+08:00 is in the future',
        ],
      ];
      for (const [body, message] of cases) {
        const r = await api(url, { token: TOKENS.czt, body });
        expect([r.status, r.json.detail?.slice(0, message.length)]).toEqual([400, message]);
      }
      const done = `${base()}/incidents/czt-flood-1/done`;
      const doneCases: [unknown, string][] = [
        [{ step: 'briefing', evidence: { document: 'x' } }, 'step: must be information or press-conference'],
        [{ step: 'information', evidence: {} }, 'evidence: a document reference'],
        [{ step: 'information', evidence: { url: 'ftp://example.org/x' } }, 'evidence.url: must be an http(s) URL'],
        [{ step: 'information' }, 'evidence: is required'],
      ];
      const state = await incidentState('czt-flood-1');
      for (const [body, message] of doneCases) {
        const r = await api(done, { token: TOKENS.czt, body });
        expect([r.status, r.json.detail?.slice(0, message.length)]).toEqual([400, message]);
      }
      expect(await incidentState('czt-flood-1')).toEqual(state);
      expect(await f.duban.incidents.list()).toEqual(before);
      const invalid = (await f.opened.store.listAudit({ planId: plan(), unitCode: 'fj-czt' })).filter(
        (a) => a.action.startsWith('incident-') && a.result === 'invalid',
      );
      expect(invalid.length).toBe(cases.length + doneCases.length);
    });

    it('never shows an officer another unit’s incident: reading, listing, reporting and recording are 403 and change nothing', async () => {
      const state = await incidentState('czt-flood-1');
      const read = await api(`${base()}/incidents/czt-flood-1`, { token: TOKENS.fuzhou });
      expect([read.status, read.json.code]).toEqual([403, 'Forbidden']);
      // An id that does not exist looks the same to an officer: nothing tells them which ids other units use.
      const none = await api(`${base()}/incidents/no-such-incident`, { token: TOKENS.fuzhou });
      expect([none.status, none.json.code]).toEqual([403, 'Forbidden']);
      expect(read.json.detail).not.toContain('省财政厅');
      expect((await api(`${base()}/incidents/no-such-incident`, { token: TOKENS.operator })).status).toBe(404);

      const list = await api(`${base()}/incidents`, { token: TOKENS.fuzhou });
      expect(list.json.incidents).toEqual([]);
      expect((await api(`${base()}/incidents?unit=fj-czt`, { token: TOKENS.fuzhou })).status).toBe(403);
      expect((await api(`${base()}/units/fj-czt/incidents`, { token: TOKENS.fuzhou })).status).toBe(403);
      expect((await api(`/plans/${plan()}/incidents/czt-flood-1`, { token: TOKENS.fuzhou })).status).toBe(403);

      const report = await api(`${base()}/units/fj-czt/incidents`, {
        token: TOKENS.fuzhou,
        body: { level: '重大', summary: '代报', occurredAt: OCCURRED },
      });
      expect(report.status).toBe(403);
      const done = await api(`${base()}/incidents/czt-flood-1/done`, {
        token: TOKENS.fuzhou,
        body: { step: 'information', evidence: { document: '榕政〔2017〕1号' } },
      });
      expect(done.status).toBe(403);
      // The same id reported for another unit is not that unit's incident: refused without naming whose it is.
      const taken = await api(`${base()}/units/fj-fuzhou/incidents`, {
        token: TOKENS.fuzhou,
        body: { incidentId: 'czt-flood-1', level: '重大', summary: '同名', occurredAt: OCCURRED },
      });
      expect([taken.status, taken.json.code]).toEqual([400, 'InvalidInput']);
      expect(taken.json.detail).toContain('already taken');
      expect(taken.json.detail).not.toContain('fj-czt');
      expect(await incidentState('czt-flood-1')).toEqual(state);
      expect(await auditOf('officer:fj-fuzhou')).toEqual([
        ['incident-report', 'fj-czt', 'forbidden', 403],
        ['incident-done', 'fj-czt', 'forbidden', 403],
        ['incident-report', 'fj-fuzhou', 'invalid', 400],
      ]);
    });

    it('records each step once, with its margin; a second `done` of a step is 409 AlreadyDone and changes nothing', async () => {
      const done = `${base()}/incidents/czt-flood-1/done`;
      const info = await api(done, {
        token: TOKENS.czt,
        body: { step: 'information', evidence: { url: 'https://czt.fujian.gov.cn/zwgk/tfsj/2017-1.htm' } },
      });
      expect(info.status).toBe(200);
      const steps = info.json.steps as { step: string; state: string; light: string; marginMinutes: number }[];
      expect([steps[0]?.state, steps[0]?.light]).toEqual(['on-time', 'green']);
      // Done at about 10:00 plan time, due 11:30: an hour and a half ahead, less the minutes the tests took.
      expect(steps[0]?.marginMinutes).toBeGreaterThan(60);
      expect(steps[0]?.marginMinutes).toBeLessThanOrEqual(90);
      expect(steps[1]?.state).toBe('pending');

      const state = await incidentState('czt-flood-1');
      const again = await api(done, {
        token: TOKENS.czt,
        body: { step: 'information', evidence: { document: '重复' } },
      });
      expect([again.status, again.json.code]).toEqual([409, 'AlreadyDone']);
      expect(await incidentState('czt-flood-1')).toEqual(state);

      // Operators act for any unit; the evidence names who recorded it, never a name the caller chose.
      const press = await api(done, {
        token: TOKENS.operator,
        body: { step: 'press-conference', at: '2017-05-23T09:00:00+08:00', evidence: { document: '新闻发布会实录' } },
      });
      expect(press.status).toBe(200);
      expect((press.json.steps as { state: string; marginMinutes: number }[])[1]).toMatchObject({
        state: 'on-time',
        marginMinutes: (24 * 60 - 150) as number,
      });
      // Both steps done: the response has ended, and a step recorded again is still "already done", not unknown.
      const ended = await api(done, {
        token: TOKENS.czt,
        body: { step: 'press-conference', evidence: { document: '再次登记' } },
      });
      expect([ended.status, ended.json.code]).toEqual([409, 'AlreadyDone']);
      const events = await f.opened.store.listEvents({ planId: plan(), unitCode: 'fj-czt', type: 'fulfilment' });
      expect(
        events
          .filter((e) => e.period === 'czt-flood-1')
          .map((e) => (e.event.type === 'fulfilment' ? [e.obligation, e.event.evidence.recordedBy] : []))
          .sort(),
      ).toEqual([
        ['emergency-information', 'officer:fj-czt'],
        ['emergency-press-conference', 'operator'],
      ]);
      const audit = await f.opened.store.listAudit({ planId: plan(), unitCode: 'fj-czt', limit: 4 });
      expect(audit.map((a) => [a.actor, a.action, a.target.step, a.result, a.status])).toEqual([
        ['officer:fj-czt', 'incident-done', 'press-conference', 'refused', 409],
        ['operator', 'incident-done', 'press-conference', 'ok', 200],
        ['officer:fj-czt', 'incident-done', 'information', 'refused', 409],
        ['officer:fj-czt', 'incident-done', 'information', 'ok', 200],
      ]);
    });
    it('lets only operators state when a step was done: an officer’s `at` is 403 and changes nothing; an operator’s is kept beside when it was recorded', async () => {
      const created = await api(`${base()}/units/fj-czt/incidents`, {
        token: TOKENS.operator,
        body: { incidentId: 'czt-stated-1', level: '重大', summary: '山体滑坡', occurredAt: OCCURRED },
      });
      expect(created.status).toBe(201);
      const done = `${base()}/incidents/czt-stated-1/done`;
      const state = await incidentState('czt-stated-1');
      const backdated = await api(done, {
        token: TOKENS.czt,
        body: { step: 'information', at: '2017-05-23T08:00:00+08:00', evidence: { document: '闽财〔2017〕9号' } },
      });
      expect([backdated.status, backdated.json.code]).toEqual([403, 'Forbidden']);
      expect(backdated.json.detail).toContain('only operators may state when it happened');
      expect(await incidentState('czt-stated-1')).toEqual(state);
      const stated = await api(done, {
        token: TOKENS.operator,
        body: { step: 'information', at: '2017-05-23T08:00:00+08:00', evidence: { document: '闽财〔2017〕9号' } },
      });
      expect(stated.status).toBe(200);
      expect((stated.json.steps as { doneAt: string; marginMinutes: number }[])[0]).toMatchObject({
        doneAt: '2017-05-23T08:00:00.000+08:00',
        marginMinutes: 210,
      });
      const entry = (await f.duban.incidents.timeline('czt-stated-1')).find((t) => t.type === 'done');
      expect(entry?.at).toBe('2017-05-23T08:00:00.000+08:00');
      expect(entry?.detail).toMatch(/^闽财〔2017〕9号 \(recorded 2017-05-23T1\d:\d\d/);
      const audit = (await f.opened.store.listAudit({ planId: plan(), unitCode: 'fj-czt' }))
        .filter((a) => a.target.incidentId === 'czt-stated-1')
        .map((a) => [a.actor, a.action, a.result, a.status]);
      expect(audit).toEqual([
        ['operator', 'incident-report', 'ok', 201],
        ['officer:fj-czt', 'incident-done', 'forbidden', 403],
        ['operator', 'incident-done', 'ok', 200],
      ]);
    });
  });

  describe('information requests', () => {
    const act = (id: string, what: string, body: unknown, token: string = TOKENS.czt) =>
      api(`${base()}/requests/${id}/${what}`, { token, body });

    it('lets an officer register a request received by their unit (201), list it and read it', async () => {
      const r = await api(`${base()}/units/fj-czt/requests`, {
        token: TOKENS.czt,
        body: { requestId: 'czt-2017-001', receivedOn: '2017-05-22' },
      });
      expect([r.status, r.json.created]).toEqual([201, true]);
      const request = r.json.request as { requestId: string; due: string; state: string; light: string };
      expect(request).toMatchObject({ requestId: 'czt-2017-001', state: 'pending', light: 'green' });
      expect(request.due).toBe((await f.duban.requests.status('czt-2017-001')).due);
      expect(request.due > '2017-06-01').toBe(true);
      const mine = await api(`${base()}/requests`, { token: TOKENS.czt });
      expect((mine.json.requests as { requestId: string }[]).map((x) => x.requestId)).toEqual(['czt-2017-001']);
      const one = await api(`${base()}/requests/czt-2017-001`, { token: TOKENS.czt });
      expect(one.status).toBe(200);
      expect(String(one.json.uiLink)).toContain(encodeURIComponent(`duban/${plan()}/request-czt-2017-001`));
      const bad = await api(`${base()}/units/fj-czt/requests`, {
        token: TOKENS.czt,
        body: { requestId: 'czt-2017-002', receivedOn: '2017-05-32' },
      });
      expect([bad.status, bad.json.detail]).toEqual([400, 'receivedOn: is not a calendar date']);
      const future = await api(`${base()}/units/fj-czt/requests`, {
        token: TOKENS.czt,
        body: { requestId: 'czt-2017-002', receivedOn: '2017-06-01' },
      });
      expect([future.status, future.json.code]).toEqual([400, 'InvalidInput']);
      expect(future.json.detail).toContain('receivedOn: 2017-06-01 is in the future');
    });

    it('refuses an officer of another unit on every request route, changing nothing', async () => {
      const state = await requestState('czt-2017-001');
      expect((await api(`${base()}/requests/czt-2017-001`, { token: TOKENS.fuzhou })).status).toBe(403);
      expect((await api(`${base()}/requests`, { token: TOKENS.fuzhou })).json.requests).toEqual([]);
      expect((await api(`/plans/${plan()}/requests/czt-2017-001`, { token: TOKENS.fuzhou })).status).toBe(403);
      for (const [what, body] of [
        ['reply', { evidence: { document: '榕复〔2017〕1号' } }],
        ['extend', { approver: '市长', reason: '代批' }],
        ['pause', { reason: '第三方' }],
        ['correct', { receivedOn: '2017-05-23' }],
      ] as const) {
        const r = await act('czt-2017-001', what, body, TOKENS.fuzhou);
        expect([what, r.status, r.json.code]).toEqual([what, 403, 'Forbidden']);
      }
      const receive = await api(`${base()}/units/fj-czt/requests`, {
        token: TOKENS.fuzhou,
        body: { requestId: 'fz-1', receivedOn: '2017-05-22' },
      });
      expect(receive.status).toBe(403);
      // Receiving under an id another unit uses: refused without naming that unit.
      const taken = await api(`${base()}/units/fj-fuzhou/requests`, {
        token: TOKENS.fuzhou,
        body: { requestId: 'czt-2017-001', receivedOn: '2017-05-22' },
      });
      expect([taken.status, taken.json.code]).toEqual([400, 'InvalidInput']);
      expect(taken.json.detail).not.toMatch(/fj-czt|省财政厅/);
      expect(await requestState('czt-2017-001')).toEqual(state);
      const audit = (await auditOf('officer:fj-fuzhou')).filter(([action]) => String(action).startsWith('request-'));
      expect(audit).toEqual([
        ['request-reply', 'fj-czt', 'forbidden', 403],
        ['request-extend', 'fj-czt', 'forbidden', 403],
        ['request-pause', 'fj-czt', 'forbidden', 403],
        ['request-correct', 'fj-czt', 'forbidden', 403],
        ['request-receive', 'fj-czt', 'forbidden', 403],
        ['request-receive', 'fj-fuzhou', 'invalid', 400],
      ]);
    });

    it('pauses and resumes the clock, extends once (a second extension is 409), corrects and replies; refusals change nothing', async () => {
      const id = 'czt-2017-001';
      const pause = await act(id, 'pause', { on: '2017-05-23', reason: '征求第三方意见：某公司' });
      expect([pause.status, pause.json.state, pause.json.due]).toEqual([200, 'paused', null]);
      let state = await requestState(id);
      const twice = await act(id, 'pause', { reason: '再次暂停' });
      expect([twice.status, twice.json.code]).toEqual([422, 'InvalidPause']);
      expect(await requestState(id)).toEqual(state);
      const resume = await act(id, 'resume', { on: '2017-05-23', reason: '第三方已答复' });
      expect([resume.status, resume.json.state]).toEqual([200, 'pending']);

      const noApprover = await act(id, 'extend', { reason: '需调取档案' });
      expect([noApprover.status, noApprover.json.detail]).toEqual([400, 'approver: is required']);
      const zero = await act(id, 'extend', { workingDays: 0, approver: '厅长', reason: '需调取档案' });
      expect([zero.status, zero.json.detail]).toEqual([400, 'workingDays: at least 1']);
      const dueBefore = (await f.duban.requests.status(id)).due;
      const ext = await act(id, 'extend', { approver: '厅长', reason: '需调取档案' });
      expect(ext.status).toBe(200);
      expect(ext.json.extension).toMatchObject({ approver: '厅长', reason: '需调取档案' });
      expect(String(ext.json.due) > String(dueBefore)).toBe(true);
      state = await requestState(id);
      const second = await act(id, 'extend', { workingDays: 5, approver: '厅长', reason: '再延' });
      expect([second.status, second.json.code]).toEqual([409, 'SecondExtension']);
      expect(await requestState(id)).toEqual(state);

      const corrected = await act(id, 'correct', { receivedOn: '2017-05-23', note: '申请人补正了所需信息的描述' });
      expect([corrected.status, corrected.json.receivedOn, corrected.json.firstReceivedOn]).toEqual([
        200,
        '2017-05-23',
        '2017-05-22',
      ]);
      const reply = await act(id, 'reply', { evidence: { document: '闽财依复〔2017〕1号' } });
      expect([reply.status, reply.json.state, reply.json.light]).toEqual([200, 'on-time', 'green']);
      state = await requestState(id);
      const after = await act(id, 'reply', { evidence: { document: '再次答复' } });
      expect([after.status, after.json.code]).toEqual([409, 'AlreadyClosed']);
      expect(await requestState(id)).toEqual(state);

      const audit = (await f.opened.store.listAudit({ planId: plan(), actor: 'officer:fj-czt' }))
        .filter((a) => a.action.startsWith('request-') && a.target.requestId === id)
        .map((a) => [a.action, a.result, a.status]);
      expect(audit).toEqual([
        ['request-receive', 'ok', 201],
        ['request-pause', 'ok', 200],
        ['request-pause', 'refused', 422],
        ['request-resume', 'ok', 200],
        ['request-extend', 'invalid', 400],
        ['request-extend', 'invalid', 400],
        ['request-extend', 'ok', 200],
        ['request-extend', 'refused', 409],
        ['request-correct', 'ok', 200],
        ['request-reply', 'ok', 200],
        ['request-reply', 'refused', 409],
      ]);
    });
    it('lets only operators state when a reply was sent: an officer’s `at` is 403 and changes nothing; an operator’s is kept beside when it was recorded', async () => {
      const id = 'czt-2017-009';
      const received = await api(`${base()}/units/fj-czt/requests`, {
        token: TOKENS.czt,
        body: { requestId: id, receivedOn: '2017-05-22' },
      });
      expect(received.status).toBe(201);
      const state = await requestState(id);
      const backdated = await act(id, 'reply', {
        at: '2017-05-23T08:00:00+08:00',
        evidence: { document: '闽财依复〔2017〕9号' },
      });
      expect([backdated.status, backdated.json.code]).toEqual([403, 'Forbidden']);
      expect(backdated.json.detail).toContain('only operators may state when it happened');
      expect(await requestState(id)).toEqual(state);
      const stated = await act(
        id,
        'reply',
        { at: '2017-05-23T08:00:00+08:00', evidence: { document: '闽财依复〔2017〕9号' } },
        TOKENS.operator,
      );
      expect([stated.status, stated.json.state, stated.json.repliedAt]).toEqual([
        200,
        'on-time',
        '2017-05-23T08:00:00.000+08:00',
      ]);
      const entry = (await f.duban.requests.timeline(id)).find((t) => t.type === 'reply');
      expect(entry?.at).toBe('2017-05-23T08:00:00.000+08:00');
      expect(entry?.detail).toMatch(/^闽财依复〔2017〕9号 \(recorded 2017-05-23T1\d:\d\d/);
      const audit = (await f.opened.store.listAudit({ planId: plan(), unitCode: 'fj-czt' }))
        .filter((a) => a.target.requestId === id)
        .map((a) => [a.actor, a.action, a.result, a.status]);
      expect(audit).toEqual([
        ['officer:fj-czt', 'request-receive', 'ok', 201],
        ['officer:fj-czt', 'request-reply', 'forbidden', 403],
        ['operator', 'request-reply', 'ok', 200],
      ]);
    });
  });

  describe('forms', () => {
    async function login(token: string): Promise<{ cookie: string; csrf: string }> {
      const res = await fetch(`${f.baseUrl}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, next: '/' }).toString(),
        redirect: 'manual',
      });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      const page = await fetch(`${f.baseUrl}/plans/${plan()}/units/fj-czt`, { headers: { cookie } });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      return { cookie, csrf };
    }
    const post = (path: string, session: { cookie: string }, fields: Record<string, string>) =>
      fetch(`${f.baseUrl}${path}`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
        redirect: 'manual',
      });

    it('refuses a report form without its CSRF token (403), shows a refused one again with what was typed (400), redirects a good one to the incident', async () => {
      const session = await login(TOKENS.czt);
      expect(session.csrf).not.toBe('');
      const before = await f.duban.incidents.list({ unitCode: 'fj-czt' });
      const url = `/plans/${plan()}/units/fj-czt/incidents`;
      const forged = await post(url, session, { level: '重大', summary: '伪造', occurredAt: '2017-05-23T08:00' });
      expect(forged.status).toBe(403);
      const refused = await post(url, session, {
        _csrf: session.csrf,
        level: '重大',
        summary: '<b>地面塌陷</b>',
        occurredAt: '2017-05-24T08:00',
      });
      expect(refused.status).toBe(400);
      const page = await refused.text();
      expect(page).toContain('未能报告：occurredAt: 2017-05-24T08:00:00.000+08:00 is in the future');
      expect(page).toContain('value="&lt;b&gt;地面塌陷&lt;/b&gt;"');
      expect(page).toContain('value="2017-05-24T08:00"');
      expect(await f.duban.incidents.list({ unitCode: 'fj-czt' })).toEqual(before);

      const ok = await post(url, session, {
        _csrf: session.csrf,
        level: '特别重大',
        summary: '地面塌陷',
        occurredAt: '2017-05-23T08:00',
      });
      expect(ok.status).toBe(303);
      // Beijing wall time from the form; the id is derived from the unit and the minute.
      expect(ok.headers.get('location')).toBe(`/plans/${plan()}/incidents/fj-czt-201705230800?done=report`);
      const shown = await fetch(`${f.baseUrl}${ok.headers.get('location')}`, { headers: { cookie: session.cookie } });
      expect(shown.status).toBe(200);
      const text = await shown.text();
      expect(text).toContain('已报告突发事件');
      expect(text).toContain('2017-05-23 13:00');
      const audit = await f.opened.store.listAudit({ planId: plan(), actor: 'officer:fj-czt', limit: 2 });
      expect(audit.map((a) => [a.action, a.result, a.status, (a.input as { _csrf?: string })._csrf])).toEqual([
        ['incident-report', 'ok', 200, undefined],
        ['incident-report', 'invalid', 400, undefined],
      ]);
    });

    it('receives a request through the form, pauses its clock from its page, and shows a refused extension again with what was typed', async () => {
      const session = await login(TOKENS.czt);
      const received = await post(`/plans/${plan()}/units/fj-czt/requests`, session, {
        _csrf: session.csrf,
        requestId: 'czt-form-1',
        receivedOn: '2017-05-23',
      });
      expect([received.status, received.headers.get('location')]).toEqual([
        303,
        `/plans/${plan()}/requests/czt-form-1?done=receive`,
      ]);
      const page = `/plans/${plan()}/requests/czt-form-1`;
      const paused = await post(`${page}/pause`, session, {
        _csrf: session.csrf,
        on: '',
        reason: '征求意见：某律师事务所',
      });
      expect([paused.status, paused.headers.get('location')]).toEqual([303, `${page}?done=pause`]);
      const shown = await (
        await fetch(`${f.baseUrl}${page}?done=pause`, { headers: { cookie: session.cookie } })
      ).text();
      expect(shown).toContain('已暂停计时');
      expect(shown).toContain('征求意见：某律师事务所');
      expect(shown).toContain('id="resume"');
      expect(shown).not.toContain('id="pause"');

      const before = await requestState('czt-form-1');
      const refused = await post(`${page}/extend`, session, {
        _csrf: session.csrf,
        workingDays: '5',
        approver: '',
        reason: '材料较多',
      });
      expect(refused.status).toBe(400);
      const again = await refused.text();
      expect(again).toContain('未能延期：approver: is required');
      expect(again).toMatch(/id="extend-days"[^>]*value="5"/);
      expect(again).toMatch(/id="extend-reason"[^>]*value="材料较多"/);
      expect(await requestState('czt-form-1')).toEqual(before);
      const audit = await f.opened.store.listAudit({ planId: plan(), actor: 'officer:fj-czt', limit: 3 });
      expect(audit.map((a) => [a.action, a.target.requestId, a.result, a.status])).toEqual([
        ['request-extend', 'czt-form-1', 'invalid', 400],
        ['request-pause', 'czt-form-1', 'ok', 200],
        ['request-receive', 'czt-form-1', 'ok', 200],
      ]);
    });
  });
});
