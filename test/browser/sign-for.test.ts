/**
 * Sign-for (签收) in headless Chromium (the build shipped in `@sparticuz/chromium`, or `DUBAN_CHROMIUM`; driven by
 * playwright-core) against the seed's implementation plan on a real dev server at plan time 2017-05-25 09:00, just
 * after its reminder-2: an officer signs for on the obligation page's button; another follows the link of the
 * message the outbox wrote, without logging in. Screenshots go to test-output/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SignForConfig } from '../../src/mail/sign-for-token';
import { launchChromium } from '../helpers/chromium';
import { type DashboardFixture, signForTokenIn, signForFixture, TOKENS } from '../http/fixture';

jest.setTimeout(240_000);

const OUTPUT = path.resolve(__dirname, '../../test-output');
const SIGN_FOR: SignForConfig = { key: Buffer.from('browser-sign-for-key-0123456789'), ttlMs: 72 * 3_600_000 };

describe('sign-for in headless Chromium (seed implementation plan, plan time 2017-05-25 09:00)', () => {
  let f: DashboardFixture;
  let browser: Browser;
  beforeAll(async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    ({ browser } = await launchChromium());
    f = await signForFixture(SIGN_FOR.key.toString());
  });
  afterAll(async () => {
    await browser?.close();
    await f?.teardown();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    return context.newPage();
  }

  it('an officer signs for on the obligation page: the flash, and who and when on the timeline', async () => {
    const page = await newPage();
    await page.goto(`${f.baseUrl}/login`);
    await page.fill('#token', TOKENS.czt);
    await Promise.all([page.waitForNavigation(), page.click('#login-submit')]);
    const obligation = `${f.baseUrl}/plans/${encodeURIComponent(f.plan.id)}/units/fj-czt/obligations/implementation-plan`;
    await page.goto(obligation);
    await expect(page.locator('#timeline').textContent()).resolves.not.toContain('已签收');
    await Promise.all([page.waitForNavigation(), page.click('#sign-for-submit')]);
    expect(page.url()).toBe(`${obligation}?done=sign-for`);
    await expect(page.locator('.flash.ok').textContent()).resolves.toContain('已签收');
    const row = page.locator('#timeline tr', { hasText: '已签收' });
    await expect(row.textContent()).resolves.toContain('officer:fj-czt (dashboard)');
    await expect(row.textContent()).resolves.toContain('截止前2个工作日提醒');
    await expect(row.locator('td').first().textContent()).resolves.toMatch(/^2017-05-25 09:0\d$/);
    await page.screenshot({ path: path.join(OUTPUT, 'sign-for-button.png'), fullPage: true });

    // Nothing is left to sign for: the button says so, and the page stays.
    await page.click('#sign-for-submit');
    await expect(page.locator('.flash.error').textContent()).resolves.toContain('未能签收');
    await expect(page.locator('#timeline tr', { hasText: '已签收' }).count()).resolves.toBe(1);
  });

  it('another officer signs for through the mailed link without logging in; the link then refuses', async () => {
    const token = await signForTokenIn(f.outbox, 'fuzhou.officer@duban.example');
    const page = await newPage();
    const first = await page.goto(`${f.baseUrl}/sign-for/${token}`);
    expect(first?.status()).toBe(200);
    await expect(page.locator('main').textContent()).resolves.toContain('福州市');
    await Promise.all([page.waitForNavigation(), page.click('#sign-for-submit')]);
    await expect(page.locator('#signed').textContent()).resolves.toContain('已签收');
    await page.screenshot({ path: path.join(OUTPUT, 'sign-for-link.png'), fullPage: true });

    const again = await page.goto(`${f.baseUrl}/sign-for/${token}`);
    expect(again?.status()).toBe(200);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#sign-for-submit')]);
    expect(response?.status()).toBe(409);
    await expect(page.locator('main').textContent()).resolves.toContain('already signed for');
  });
});
