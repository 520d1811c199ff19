import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

/**
 * The sim commands of a Markdown page's shell blocks (fenced with no language or sh, bash, shell,
 * console; indented inside a list item or not), block by block, each as its arguments after `sim`.
 * Fences are paired line by line: a YAML block's closing fence is not a shell block's opening.
 */
export function pageCommands(markdown: string): string[][][] {
  const blocks: string[][][] = [];
  let open: { shell: boolean; commands: string[][] } | null = null;
  for (const raw of markdown.split('\n')) {
    const fence = /^\s*```\s*([\w-]*)\s*$/.exec(raw);
    if (fence) {
      if (open === null) open = { shell: ['', 'sh', 'bash', 'shell', 'console'].includes(fence[1]), commands: [] };
      else {
        if (open.shell && open.commands.length > 0) blocks.push(open.commands);
        open = null;
      }
      continue;
    }
    if (open === null || !open.shell) continue;
    const line = raw.replace(/\s+#\s.*$/, '').trim();
    const m = /^(?:\$ )?(?:npx )?sim (.+)$/.exec(line);
    if (m) open.commands.push(words(m[1]));
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
  assert.equal(pageCommands('```yaml\nsim: x\n```\nsim run prose.yaml\n```sh\nsim run b.yaml\n```\n'), [[['run', 'b.yaml']]], 'fences paired in order');
  assert.equal(pageCommands('1. a step:\n\n   ```sh\n   $ sim validate a.yaml\n   ```\n'), [[['validate', 'a.yaml']]], 'a block inside a list item');
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

test('every link between the pages resolves: the file exists, and an anchor names one of its headings', () => {
  const problems: string[] = [];
  for (const page of [...pages, 'CHANGELOG.md']) {
    const text = readFileSync(join(root, page), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [file, anchor] = target.split('#');
      const path = file === '' ? join(root, page) : join(root, dirname(page), file);
      if (!existsSync(path)) {
        problems.push(`${page}: ${target}: no such file`);
        continue;
      }
      if (anchor === undefined || !path.endsWith('.md')) continue;
      const headings = [...readFileSync(path, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]));
      if (!headings.includes(anchor)) problems.push(`${page}: ${target}: no such heading`);
    }
  }
  assert.equal(problems, []);
  assert.is(anchorOf('The report (`report.html`)'), 'the-report-reporthtml');
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
