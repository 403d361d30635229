/**
 * Headless Chromium for the browser tests, with nothing to install beyond `npm install`: the binary shipped
 * inside the `@sparticuz/chromium` npm package (decompressed into the temp folder on first use, about 2 s), or
 * the executable named by `DUBAN_CHROMIUM` (for example Debian's `/usr/bin/chromium`).
 */
import fs from 'node:fs';
import sparticuz from '@sparticuz/chromium';
import { type Browser, chromium } from 'playwright-core';

/** Flags of the packaged build that loosen the browser's own security; a test of our pages must not use them. */
const LOOSENING = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);

const COMMON = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];

export async function launchChromium(): Promise<{ browser: Browser; source: string }> {
  const named = process.env.DUBAN_CHROMIUM;
  if (named) {
    // Never skip silently: a missing browser fails the suite with what to do.
    if (!fs.existsSync(named)) {
      throw new Error(`DUBAN_CHROMIUM=${named}: no such file; unset it to use the Chromium from @sparticuz/chromium`);
    }
    const browser = await chromium.launch({ executablePath: named, headless: true, args: COMMON });
    return { browser, source: named };
  }
  const executablePath = await sparticuz.executablePath();
  const args = [...sparticuz.args.filter((a) => !LOOSENING.has(a)), ...COMMON];
  const browser = await chromium.launch({ executablePath, headless: true, args: [...new Set(args)] });
  return { browser, source: `@sparticuz/chromium ${browser.version()} (${executablePath})` };
}
