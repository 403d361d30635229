/**
 * The HTTP API against the seed plan on a real dev server at plan time 2017-05-23: who may do what (401/403),
 * payloads refused with a message naming the field (400), workflow refusals passed on (409/422), nothing changed by
 * any refused call, and every attempted change in the audit log.
 */
import net from 'node:net';
import type { HttpLimits } from '../../src/http/app';
import { createHttpServer } from '../../src/http/server';
import { callApi, type DashboardFixture, PLAN_NOW, TOKENS, startDashboardFixture } from './fixture';

jest.setTimeout(180_000);

describe('HTTP API on the seed plan (dev server, plan time 2017-05-23)', () => {
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
  const obligationUrl = (unit: string, id: string, what: string) =>
    `/api/plans/${plan()}/units/${unit}/obligations/${id}/${what}`;
  /** Everything observable about a unit: its status rows and stored events. */
  const snapshot = async (unit: string) => ({
    rows: (await f.service.status({ planId: plan(), unitCode: unit })).rows.map((r) => [
      r.obligationId,
      r.period,
      r.due,
      r.state,
      r.fulfilledAt,
    ]),
    events: (await f.opened.store.listEvents({ planId: plan(), unitCode: unit })).length,
    outcomes: (await f.opened.store.listOutcomes({ planId: plan(), unitCode: unit })).length,
  });

  it('answers 401 to every request without a valid token, API and pages alike', async () => {
    const status = await api(`/api/plans/${plan()}/status`);
    expect(status.status).toBe(401);
    expect(status.json.code).toBe('Unauthenticated');
    expect((await api(`/api/plans/${plan()}/status`, { token: 'not-a-valid-token-at-all' })).status).toBe(401);
    const post = await api(obligationUrl('fj-czt', 'implementation-plan', 'fulfil'), {
      body: { evidence: { document: '闽财〔2017〕1号' } },
    });
    expect(post.status).toBe(401);
    const page = await api(`/plans/${plan()}/units/fj-czt`);
    expect(page.status).toBe(401);
    expect(page.text).toContain('访问令牌');
    // Nobody to name: unauthenticated calls change nothing and leave no audit entry.
    expect(await f.opened.store.listAudit({ planId: plan() })).toEqual([]);
  });

  it('pages the plan matrix by units: each page its units only, the counts of the whole plan on every page', async () => {
    const op = { token: TOKENS.operator };
    const cellsOf = (text: string) => [...text.matchAll(/data-cell="([^"]+)"/g)].map((m) => m[1]!);
    const unitsOf = (text: string) =>
      [...text.matchAll(/<th class="unit">\s*<a href="[^"]*\/units\/([^"]+)"/g)].map((m) => m[1]!);
    const countsOf = (text: string) =>
      Object.fromEntries([...text.matchAll(/data-count="(\w+)">(\d+)</g)].map((m) => [m[1]!, Number(m[2])]));

    const whole = await api(`/plans/${plan()}`, op);
    expect(whole.status).toBe(200);
    expect(whole.text).not.toContain('id="matrix-pager"');
    const units = unitsOf(whole.text);
    expect(units.length).toBeGreaterThan(40);

    const pages = [];
    for (let offset = 0; offset < units.length; offset += 20) {
      const answer = await api(`/plans/${plan()}?units=${offset}&per=20`, op);
      expect(answer.status).toBe(200);
      pages.push(answer.text);
    }
    expect(pages).toHaveLength(Math.ceil(units.length / 20));
    expect(pages.flatMap(unitsOf)).toEqual(units);
    expect(pages.flatMap(cellsOf).sort()).toEqual(cellsOf(whole.text).sort());
    for (const text of pages) expect(countsOf(text)).toEqual(countsOf(whole.text));
    expect(pages[0]).toContain(`单位 1–20（共 ${units.length} 个，第 1/${pages.length} 页）`);
    expect(pages[0]).toContain('href="/plans/' + plan() + '?units=20&amp;per=20#matrix"');
    expect(pages[0]).not.toContain('rel="prev"');
    expect(pages.at(-1)).not.toContain('rel="next"');

    // The whole plan's counts are the status rows' lights.
    const rows = (await api(`/api/plans/${plan()}/status`, op)).json.rows as { light: string }[];
    const byLight: Record<string, number> = { green: 0, yellow: 0, red: 0 };
    for (const r of rows) byLight[r.light]! += 1;
    expect(countsOf(whole.text)).toEqual(byLight);

    for (const [query, name] of [
      ['per=0', 'per'],
      ['per=201', 'per'],
      ['units=-1', 'units'],
      ['units=x', 'units'],
    ]) {
      const bad = await api(`/plans/${plan()}?${query}`, op);
      expect(bad.status).toBe(400);
      expect(bad.text).toContain(`${name}: must be a whole number`);
    }
  });

  it('lets an officer see only their own unit and refuses another unit with 403, changing nothing', async () => {
    const own = await api(`/api/plans/${plan()}/status`, { token: TOKENS.czt });
    expect(own.status).toBe(200);
    const rows = own.json.rows as { unitCode: string; obligationId: string; light: string }[];
    expect(new Set(rows.map((r) => r.unitCode))).toEqual(new Set(['fj-czt']));
    expect(rows.find((r) => r.obligationId === 'implementation-plan')?.light).toBe('yellow');

    expect((await api(`/api/plans/${plan()}/status?unit=fj-fuzhou`, { token: TOKENS.czt })).status).toBe(403);
    expect((await api(`/plans/${plan()}/units/fj-fuzhou`, { token: TOKENS.czt })).status).toBe(403);
    expect((await api(`/plans/${plan()}`, { token: TOKENS.czt })).status).toBe(403);
    expect(
      (await api(obligationUrl('fj-fuzhou', 'implementation-plan', 'timeline'), { token: TOKENS.czt })).status,
    ).toBe(403);

    const before = await snapshot('fj-fuzhou');
    const other = await api(obligationUrl('fj-fuzhou', 'implementation-plan', 'fulfil'), {
      token: TOKENS.czt,
      body: { evidence: { document: '榕政办〔2017〕9号' } },
    });
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('Forbidden');
    // Extensions and waivers are the general office's decisions, even for one's own unit.
    const extend = await api(obligationUrl('fj-czt', 'implementation-plan', 'extend'), {
      token: TOKENS.czt,
      body: { newDue: '2017-06-30', reason: '请求延期', approver: '自己' },
    });
    expect(extend.status).toBe(403);
    expect(await snapshot('fj-fuzhou')).toEqual(before);

    const audit = await f.opened.store.listAudit({ planId: plan(), actor: 'officer:fj-czt' });
    expect(audit.map((a) => [a.action, a.unitCode, a.result, a.status])).toEqual([
      ['fulfil', 'fj-fuzhou', 'forbidden', 403],
      ['extend', 'fj-czt', 'forbidden', 403],
    ]);
  });

  it('refuses invalid payloads with 400 naming the field, and changes nothing', async () => {
    const before = await snapshot('fj-czt');
    const url = obligationUrl('fj-czt', 'implementation-plan', 'fulfil');
    const cases: [unknown, string][] = [
      [{}, 'evidence: is required'],
      [{ evidence: {} }, 'evidence.document'],
      [{ evidence: { url: 'javascript:alert(1)' } }, 'evidence.url: must be an http(s) URL'],
      [{ evidence: { document: '' } }, 'evidence.document: must not be empty'],
      [{ evidence: { document: 'x' }, at: 'yesterday' }, 'at: must be ISO 8601 with an offset'],
      [{ evidence: { document: 'x', recordedBy: 'someone else' } }, 'evidence.recordedBy: unknown field'],
      [{ evidence: { document: 'x' }, colour: 'red' }, 'colour: unknown field'],
    ];
    for (const [body, field] of cases) {
      const r = await api(url, { token: TOKENS.czt, body });
      expect([r.status, r.json.code]).toEqual([400, 'InvalidPayload']);
      expect(r.json.detail).toContain(field);
    }
    const badJson = await api(url, { token: TOKENS.czt, raw: '{"evidence":' });
    expect([badJson.status, badJson.json.detail]).toEqual([400, 'body: not valid JSON']);
    const extend = await api(obligationUrl('fj-czt', 'implementation-plan', 'extend'), {
      token: TOKENS.operator,
      body: { newDue: '2017-02-30', reason: '材料未齐', approver: '督查室主任' },
    });
    expect([extend.status, extend.json.detail]).toEqual([400, 'newDue: is not a calendar date']);
    const waive = await api(obligationUrl('fj-czt', 'implementation-plan', 'waive'), {
      token: TOKENS.operator,
      body: { reason: '  ', approver: '督查室主任' },
    });
    expect([waive.status, waive.json.detail]).toEqual([400, 'reason: must not be empty']);
    const designate = await api(`/api/plans/${plan()}/tasks/16/designate`, {
      token: TOKENS.operator,
      body: { unitCode: 'No Such Unit' },
    });
    expect([designate.status, designate.json.detail]).toEqual([400, 'unitCode: must be a unit code']);
    expect(await snapshot('fj-czt')).toEqual(before);
    const audit = await f.opened.store.listAudit({ planId: plan(), unitCode: 'fj-czt' });
    expect(audit.filter((a) => a.result === 'invalid').length).toBe(cases.length + 2);
    expect(audit.some((a) => a.result === 'ok')).toBe(false);
  });

  it('passes workflow refusals on as 409/422 with their message and type, changing nothing', async () => {
    const before = await snapshot('fj-czt');
    const url = obligationUrl('fj-czt', 'implementation-plan', 'fulfil');
    const future = await api(url, {
      token: TOKENS.operator,
      body: { at: '2017-06-30T10:00:00+08:00', evidence: { document: '闽财〔2017〕1号' } },
    });
    expect([future.status, future.json.code]).toEqual([422, 'InvalidInstant']);
    expect(future.json.detail).toContain('in the future');
    const period = await api(url, { token: TOKENS.czt, body: { period: '2017-Q9', evidence: { document: 'x' } } });
    expect([period.status, period.json.code]).toEqual([422, 'UnknownPeriod']);
    const unknown = await api(obligationUrl('fj-czt', 'task-999-deadline', 'fulfil'), {
      token: TOKENS.czt,
      body: { evidence: { document: 'x' } },
    });
    expect([unknown.status, unknown.json.code]).toEqual([404, 'UnknownObligation']);
    expect(await snapshot('fj-czt')).toEqual(before);
    const refused = (await f.opened.store.listAudit({ planId: plan(), unitCode: 'fj-czt' })).filter(
      (a) => a.result === 'refused',
    );
    expect(refused.map((a) => [a.status, a.message?.slice(0, 12)])).toEqual([
      [422, future.json.detail?.slice(0, 12)],
      [422, period.json.detail?.slice(0, 12)],
      [404, unknown.json.detail?.slice(0, 12)],
    ]);
  });

  it('records an officer fulfilment (recordedBy is the caller), turns the light green, audits it; a second is 409', async () => {
    const url = obligationUrl('fj-czt', 'implementation-plan', 'fulfil');
    const ok = await api(url, {
      token: TOKENS.czt,
      body: { evidence: { document: '闽财办〔2017〕12号', url: 'https://czt.fujian.gov.cn/zwgk/2017/ssfa.htm' } },
    });
    expect(ok.status).toBe(200);
    expect((ok.json.items as { state: string }[])[0]?.state).toBe('on-time');
    const row = (await f.service.status({ planId: plan(), unitCode: 'fj-czt' })).rows.find(
      (r) => r.obligationId === 'implementation-plan',
    );
    expect([row?.state, row?.light]).toEqual(['on-time', 'green']);
    // Plan time, not the host's clock: the fulfilment is dated 2017-05-23.
    expect(row?.fulfilledAt?.slice(0, 10)).toBe(PLAN_NOW.slice(0, 10));
    const events = await f.opened.store.listEvents({ planId: plan(), unitCode: 'fj-czt', type: 'fulfilment' });
    expect(events.map((e) => (e.event.type === 'fulfilment' ? e.event.evidence.recordedBy : ''))).toEqual([
      'officer:fj-czt',
    ]);

    const before = await snapshot('fj-czt');
    const again = await api(url, { token: TOKENS.czt, body: { evidence: { document: '重复' } } });
    expect([again.status, again.json.code]).toEqual([409, 'AlreadyClosed']);
    // An RFC 9457 problem: the refusal's type beside the problem's own.
    expect(again.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(again.json).toEqual({
      type: 'urn:duban:problem:AlreadyClosed',
      title: 'Refused by the workflow',
      status: 409,
      detail: expect.stringContaining('has ended (on-time)'),
      code: 'AlreadyClosed',
      refusal: 'AlreadyClosed',
    });
    expect(await snapshot('fj-czt')).toEqual(before);

    const audit = await f.opened.store.listAudit({ planId: plan(), unitCode: 'fj-czt', limit: 2 });
    expect(audit.map((a) => [a.actor, a.action, a.result, a.status])).toEqual([
      ['officer:fj-czt', 'fulfil', 'refused', 409],
      ['officer:fj-czt', 'fulfil', 'ok', 200],
    ]);
    expect(audit[1]?.input).toEqual({
      evidence: { document: '闽财办〔2017〕12号', url: 'https://czt.fujian.gov.cn/zwgk/2017/ssfa.htm' },
    });
  });

  it('writes the audit intent before the change: when it cannot be written, nothing is changed', async () => {
    const { store } = f.opened;
    const url = obligationUrl('fj-xiamen', 'implementation-plan', 'fulfil');
    const before = await snapshot('fj-xiamen');
    const recordAudit = store.recordAudit.bind(store);
    store.recordAudit = () => Promise.reject(new Error('disk full'));
    let failed;
    try {
      failed = await api(url, { token: TOKENS.operator, body: { evidence: { document: '厦府办〔2017〕1号' } } });
    } finally {
      store.recordAudit = recordAudit;
    }
    expect([failed.status, failed.json.code]).toEqual([500, 'AuditFailed']);
    expect(await snapshot('fj-xiamen')).toEqual(before);

    // With the log writable again the same call goes through, its entry written as pending and then completed.
    const ok = await api(url, { token: TOKENS.operator, body: { evidence: { document: '厦府办〔2017〕1号' } } });
    expect(ok.status).toBe(200);
    const [entry] = await store.listAudit({ planId: plan(), unitCode: 'fj-xiamen', limit: 1 });
    expect([entry?.action, entry?.result, entry?.status]).toEqual(['fulfil', 'ok', 200]);
  });

  it('lets the operator extend, read the timeline and the audit log; no token is ever stored', async () => {
    const ext = await api(obligationUrl('fj-fuzhou', 'implementation-plan', 'extend'), {
      token: TOKENS.operator,
      body: { newDue: '2017-06-09', reason: '机构调整', approver: '督查室主任' },
    });
    expect(ext.status).toBe(200);
    const timeline = await api(obligationUrl('fj-fuzhou', 'implementation-plan', 'timeline'), {
      token: TOKENS.fuzhou,
    });
    expect(timeline.status).toBe(200);
    expect((timeline.json.timeline as { type: string }[]).map((t) => t.type)).toContain('extension');
    expect(String(timeline.json.uiLink)).toContain(encodeURIComponent(`duban/${plan()}/fj-fuzhou/implementation-plan`));
    expect((await api(`/api/plans/${plan()}/audit`, { token: TOKENS.fuzhou })).status).toBe(403);
    const audit = await api(`/api/plans/${plan()}/audit`, { token: TOKENS.operator });
    expect(audit.status).toBe(200);
    const text = JSON.stringify(audit.json);
    for (const token of Object.values(TOKENS)) expect(text).not.toContain(token);
    expect(text).toContain('"actor":"operator"');
  });

  it('lets only operators state when something was done: an officer cannot backdate, a period not begun is refused', async () => {
    const before = await snapshot('fj-czt');
    const url = obligationUrl('fj-czt', 'quarterly-progress', 'fulfil');
    // An officer stating an earlier instant is refused before anything reaches the workflow.
    const backdated = await api(url, {
      token: TOKENS.czt,
      body: { period: '2017-Q2', at: '2017-05-20T10:00:00+08:00', evidence: { document: '闽财〔2017〕2号' } },
    });
    expect([backdated.status, backdated.json.code]).toEqual([403, 'Forbidden']);
    expect(backdated.json.detail).toContain('only operators may state when it happened');
    // A period that has not begun cannot be fulfilled, by anyone.
    const early = await api(url, {
      token: TOKENS.operator,
      body: { period: '2017-Q3', evidence: { document: '闽财〔2017〕3号' } },
    });
    expect([early.status, early.json.code]).toEqual([422, 'PeriodNotBegun']);
    expect(await snapshot('fj-czt')).toEqual(before);
    // An operator records a late report of an earlier fulfilment; the timeline keeps when it was recorded.
    const stated = await api(url, {
      token: TOKENS.operator,
      body: { period: '2017-Q2', at: '2017-05-22T16:00:00+08:00', evidence: { document: '闽财〔2017〕4号' } },
    });
    expect(stated.status).toBe(200);
    const timeline = await api(`${url.replace(/\/fulfil$/, '/timeline')}?period=2017-Q2`, { token: TOKENS.operator });
    const entry = (timeline.json.timeline as { type: string; at: string; detail: string }[]).find(
      (e) => e.type === 'fulfilment',
    );
    expect(entry).toMatchObject({ at: '2017-05-22T16:00:00.000+08:00' });
    expect(entry?.detail).toMatch(/^闽财〔2017〕4号 \(recorded 2017-05-23T\d\d:\d\d/);
  });

  it('escapes what officers typed when pages show it', async () => {
    const evil = '<script>alert(1)</script>';
    const r = await api(obligationUrl('fj-fuzhou', 'year-end-report', 'fulfil'), {
      token: TOKENS.fuzhou,
      body: { evidence: { document: evil } },
    });
    expect(r.status).toBe(200);
    const page = await api(`/plans/${plan()}/units/fj-fuzhou/obligations/year-end-report`, { token: TOKENS.fuzhou });
    expect(page.status).toBe(200);
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain(evil);
  });

  it('serves a unit calendar feed by token or by its own feed key, and reports to operators only', async () => {
    const feedPath = `/plans/${plan()}/units/fj-czt/calendar.ics`;
    expect((await api(feedPath)).status).toBe(401);
    const page = await api(`/plans/${plan()}/units/fj-czt`, { token: TOKENS.czt });
    const key = /calendar\.ics\?key=([A-Za-z0-9_-]+)/.exec(page.text)?.[1];
    expect(key).toBeDefined();
    const feed = await fetch(`${f.baseUrl}${feedPath}?key=${key}`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toContain('text/calendar');
    expect(await feed.text()).toContain('BEGIN:VCALENDAR');
    // A key opens its own unit's feed only.
    expect((await fetch(`${f.baseUrl}/plans/${plan()}/units/fj-fuzhou/calendar.ics?key=${key}`)).status).toBe(401);
    expect((await api(`/plans/${plan()}/units/fj-fuzhou/calendar.ics`, { token: TOKENS.czt })).status).toBe(403);
    // Without a token or key, a wrong plan id is a plain 401: the answer does not name the plan this server runs.
    const probe = await api(`/plans/guess/units/fj-czt/calendar.ics?key=${key}`);
    expect(probe.status).toBe(401);
    expect(probe.text).not.toContain(plan());
    expect((await api(`/plans/guess/units/fj-czt/calendar.ics`, { token: TOKENS.czt })).status).toBe(404);
    expect((await api(`/plans/${plan()}/reports/year-end.csv`, { token: TOKENS.czt })).status).toBe(403);
    const report = await fetch(`${f.baseUrl}/plans/${plan()}/reports/year-end.csv`, {
      headers: { authorization: `Bearer ${TOKENS.operator}` },
    });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toContain('text/csv');
  });

  it('serves the scores page with inline SVG charts and the bulletin to operators only, 400 for a bad period', async () => {
    const scores = `/plans/${plan()}/scores`;
    expect((await api(scores, { token: TOKENS.czt })).status).toBe(403);
    const page = await api(`${scores}?period=2017-Q2`, { token: TOKENS.operator });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<table id="ranking">');
    for (const id of ['chart-on-time', 'chart-weekly', 'chart-trend'])
      expect(page.text).toMatch(new RegExp(`<figure class="chart" id="${id}" aria-label="[^"]+"><svg `));
    // The charts are drawings only: nothing in them runs.
    const figures = page.text.match(/<figure class="chart"[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(3);
    for (const figure of figures) expect(figure).not.toMatch(/<script|<foreignObject|\son\w+=/i);
    const bad = await api(`${scores}?period=2017-Q5`, { token: TOKENS.operator });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/period: (&#39;|')2017-Q5(&#39;|') is not a quarter such as 2017-Q3, or year/);

    expect((await api(`/plans/${plan()}/reports/bulletin.docx?period=year`, { token: TOKENS.fuzhou })).status).toBe(
      403,
    );
    const docx = await fetch(`${f.baseUrl}/plans/${plan()}/reports/bulletin.docx?period=year`, {
      headers: { authorization: `Bearer ${TOKENS.operator}` },
    });
    expect(docx.status).toBe(200);
    expect(docx.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(
      Buffer.from(await docx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });

  it('logs in through the form with an HttpOnly cookie and refuses a form change without its CSRF token', async () => {
    const login = await fetch(`${f.baseUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKENS.fuzhou, next: '//evil.example/' }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKENS.fuzhou);
    const session = cookie.split(';')[0]!;
    const page = await fetch(`${f.baseUrl}/plans/${plan()}/units/fj-fuzhou`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    const before = await snapshot('fj-fuzhou');
    const forged = await fetch(`${f.baseUrl}/plans/${plan()}/units/fj-fuzhou/fulfil`, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ item: 'quarterly-progress|2017-Q2', document: 'x' }).toString(),
      redirect: 'manual',
    });
    expect(forged.status).toBe(403);
    expect(await snapshot('fj-fuzhou')).toEqual(before);

    // The JSON API with the session cookie: a text/plain form another page could post is refused, so is JSON
    // without the CSRF header; with both (what the site's own script would send) it goes through.
    const url = `${f.baseUrl}${obligationUrl('fj-fuzhou', 'quarterly-progress', 'fulfil')}`;
    const body = JSON.stringify({ period: '2017-Q2', evidence: { document: '榕政办〔2017〕9号' } });
    const plain = await fetch(url, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'text/plain' },
      body,
    });
    expect([plain.status, ((await plain.json()) as { code: string }).code]).toEqual([415, 'UnsupportedMediaType']);
    const noHeader = await fetch(url, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'application/json' },
      body,
    });
    expect([noHeader.status, ((await noHeader.json()) as { code: string }).code]).toEqual([403, 'Csrf']);
    expect(await snapshot('fj-fuzhou')).toEqual(before);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    expect(csrf).toBeDefined();
    const withHeader = await fetch(url, {
      method: 'POST',
      headers: { cookie: session, 'content-type': 'application/json', 'x-csrf-token': csrf! },
      body,
    });
    expect(withHeader.status).toBe(200);
  });

  it('answers 405 with Allow to a known path called with the wrong method: JSON under /api/, a page elsewhere', async () => {
    const before = (await f.opened.store.listAudit({ planId: plan() })).length;
    const get = await api(obligationUrl('fj-czt', 'implementation-plan', 'fulfil'), { token: TOKENS.czt });
    expect([get.status, get.json.code, get.headers.get('allow')]).toEqual([405, 'MethodNotAllowed', 'POST']);
    const del = await api(`/api/plans/${plan()}/units/fj-czt/incidents`, { token: TOKENS.czt, method: 'DELETE' });
    expect([del.status, del.headers.get('allow')]).toEqual([405, 'GET, HEAD, POST']);
    const page = await api(`/plans/${plan()}/units/fj-czt/fulfil`, { token: TOKENS.czt });
    expect([page.status, page.headers.get('allow'), page.headers.get('content-type')]).toEqual([
      405,
      'POST',
      'text/html; charset=utf-8',
    ]);
    expect(page.text).toContain('不支持的请求方法');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const login = await api('/login', { method: 'PUT' });
    expect([login.status, login.headers.get('allow')]).toEqual([405, 'GET, HEAD, POST']);
    // Unknown paths stay 404, and 401 without a token; a wrong method attempts no change, so nothing is audited.
    expect((await api(`/api/plans/${plan()}/nothing`, { token: TOKENS.czt })).status).toBe(404);
    expect((await api(`/api/plans/${plan()}/nothing`)).status).toBe(401);
    expect((await f.opened.store.listAudit({ planId: plan() })).length).toBe(before);
  });

  describe('limits: what one client can hold', () => {
    /** A second server on the same plan, store and workflows, with small limits. */
    async function limited(limits: Partial<HttpLimits>) {
      const server = createHttpServer({
        duban: f.duban,
        store: f.opened.store,
        plan: f.plan,
        directory: f.directory,
        config: {
          operatorToken: TOKENS.operator,
          unitTokens: new Map([[TOKENS.czt, 'fj-czt']]),
          secureCookies: false,
        },
        limits,
      });
      const port = await server.listen(0);
      return { server, port, base: `http://127.0.0.1:${port}` };
    }
    const closed = (socket: net.Socket, ms = 8000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        // Read (and drop) what the server sends, so its end of the connection is seen.
        socket.resume();
      });
    const connect = (port: number) =>
      new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
        socket.once('error', reject);
      });

    it('answers 429 with Retry-After after too many wrong tokens from one address, right ones included', async () => {
      const { server, base } = await limited({ throttle: { failures: 3, windowMs: 2000 } });
      try {
        for (let i = 0; i < 3; i++)
          expect((await callApi(base, '/api/whoami', { token: `guess-${i}` })).status).toBe(401);
        const blocked = await fetch(`${base}/api/whoami`, { headers: { authorization: `Bearer ${TOKENS.operator}` } });
        expect(blocked.status).toBe(429);
        expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(((await blocked.json()) as { code: string }).code).toBe('TooManyAttempts');
        const login = await fetch(`${base}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `token=${TOKENS.operator}`,
          redirect: 'manual',
        });
        expect(login.status).toBe(429);
        // Once the window has passed, the right token works again.
        await new Promise((r) => setTimeout(r, 2100));
        expect((await callApi(base, '/api/whoami', { token: TOKENS.operator })).status).toBe(200);
      } finally {
        await server.close();
      }
    });

    it('counts wrong tokens typed into the login form too', async () => {
      const { server, base } = await limited({ throttle: { failures: 2, windowMs: 60_000 } });
      const post = (token: string) =>
        fetch(`${base}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `token=${encodeURIComponent(token)}`,
          redirect: 'manual',
        });
      try {
        expect((await post('wrong-1')).status).toBe(401);
        expect((await post('wrong-2')).status).toBe(401);
        const third = await post(TOKENS.czt);
        expect(third.status).toBe(429);
        expect(await third.text()).toContain('尝试次数过多');
      } finally {
        await server.close();
      }
    });

    it('closes a connection that does not finish its headers in time', async () => {
      const { server, port } = await limited({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
      try {
        const socket = await connect(port);
        const started = Date.now();
        socket.write('GET /api/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        await closed(socket);
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        await server.close();
      }
    });

    it('refuses connections beyond the limit and serves again when one closes', async () => {
      const { server, port, base } = await limited({ maxConnections: 2 });
      try {
        const held = [await connect(port), await connect(port)];
        await new Promise((r) => setTimeout(r, 200));
        const third = await connect(port);
        await closed(third);
        for (const s of held) s.destroy();
        await new Promise((r) => setTimeout(r, 200));
        expect((await callApi(base, '/api/whoami', { token: TOKENS.operator })).status).toBe(200);
      } finally {
        await server.close();
      }
    });
  });
});
