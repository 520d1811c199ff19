import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, root } from './cli-runner.js';

/**
 * Every command the README and docs/*.md show in a shell block (a line starting with `$ sim`,
 * `sim `, `npx sim` or `$ npx sim`) runs: each block in a fresh copy of the project's scenarios
 * and examples, its commands in order (an import, then the run of what it wrote): a renamed flag
 * or file cannot leave a page wrong. Trials are cut to a few (the commands' figures are measured
 * elsewhere; here they must run).
 */
const TRIALS = '20';

/** A shell line's words: quotes removed (the pages' commands use single quotes and plain words). */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m; (m = re.exec(line)) !== null; ) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The sim commands of a Markdown page's shell blocks, block by block, each as its arguments after `sim`. */
export function pageCommands(markdown: string): string[][][] {
  const blocks: string[][][] = [];
  for (const block of markdown.matchAll(/^```(?:sh|bash|shell|console)?\n([\s\S]*?)^```/gm)) {
    const commands: string[][] = [];
    for (const raw of block[1].split('\n')) {
      const line = raw.replace(/\s+#\s.*$/, '').trim();
      const m = /^(?:\$ )?(?:npx )?sim (.+)$/.exec(line);
      if (m) commands.push(words(m[1]));
    }
    if (commands.length > 0) blocks.push(commands);
  }
  return blocks;
}

/** A command with its trials cut: --trials replaced, or added where the command simulates. */
function fewerTrials(args: string[]): string[] {
  const out = [...args];
  const at = out.indexOf('--trials');
  if (at >= 0) out[at + 1] = TRIALS;
  else if (out[0] === 'run' && !out.includes('--shard')) out.push('--trials', TRIALS);
  return out;
}

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

test('the pages show sim commands in shell blocks (the extraction finds them)', () => {
  const found = pages.map((p) => pageCommands(readFileSync(join(root, p), 'utf8')).flat().length);
  assert.ok(found.reduce((a, b) => a + b, 0) >= 8, `${found}`);
  assert.equal(pageCommands('```sh\n$ sim run a.yaml --set \'x={a: [1, 2]}\'   # why\noutput line\nnpx sim report r\n```\ntext\n```\n$ sim schema\n```\n'), [[['run', 'a.yaml', '--set', 'x={a: [1, 2]}'], ['report', 'r']], [['schema']]]);
});

for (const page of pages) {
  const blocks = pageCommands(readFileSync(join(root, page), 'utf8'));
  if (blocks.length === 0) continue;
  test(`every command of ${page} runs (exit 0), each shell block in a fresh folder`, () => {
    for (const commands of blocks) {
      const dir = mkdtempSync(join(tmpdir(), 'sim-docs-'));
      for (const folder of ['scenarios', 'examples']) cpSync(join(root, folder), join(dir, folder), { recursive: true });
      for (const args of commands) {
        const run = fewerTrials(args);
        const r = spawnSync(process.execPath, [cli, ...run], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
        assert.is(r.status, 0, `${page}: sim ${run.join(' ')}: exit ${r.status}\n${r.stderr}`);
      }
    }
  });
}

test.run();
