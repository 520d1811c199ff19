import { existsSync } from 'node:fs';

/**
 * A browser for the report's page test and screenshot: CHROMIUM_PATH, else one on the usual
 * paths, else none, with the reason. Nothing is installed from here: `.ci/run` installs
 * Debian's chromium before the tests; elsewhere the test is skipped and the closing line of
 * `npm test` says so.
 */
export function findBrowser(): { path: string } | { skip: string } {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (found) return { path: found };
  return { skip: 'no chromium found (set CHROMIUM_PATH, or install Debian\'s chromium: .ci/run does)' };
}

/**
 * A test that cannot run here: the marker line that test/run-tests.ts counts, so that the
 * closing line reads "N passed, N failed, N skipped" instead of counting it as passed.
 */
export function skipTest(reason: string): void {
  process.stdout.write(`\n${SKIP_MARKER}${reason}\n`);
}
export const SKIP_MARKER = 'SKIPPED: ';
