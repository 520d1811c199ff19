import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RandomStream } from '../sim/engine/random.js';
import { applyMutant, wasmMutants, type WasmMutant } from './wasm-mutants.js';

/**
 * `npm run mutate:wasm [-- options]`: mutation testing of the AssemblyScript sources, which
 * Stryker cannot reach (test/wasm-mutants.ts says why and which mutants). Each mutant is written
 * into a sandbox's copy of sim/, the WebAssembly modules are rebuilt there (sim/build-wasm.mjs,
 * into the sandbox's copy of dist/), and the fast tests `npm run mutate` runs
 * (stryker.config.json's command: stop at the first failure) run against it. Killed: a test
 * failed; timed out: counted as detected, as Stryker counts it; survived: every test passed; a
 * mutant that does not compile is left out of the score.
 *
 * - `--files a,b`: the sources (default: the cluster model, sim/model/wasm/cluster.ts and walk.ts).
 * - `--sample N [--seed S]`: a seeded random sample of N of their mutants (all: without).
 * - `--list`: print the mutants and stop.
 * - `--concurrency K`: sandboxes at once (default 2).
 *
 * Writes results/mutation/wasm.json (every mutant tested, with its status) and prints the score
 * and each survivor. MUTATE_WASM_VERBOSE=1 shows the builds' and the tests' output (to see why
 * the plain tests fail in a sandbox).
 */
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const files = (option('--files') ?? 'sim/model/wasm/cluster.ts,sim/model/wasm/walk.ts').split(',');
const sample = option('--sample');
const concurrency = Number(option('--concurrency') ?? 2);
const ROOT = resolve('.');
const OUT = join('results', 'mutation');

type Status = 'Killed' | 'Timeout' | 'Survived' | 'CompileError';
interface Tested extends WasmMutant {
  file: string;
  status: Status;
}

for (const f of files) {
  if (!existsSync(f)) {
    console.error(`--files: ${f}: no such file`);
    process.exit(2);
  }
}
let mutants = files.flatMap((file) => wasmMutants(readFileSync(file, 'utf8')).map((m) => ({ ...m, file })));
if (sample !== undefined) {
  const n = Number(sample);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--sample: ${sample}: not a whole number of mutants`);
    process.exit(2);
  }
  // A partial Fisher-Yates shuffle from a seeded stream: the same sample for the same seed.
  const rng = new RandomStream(option('--seed') ?? 'mutate-wasm');
  const pool = mutants.slice();
  for (let i = 0; i < Math.min(n, pool.length); i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  mutants = pool.slice(0, n).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
if (args.includes('--list')) {
  for (const m of mutants) console.log(`${m.file}:${m.line} ${m.kind}: ${m.original.trim()}  ->  ${m.replacement.trim() || '(removed)'}`);
  console.log(`${mutants.length} mutants`);
  process.exit(0);
}

// The fast tests, as npm run mutate runs them (one place: stryker.config.json).
const command: string = JSON.parse(readFileSync('stryker.config.json', 'utf8')).commandRunner.command;
const env = Object.fromEntries([...command.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
// The command without its variables and its leading `node`: the test script and its arguments.
const testArgs = command.replace(/\w+=\S+\s*/g, '').split(/\s+/).slice(1);

/** A sandbox: its own sim/ and dist/ (copies), the rest of the checkout linked. */
function sandbox(k: number): string {
  const dir = join(OUT, `wasm-sandbox-${k}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync('sim', join(dir, 'sim'), { recursive: true });
  cpSync('dist', join(dir, 'dist'), { recursive: true, dereference: true });
  for (const linked of ['node_modules', 'test', 'scenarios', 'package.json', 'stryker.config.json']) symlinkSync(join(ROOT, linked), join(dir, linked));
  return dir;
}

/** Runs a command in `cwd`; its exit code, or null when it ran past `timeoutMs` (then killed). */
function exec(cwd: string, argv: string[], extraEnv: Record<string, string>, timeoutMs: number): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, argv, { cwd, env: { ...process.env, ...extraEnv }, stdio: process.env.MUTATE_WASM_VERBOSE ? 'inherit' : 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done(code === null ? null : code);
    });
  });
}

const build = (dir: string) => exec(dir, [join(ROOT, 'sim', 'build-wasm.mjs')], {}, 120_000);
const runTests = (dir: string, timeoutMs: number) => exec(dir, testArgs, env, timeoutMs);

const sandboxes = Array.from({ length: Math.max(1, concurrency) }, (_, k) => sandbox(k));
// The plain tests' time in every sandbox at once (as the mutants will run): the timeout is
// twice the slowest, and 10 s more.
const started = Date.now();
const plain = await Promise.all(sandboxes.map(async (dir) => ((await build(dir)) === 0 ? runTests(dir, 600_000) : -1)));
if (plain.some((code) => code !== 0)) {
  console.error('the fast tests fail without a mutant: fix them first (MUTATE_WASM_VERBOSE=1 shows why)');
  process.exit(1);
}
const timeoutMs = 2 * (Date.now() - started) + 10_000;
console.log(`${mutants.length} mutants, ${sandboxes.length} at a time, a test run's timeout ${Math.round(timeoutMs / 1000)} s`);

const tested: Tested[] = [];
let next = 0;
await Promise.all(
  sandboxes.map(async (dir) => {
    while (next < mutants.length) {
      const m = mutants[next++];
      const path = join(dir, m.file);
      const source = readFileSync(path, 'utf8');
      writeFileSync(path, applyMutant(source, m));
      let status: Status;
      if ((await build(dir)) !== 0) status = 'CompileError';
      else {
        const code = await runTests(dir, timeoutMs);
        status = code === null ? 'Timeout' : code === 0 ? 'Survived' : 'Killed';
      }
      writeFileSync(path, source);
      tested.push({ ...m, status });
      console.log(`[${tested.length}/${mutants.length}] ${status} ${m.file}:${m.line} ${m.kind}`);
    }
  }),
);
for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });

tested.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
writeFileSync(join(OUT, 'wasm.json'), `${JSON.stringify({ files, sample: sample ?? null, seed: option('--seed') ?? null, mutants: tested }, null, 2)}\n`);
const count = (s: Status) => tested.filter((m) => m.status === s).length;
const valid = tested.length - count('CompileError');
const detected = count('Killed') + count('Timeout');
console.log(`killed ${count('Killed')}, timed out ${count('Timeout')}, survived ${count('Survived')}, do not compile ${count('CompileError')}: score ${valid > 0 ? ((100 * detected) / valid).toFixed(1) : '-'}% of ${valid}`);
for (const m of tested.filter((t) => t.status === 'Survived')) console.log(`survived ${m.file}:${m.line} ${m.kind}: ${m.original.trim()}  ->  ${m.replacement.trim() || '(removed)'}`);
