import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { parseArgs } from '../sim/cli/args.js';
import { bin, cli, fixture, root, sim } from './cli-runner.js';

/**
 * The Kubernetes manifests and the Dockerfile, checked without a cluster: every field the tool
 * relies on, then the Job's own command lines run here as its pods would run them (one process
 * per completion index, JOB_COMPLETION_INDEX set), merged by the merge Job's command line, and
 * compared with one `sim run`.
 */
type Obj = Record<string, any>;
const manifest = (name: string): Obj[] => parseAllDocuments(readFileSync(join(root, 'deploy', 'kubernetes', name), 'utf8')).map((d) => d.toJS() as Obj);
const [claim, shardsJob] = manifest('indexed-job.yaml');
const [mergeJob] = manifest('merge-job.yaml');
const pod = (job: Obj): Obj => job.spec.template.spec;
const container = (job: Obj): Obj => pod(job).containers[0];
const mountOf = (job: Obj, path: string): Obj => {
  const c = container(job);
  const m = (c.volumeMounts as Obj[]).find((v) => path === v.mountPath || path.startsWith(`${v.mountPath}/`));
  assert.ok(m, `${job.metadata.name}: ${path} is on no mounted volume`);
  return (pod(job).volumes as Obj[]).find((v) => v.name === m!.name)!;
};
const completions = shardsJob.spec.completions as number;

test('the Indexed Job: n pods, each shard auto/n, the scenario from a ConfigMap, shard folders on a shared volume', async () => {
  assert.is(shardsJob.kind, 'Job');
  assert.is(shardsJob.apiVersion, 'batch/v1');
  assert.is(shardsJob.spec.completionMode, 'Indexed', 'JOB_COMPLETION_INDEX is set only in an Indexed Job');
  assert.ok(completions >= 1 && shardsJob.spec.parallelism >= 1 && shardsJob.spec.parallelism <= completions);
  assert.ok(['Never', 'OnFailure'].includes(pod(shardsJob).restartPolicy));
  const args = container(shardsJob).args as string[];
  assert.is(args[args.indexOf('--shard') + 1], `auto/${completions}`, '--shard auto/n with n the completions');
  process.env.JOB_COMPLETION_INDEX = String(completions - 1);
  const parsed = await parseArgs(args);
  delete process.env.JOB_COMPLETION_INDEX;
  assert.ok(parsed.command === 'run' && parsed.shard?.index === completions - 1 && parsed.shard.count === completions, 'the last pod runs the last shard');
  assert.ok(parsed.command === 'run' && parsed.out !== undefined);
  const scenario = mountOf(shardsJob, (parsed as { scenario: string }).scenario);
  assert.ok(scenario.configMap?.name, 'the scenario comes from a ConfigMap');
  const results = mountOf(shardsJob, (parsed as { out: string }).out);
  assert.is(results.persistentVolumeClaim?.claimName, claim.metadata.name, 'the shards go to the claimed volume');
  assert.ok(claim.spec.accessModes.includes('ReadWriteMany'), 'every pod and the merge mount it');
  for (const job of [shardsJob, mergeJob]) {
    const sc = pod(job).securityContext;
    assert.ok(sc.runAsNonRoot === true && sc.runAsUser > 0 && sc.fsGroup === sc.runAsUser, `${job.metadata.name}: non-root, and the volume writable by that user`);
  }
});

test('the merge Job reads the folder the shards write, on the same volume, with the same image', async () => {
  const args = container(mergeJob).args as string[];
  const parsed = await parseArgs(args);
  assert.ok(parsed.command === 'merge');
  const shardArgs = container(shardsJob).args as string[];
  assert.equal(parsed.command === 'merge' && parsed.shards, [shardArgs[shardArgs.indexOf('--out') + 1]]);
  assert.is(mountOf(mergeJob, (parsed as { out: string }).out).persistentVolumeClaim.claimName, claim.metadata.name);
  assert.is(container(mergeJob).image, container(shardsJob).image);
});

test('the pods pass the "restricted" Pod Security Standard; the image is this version; Jobs end', () => {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  for (const job of [shardsJob, mergeJob]) {
    const name = job.metadata.name as string;
    const p = pod(job);
    const c = container(job);
    // The restricted profile's checks (kubernetes.io/docs/concepts/security/pod-security-standards).
    assert.is(p.securityContext.runAsNonRoot, true, `${name}: runAsNonRoot`);
    assert.is(p.securityContext.seccompProfile?.type ?? c.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${name}: seccompProfile`);
    assert.is(c.securityContext?.allowPrivilegeEscalation, false, `${name}: allowPrivilegeEscalation`);
    assert.equal(c.securityContext?.capabilities?.drop, ['ALL'], `${name}: capabilities dropped`);
    assert.ok(!c.securityContext?.privileged && !p.hostNetwork && !p.hostPID && !p.hostIPC, `${name}: nothing of the host`);
    assert.ok((p.volumes as Obj[]).every((v) => v.configMap || v.persistentVolumeClaim || v.emptyDir), `${name}: allowed volume types only`);
    // Beyond it: a read-only root with /tmp on an emptyDir, no token, limits, an end.
    assert.is(c.securityContext?.readOnlyRootFilesystem, true, `${name}: read-only root`);
    assert.ok(mountOf(job, '/tmp').emptyDir, `${name}: /tmp on an emptyDir`);
    assert.is(p.automountServiceAccountToken, false, `${name}: no service account token`);
    assert.ok(c.resources?.limits?.memory, `${name}: a memory limit`);
    assert.ok(job.spec.activeDeadlineSeconds > 0 && job.spec.ttlSecondsAfterFinished > 0, `${name}: a deadline and a time to live`);
    assert.is(c.image, `akv-fleet-sim:${version}`, `${name}: the image of this version`);
  }
});

test('the Dockerfile: node:20-slim, runtime dependencies only, a non-root user, the CLI and its workers', () => {
  const docker = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const stages = docker.split(/^FROM /m).slice(1);
  const final = stages[stages.length - 1];
  assert.match(final, /^node:20-slim\s*$/m);
  assert.match(final, /^RUN npm ci --omit=dev\b/m);
  assert.match(final, /^USER node$/m, 'the image\'s non-root user (uid 1000, as the Job\'s runAsUser)');
  // dist is a link to the build's own folder (sim/build.mjs): the build stage copies the folder itself.
  assert.match(stages[0], /^RUN npm ci && cp -rL dist \/app\/image-dist$/m);
  assert.match(final, /^COPY --from=build \/app\/image-dist\/workers \.\/dist\/workers$/m, 'the pool loads dist/workers/trial-batch.js');
  // The file `npx sim` runs (package.json's bin, the bundled command line), inside dist/sim/ that the image copies.
  assert.ok(bin.startsWith('dist/sim/'), bin);
  assert.match(final, /^COPY --from=build \/app\/image-dist\/sim \.\/dist\/sim$/m);
  assert.ok(final.split('\n').includes(`ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/${bin}"]`), `ENTRYPOINT runs /app/${bin} under tini (an init as PID 1)`);
  assert.match(final, /apt-get install -y --no-install-recommends tini/);
  assert.is(pod(shardsJob).securityContext.runAsUser, 1000);
});

test('the Job\'s command lines, run here as its pods would (JOB_COMPLETION_INDEX 0 to n-1) and merged, give the bytes of one run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-k8s-'));
  // The pod's paths mapped to this machine's: the ConfigMap's file, the volume; few trials, one worker.
  const local = (args: string[]) =>
    args.map((a, i) => (a === '/config/scenario.yaml' ? fixture : a.startsWith('/results') ? join(dir, a) : args[i - 1] === '--trials' ? '21' : args[i - 1] === '--workers' ? '1' : a));
  const shardArgs = local(container(shardsJob).args as string[]);
  const codes = await Promise.all(
    Array.from({ length: completions }, (_, i) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, [cli, ...shardArgs], { cwd: root, env: { ...process.env, JOB_COMPLETION_INDEX: String(i) }, stdio: 'ignore' }).on('close', resolve)),
    ),
  );
  assert.equal(codes, Array(completions).fill(0));
  const merged = sim(...local(container(mergeJob).args as string[]), '--quiet');
  assert.is(merged.code, 0, merged.stderr);
  const single = join(dir, 'single');
  assert.is(sim('run', fixture, '--trials', '21', '--quiet', '--out', single).code, 0);
  for (const f of ['summary.csv', 'timeseries.csv', 'trials.csv']) assert.ok(readFileSync(join(dir, 'results', 'merged', f)).equals(readFileSync(join(single, f))), f);
});

test.run();
