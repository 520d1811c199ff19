import { join, resolve } from 'node:path';
import puppeteer from 'puppeteer-core';
import { findBrowser } from './browser.js';

/**
 * The picture of a report in docs/outputs.md: the top of <results-dir>/report.html (the summary and the
 * first charts) as a PNG. npm run screenshot -- <results-dir> <file.png>
 */
// npm runs scripts in the package's folder: paths are taken from where it was called.
const here = process.env.INIT_CWD ?? process.cwd();
const [dir, out] = process.argv.slice(2).map((p) => resolve(here, p));
if (!dir || !out?.endsWith('.png')) throw new Error('usage: npm run screenshot -- <results-dir> <file.png>');
const browser = findBrowser();
if ('skip' in browser) throw new Error(browser.skip);
const instance = await puppeteer.launch({ executablePath: browser.path, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await instance.newPage();
  await page.setViewport({ width: 1040, height: 1500 });
  await page.goto(`file://${join(dir, 'report.html')}`, { waitUntil: 'load' });
  await page.screenshot({ path: out as `${string}.png` });
} finally {
  await instance.close();
}
