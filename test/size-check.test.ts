import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { memoryLimit } from '../sim/run/size-check.js';

test('the memory a run may use: a container\'s cgroup limit where it is below the machine\'s', () => {
  // In a pod the kernel kills the process at the cgroup's limit, whatever os.totalmem() says.
  const dir = mkdtempSync(join(tmpdir(), 'sim-cgroup-'));
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const gib = 2 ** 30;
  assert.is(memoryLimit(24 * gib, [file('v2', `${2 * gib}\n`)]), 2 * gib, 'cgroup v2 memory.max');
  assert.is(memoryLimit(24 * gib, [file('v2max', 'max\n'), file('v1', `${3 * gib}\n`)]), 3 * gib, 'v2 unlimited, v1 set');
  assert.is(memoryLimit(24 * gib, [file('huge', `${2 ** 62}\n`)]), 24 * gib, 'v1\'s "no limit" is a huge number');
  assert.is(memoryLimit(24 * gib, [join(dir, 'missing')]), 24 * gib, 'no cgroup files: the machine');
});

test.run();
