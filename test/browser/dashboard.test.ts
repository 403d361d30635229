/**
 * The dashboard in headless Chromium (Debian's `chromium`, driven by playwright-core) against the seed plan on a
 * real dev server at plan time 2017-05-23: an officer records the implementation plan through the form and its
 * light turns from yellow to green, on the unit page and in the operator's matrix. Screenshots go to test-output/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type DashboardFixture, TOKENS, startDashboardFixture } from '../http/fixture';

jest.setTimeout(240_000);

/** Debian's chromium; CI installs it too. (Default: /usr/bin/chromium, or DUBAN_CHROMIUM) */
const CHROMIUM = process.env.DUBAN_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = path.resolve(__dirname, '../../test-output');

describe('dashboard in headless Chromium (seed plan, plan time 2017-05-23)', () => {
  let f: DashboardFixture;
  let browser: Browser;
  beforeAll(async () => {
    // Never skip silently: a missing browser fails the suite with what to do.
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `headless Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set DUBAN_CHROMIUM`,
      );
    }
    fs.mkdirSync(OUTPUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
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
    await operator.screenshot({ path: path.join(OUTPUT, 'dashboard.png') });
  });
});
