/**
 * Sign-for (签收) over HTTP against a real dev server: the seed's implementation plan (six units) at plan time
 * 2017-05-25 09:00, just after its reminder-2 went out. The link is read from the message the outbox wrote; it is
 * signed for once, then refused as used; an expired or altered link, and one for an obligation already done, are
 * refused and change nothing. The obligation page's API signs for on the dashboard.
 */
import type { Notice } from '../../src/domain/notice';
import { signForToken, type SignForConfig } from '../../src/mail/sign-for-token';
import type { ObligationRef } from '../../src/service';
import { callApi, type DashboardFixture, signForTokenIn, signForFixture, TOKENS } from './fixture';

jest.setTimeout(240_000);

/** Every string and payload (decoded as UTF-8) of a history, so a search sees what the payloads carry. */
function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return Object.values(value).map(textOf).join('\n');
  return '';
}

const SIGN_FOR: SignForConfig = { key: Buffer.from('test-sign-for-key-0123456789abcdef'), ttlMs: 72 * 3_600_000 };

describe('sign-for through the mailed link and the dashboard API (dev server, plan time 2017-05-25 09:00)', () => {
  let f: DashboardFixture;
  const ref = (unitCode: string): ObligationRef => ({
    planId: f.plan.id,
    unitCode,
    obligation: 'implementation-plan',
    taskNo: null,
  });

  beforeAll(async () => {
    f = await signForFixture(SIGN_FOR.key.toString());
  });
  afterAll(async () => {
    await f?.teardown();
  });

  const linkTo = (address: string) => signForTokenIn(f.outbox, address);

  const post = (token: string) => fetch(`${f.baseUrl}/sign-for/${token}`, { method: 'POST', redirect: 'manual' });
  const signEntries = async (unitCode: string) =>
    (await f.service.timeline(ref(unitCode))).filter((e) => e.type === 'sign-for');
  const storedSignFors = async () => f.opened.store.listEvents({ planId: f.plan.id, type: 'sign-for' });

  it('the link shows what it signs for; its button signs for it once, on the timeline, in the store and in the history', async () => {
    const token = await linkTo('czt.officer@duban.example');
    const page = await fetch(`${f.baseUrl}/sign-for/${token}`);
    expect(page.status).toBe(200);
    const shown = await page.text();
    expect(shown).toContain('省财政厅');
    expect(shown).toContain('确认签收');
    // Looking at the link signs for nothing (a mail scanner fetches links).
    expect(await signEntries('fj-czt')).toEqual([]);

    const signed = await post(token);
    expect(signed.status).toBe(200);
    expect(await signed.text()).toContain('已签收');
    const entries = await signEntries('fj-czt');
    expect(entries.map((e) => [e.stage, e.detail])).toEqual([['reminder-2', 'officer@fj-czt (link)']]);
    expect(entries[0]!.at.slice(0, 13)).toBe('2017-05-25T09');

    const events = await storedSignFors();
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toMatchObject({
      type: 'sign-for',
      by: 'officer@fj-czt',
      via: 'link',
      notices: [{ key: `${f.plan.id}/-/fj-czt/implementation-plan/-/reminder-2`, stage: 'reminder-2' }],
    });

    // The JSON API's timeline and the history (`duban history`) show it too.
    const api = await callApi(
      f.baseUrl,
      `/api/plans/${f.plan.id}/units/fj-czt/obligations/implementation-plan/timeline`,
      { token: TOKENS.operator },
    );
    expect(api.status).toBe(200);
    expect(JSON.stringify(api.json.timeline)).toContain('officer@fj-czt (link)');
    // Neither the key nor the token reaches the workflow's history: the update carries the notice's key only.
    const raw = textOf(await f.env.client.workflow.getHandle(f.service.workflowIdOf(ref('fj-czt'))).fetchHistory());
    expect(raw).toContain(`${f.plan.id}/-/fj-czt/implementation-plan/-/reminder-2`);
    expect(raw).not.toContain(token.split('.')[1]);
    expect(raw).not.toContain(token.split('.')[0]);
    expect(raw).not.toContain(SIGN_FOR.key.toString());
    expect(raw).not.toContain(SIGN_FOR.key.toString('base64'));
    const history = await f.service.history(ref('fj-czt'));
    expect(history.map((h) => h.summary).join('\n')).toMatch(/update sign-for accepted/);

    // Used again: refused, as a page and as problem+json, and nothing changes.
    const again = await post(token);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already signed for');
    const apiAgain = await callApi(f.baseUrl, `/api/sign-for/${token}`, { method: 'POST' });
    expect(apiAgain.status).toBe(409);
    expect(apiAgain.headers.get('content-type')).toContain('application/problem+json');
    expect(apiAgain.json).toMatchObject({ code: 'AlreadySignedFor', refusal: 'AlreadySignedFor' });
    expect(await signEntries('fj-czt')).toHaveLength(1);
    expect(await storedSignFors()).toHaveLength(1);
  });

  it('refuses an expired or altered link with a clear page or problem+json, and changes nothing', async () => {
    const stored = await f.opened.store.listNotices({ planId: f.plan.id, unitCode: 'fj-fuzhou', kind: 'notice' });
    const notice = stored.find((n) => n.stage === 'reminder-2')!.payload as { kind: 'notice'; notice: Notice };
    // Composed four days ago with a three-day lifetime.
    const expired = signForToken(SIGN_FOR, notice.notice, 'officer', Date.now() - 96 * 3_600_000);
    const page = await fetch(`${f.baseUrl}/sign-for/${expired}`);
    expect(page.status).toBe(410);
    expect(await page.text()).toMatch(/链接已过期[\s\S]*expired at/);
    expect((await post(expired)).status).toBe(410);
    const api = await callApi(f.baseUrl, `/api/sign-for/${expired}`, { method: 'POST' });
    expect(api.status).toBe(410);
    expect(api.json).toMatchObject({ code: 'SignForLinkExpired', title: 'The sign-for link has expired' });

    const good = await linkTo('fuzhou.officer@duban.example');
    const altered = `${good.slice(0, -3)}${good.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const otherKey = signForToken(
      { ...SIGN_FOR, key: Buffer.from('another-key-0123456789abcdef') },
      notice.notice,
      'officer',
      Date.now(),
    );
    for (const bad of [altered, otherKey, 'not-a-token']) {
      const r = await callApi(f.baseUrl, `/api/sign-for/${bad}`, { method: 'POST' });
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('SignForLinkInvalid');
      expect((await post(bad)).status).toBe(400);
    }
    expect(await signEntries('fj-fuzhou')).toEqual([]);

    // The good link still works afterwards.
    expect((await post(good)).status).toBe(200);
    expect(await signEntries('fj-fuzhou')).toHaveLength(1);
  });

  it('refuses to sign for an obligation already done', async () => {
    const token = await linkTo('xiamen.officer@duban.example');
    await f.service.fulfil(ref('fj-xiamen'), { evidence: { document: '厦府办〔2017〕9号', recordedBy: 'test' } });
    const before = (await storedSignFors()).length;
    const r = await post(token);
    expect(r.status).toBe(409);
    expect(await r.text()).toMatch(/has ended \(on-time\); cannot sign for/);
    const api = await callApi(f.baseUrl, `/api/sign-for/${token}`, { method: 'POST' });
    expect(api.json).toMatchObject({ status: 409, refusal: 'AlreadyClosed' });
    expect(await storedSignFors()).toHaveLength(before);
  });

  it('signs for on the dashboard through the obligation API (audited), then has nothing left to sign for', async () => {
    const path = `/api/plans/${f.plan.id}/units/fj-nyt/obligations/implementation-plan/sign-for`;
    // Another unit's officer may not.
    const forbidden = await callApi(f.baseUrl, path, { token: TOKENS.czt, body: {} });
    expect(forbidden.status).toBe(403);
    const r = await callApi(f.baseUrl, path, { token: TOKENS.operator, body: {} });
    expect(r.status).toBe(200);
    expect((await signEntries('fj-nyt')).map((e) => [e.stage, e.detail])).toEqual([
      ['reminder-2', 'operator (dashboard)'],
    ]);
    const again = await callApi(f.baseUrl, path, { token: TOKENS.operator, body: {} });
    expect(again.status).toBe(409);
    expect(again.json.refusal).toBe('NothingToSignFor');
    const audit = await f.opened.store.listAudit({ planId: f.plan.id });
    expect(audit.filter((a) => a.action === 'sign-for').map((a) => [a.actor, a.result, a.status])).toEqual([
      ['officer:fj-czt', 'forbidden', 403],
      ['operator', 'ok', 200],
      ['operator', 'refused', 409],
    ]);
  });

  it('describes the link and the button in the OpenAPI document', async () => {
    const doc = await callApi(f.baseUrl, '/api/openapi.json');
    const paths = doc.json.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(Object.keys(paths['/sign-for/{token}']!)).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/sign-for/{token}']!.post!.responses)).toEqual(['200', '400', '404', '409', '410']);
    expect(paths['/api/plans/{plan}/units/{unit}/obligations/{obligation}/sign-for']).toBeDefined();
    expect((doc.json.components as { schemas: Record<string, unknown> }).schemas.SignForBody).toBeDefined();
  });
});
