import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * A browser for the report's page test and screenshot: CHROMIUM_PATH, else one on the usual
 * paths, else Debian's chromium installed now (as root with apt-get, from this machine's
 * package mirrors), else none, with the reason.
 */
export function findBrowser(): { path: string } | { skip: string } {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (found) return { path: found };
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return { skip: 'no chromium, and apt-get cannot install one here (not root, or no apt-get)' };
  process.stdout.write('  (installing chromium with apt-get for the report test)\n');
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { encoding: 'utf8', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status === 0 && existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium' };
  return { skip: `apt-get install chromium failed (${(r.stderr || String(r.error ?? '')).trim().split('\n').pop()})` };
}
