// `npm run build`: compiles the whole of dist/ into a fresh folder beside it (.dist-<id>/: tsc,
// then the WebAssembly modules, the @stdlib bundle and the command line's bundle) and then
// points dist at it in one step (a symbolic link renamed over the old one). A command started
// before the build keeps reading its own folder to the end (Node loads modules by their real
// path), so a rebuild no longer breaks a run under way, and no output of a renamed source is
// left behind. The last few builds are kept (a run may outlive one rebuild); older ones go.
// A build step, not part of the simulator's layers.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';

const KEEP = 3;
const id = `${Date.now().toString(36)}-${process.pid}`;
const out = `.dist-${id}`;
const run = (file, args = []) => execFileSync(process.execPath, [file, ...args], { stdio: 'inherit', env: { ...process.env, SIM_BUILD_DIR: out } });

try {
  run(createRequire(import.meta.url).resolve('typescript/bin/tsc'), ['-p', 'tsconfig.json', '--outDir', out]);
  run('sim/build-wasm.mjs');
  run('sim/build-stdlib.mjs');
  run('sim/build-cli.mjs');
} catch {
  rmSync(out, { recursive: true, force: true });
  process.exit(1);
}

// dist as it was before builds went to their own folders (a real folder) moves aside, once.
if (existsSync('dist') && !lstatSync('dist').isSymbolicLink()) renameSync('dist', `.dist-${id}-before`);
const link = `.dist-link-${id}`;
symlinkSync(out, link, 'dir');
renameSync(link, 'dist');

const current = readlinkSync('dist');
const builds = readdirSync('.')
  .filter((e) => /^\.dist-[0-9a-z]+-\d+(-before)?$/.test(e) && e !== current)
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
for (const old of builds.slice(KEEP - 1)) rmSync(old, { recursive: true, force: true });
