/**
 * The dashboard in headless Chromium (the build shipped in `@sparticuz/chromium`, or `DUBAN_CHROMIUM`; driven by playwright-core) against the seed plan on a
 * real dev server at plan time 2017-05-23: an officer records the implementation plan through the form and its
 * light turns from yellow to green, on the unit page and in the operator's matrix; another officer reports an
 * incident (突发事件) and records both its steps done. Screenshots go to test-output/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { type DashboardFixture, TOKENS, startDashboardFixture } from '../http/fixture';

jest.setTimeout(240_000);

const OUTPUT = path.resolve(__dirname, '../../test-output');

describe('dashboard in headless Chromium (seed plan, plan time 2017-05-23)', () => {
  let f: DashboardFixture;
  let browser: Browser;
  beforeAll(async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    ({ browser } = await launchChromium());
    f = await startDashboardFixture();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.teardown();
  });

  async function login(token: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const first = await page.goto(`${f.baseUrl}/`);
    expect(first?.status()).toBe(401);
    await page.fill('#token', token);
    await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
    return page;
  }

  const lightOf = (page: Page, selector: string) =>
    page.locator(`${selector} [data-light]`).first().getAttribute('data-light');

  it('an officer records a fulfilment through the form and the light turns green, here and in the matrix', async () => {
    const plan = encodeURIComponent(f.plan.id);
    const officer = await login(TOKENS.czt);
    expect(officer.url()).toBe(`${f.baseUrl}/plans/${plan}/units/fj-czt`);
    await expect(officer.locator('h1').textContent()).resolves.toBe('省财政厅');
    const row = 'tr[data-row="implementation-plan|"]';
    expect(await lightOf(officer, row)).toBe('yellow');
    await officer.screenshot({ path: path.join(OUTPUT, 'unit-before.png'), fullPage: true });

    // The row's button pre-selects the obligation in the form (the page's small script).
    await officer.click(`${row} a.pick`);
    expect(await officer.inputValue('#fulfil-obligation')).toBe('implementation-plan|');
    await officer.fill('#fulfil-document', '闽财办〔2017〕12号');
    await officer.fill('#fulfil-url', 'https://czt.fujian.gov.cn/zwgk/2017/ssfa.htm');
    await Promise.all([officer.waitForNavigation(), officer.click('#fulfil-submit')]);
    await expect(officer.locator('.flash.ok').textContent()).resolves.toContain('已登记');
    expect(await lightOf(officer, row)).toBe('green');
    await expect(officer.locator(`${row} td.state`).textContent()).resolves.toBe('按时完成');
    await officer.screenshot({ path: path.join(OUTPUT, 'unit-after.png'), fullPage: true });

    // The timeline shows the fulfilment with its evidence (the workflow keeps the URL when there is one).
    await Promise.all([
      officer.waitForNavigation(),
      officer.click(`${row} a[href*="/obligations/implementation-plan"]`),
    ]);
    await expect(officer.locator('#timeline').textContent()).resolves.toContain(
      'https://czt.fujian.gov.cn/zwgk/2017/ssfa.htm',
    );
    await officer.screenshot({ path: path.join(OUTPUT, 'timeline.png'), fullPage: true });

    // Another unit's page is refused.
    const refused = await officer.goto(`${f.baseUrl}/plans/${plan}/units/fj-fuzhou`);
    expect(refused?.status()).toBe(403);

    const operator = await login(TOKENS.operator);
    expect(operator.url()).toBe(`${f.baseUrl}/plans/${plan}`);
    expect(await lightOf(operator, '[data-cell="implementation-plan/fj-czt"]')).toBe('green');
    expect(await lightOf(operator, '[data-cell="implementation-plan/fj-fuzhou"]')).toBe('yellow');
    await operator.screenshot({ path: path.join(OUTPUT, 'matrix.png') });
  });

  it('an officer reports an incident through the form, records both steps done and sees their margins; the operator sees it in the overview', async () => {
    const plan = encodeURIComponent(f.plan.id);
    const officer = await login(TOKENS.fuzhou);
    expect(officer.url()).toBe(`${f.baseUrl}/plans/${plan}/units/fj-fuzhou`);

    // Three and a half hours before plan time (10:00): the information window is in its reminder hours.
    await officer.click('summary:has-text("报告突发事件")');
    await officer.selectOption('#incident-level', '重大');
    await officer.fill('#incident-summary', '闽江洪水致城区内涝');
    await officer.fill('#incident-occurred', '2017-05-23T06:30');
    await Promise.all([officer.waitForNavigation(), officer.click('#incident-submit')]);
    const incidentId = 'fj-fuzhou-201705230630';
    expect(officer.url()).toBe(`${f.baseUrl}/plans/${plan}/incidents/${incidentId}?done=report`);
    await expect(officer.locator('.flash.ok').textContent()).resolves.toContain('已报告突发事件');
    expect(await lightOf(officer, '#steps tr[data-step="information"]')).toBe('yellow');
    expect(await lightOf(officer, '#steps tr[data-step="press-conference"]')).toBe('green');
    await expect(officer.locator('#steps tr[data-step="information"]').textContent()).resolves.toContain(
      '2017-05-23 11:30',
    );

    // The unit page lists it with each step's light and due instant (the list reads Temporal's visibility, which may lag).
    const row = `#incidents tr[data-incident="${incidentId}"]`;
    await officer.click('text=← 返回单位');
    for (let i = 0; i < 20 && (await officer.locator(row).count()) === 0; i++) {
      await officer.waitForTimeout(500);
      await officer.reload();
    }
    expect(await lightOf(officer, `${row} td[data-step="information"]`)).toBe('yellow');
    expect(await lightOf(officer, `${row} td[data-step="press-conference"]`)).toBe('green');
    await expect(officer.locator(`${row} td[data-step="press-conference"]`).textContent()).resolves.toContain(
      '截止 2017-05-24 06:30',
    );
    await officer.screenshot({ path: path.join(OUTPUT, 'unit-incident.png'), fullPage: true });

    // The information step, then the press conference, through the incident page's form.
    await Promise.all([officer.waitForNavigation(), officer.click(`${row} a[href$="/incidents/${incidentId}"]`)]);
    expect(await officer.inputValue('#done-step')).toBe('information');
    await officer.fill('#done-url', 'https://www.fuzhou.gov.cn/zwgk/tfsj/2017-0523.htm');
    await Promise.all([officer.waitForNavigation(), officer.click('#done-submit')]);
    await expect(officer.locator('.flash.ok').textContent()).resolves.toContain('已登记完成');
    await expect(officer.locator('#steps tr[data-step="information"] td.state').textContent()).resolves.toBe(
      '按时完成',
    );
    expect(await lightOf(officer, '#steps tr[data-step="information"]')).toBe('green');
    expect(await officer.inputValue('#done-step')).toBe('press-conference');
    await officer.fill('#done-document', '福州市防汛新闻发布会（第1场）');
    await Promise.all([officer.waitForNavigation(), officer.click('#done-submit')]);
    for (const step of ['information', 'press-conference']) {
      await expect(officer.locator(`#steps tr[data-step="${step}"] td.state`).textContent()).resolves.toBe('按时完成');
      await expect(officer.locator(`#steps tr[data-step="${step}"] td.margin`).textContent()).resolves.toMatch(
        /^提前 \d+ 分钟$/,
      );
    }
    // Nothing is left to record.
    expect(await officer.locator('#done').count()).toBe(0);
    await expect(officer.locator('#timeline').textContent()).resolves.toContain('福州市防汛新闻发布会（第1场）');
    await officer.screenshot({ path: path.join(OUTPUT, 'incident.png'), fullPage: true });

    await officer.click('text=← 返回单位');
    for (const step of ['information', 'press-conference']) {
      expect(await lightOf(officer, `${row} td[data-step="${step}"]`)).toBe('green');
      await expect(officer.locator(`${row} td[data-step="${step}"] .margin`).textContent()).resolves.toMatch(
        /^提前 \d+ 分钟$/,
      );
    }

    const operator = await login(TOKENS.operator);
    await expect(operator.locator(`${row} td`).first().textContent()).resolves.toBe('福州市');
    for (const step of ['information', 'press-conference'])
      expect(await lightOf(operator, `${row} td[data-step="${step}"]`)).toBe('green');
    // docs/dashboard.png: the overview with an incident above the matrix.
    await operator.screenshot({ path: path.join(OUTPUT, 'dashboard.png') });
  });

  it('the operator follows the overview to the scores: the ranking and the charts are inline SVG on the page', async () => {
    const operator = await login(TOKENS.operator);
    await Promise.all([operator.waitForNavigation(), operator.click('text=考核得分与排名、通报')]);
    expect(operator.url()).toBe(`${f.baseUrl}/plans/${encodeURIComponent(f.plan.id)}/scores`);
    // 省财政厅 handed in its implementation plan on time in the first test.
    await expect(operator.locator('#ranking tr[data-unit="fj-czt"] td').nth(2).textContent()).resolves.toBe('100');
    for (const id of ['chart-on-time', 'chart-weekly', 'chart-trend']) {
      const box = await operator.locator(`#${id} > svg`).boundingBox();
      expect(box?.width).toBeGreaterThan(300);
    }
    await expect(operator.locator('#chart-on-time svg text', { hasText: '省财政厅' }).count()).resolves.toBe(1);
    await operator.screenshot({ path: path.join(OUTPUT, 'scores.png'), fullPage: true });
  });
});
