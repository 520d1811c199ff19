import type { SendLog } from '../metrics/send-log.js';
import { WALK_WASM } from './wasm/walk-binary.js';

/** What sim/model/wasm/walk.ts exports. */
interface WalkExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  scratchBytes(maxSyncs: number): number;
  layout(vaults: number, firsts: number, words: number, clusters: number, scratch: number, maxSyncs: number, records: number, room: number): void;
  group(n: number, horizon: number, jitter: number, poll: number, objects: number, mu: number, sigma: number, rollout: number, seedHash: number, trialWord: number, instant: number): void;
  walk(from: number, to: number, enough: number): number;
  started: WebAssembly.Global;
  finished: WebAssembly.Global;
  forced: WebAssembly.Global;
  lastForced: WebAssembly.Global;
  next: WebAssembly.Global;
  capacity: WebAssembly.Global;
}

/** The output's first room, in records (it doubles when a call writes more). */
export const FIRST_ROOM = 4096;

/**
 * The module's instance, one per thread (a memory per fleet trial cost a memory's reservation
 * per batch), and the walk whose fleet its memory holds.
 */
let shared: { x: WalkExports; owner: WasmWalk | null } | null = null;

/**
 * The quiet clusters' walk in WebAssembly (sim/model/wasm/walk.ts) for one fleet trial: the
 * fleet's layout copied into the thread's instance (again whenever another fleet trial used it
 * since), then runs of clusters walked and their records appended to a send log.
 */
export class WasmWalk {
  private readonly x: WalkExports;
  /** Byte offset of the output: `capacity` times (f64), then as many vaults and counts (i32). */
  private records = 0;

  constructor(private readonly syncVault: Int32Array, private readonly clusterFirstSync: Int32Array, private readonly maxSyncs: number) {
    shared ??= {
      // JavaScript's own log and exp (the ziggurat's tables and rare slow path, a latency's exp),
      // so that the walk's draws are the same bits as random.ts's.
      x: new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(WALK_WASM, 'base64')), { env: { log: Math.log, exp: Math.exp, abort: walkAborted } })
        .exports as unknown as WalkExports,
      owner: null,
    };
    this.x = shared.x;
    this.loadLayout();
  }

  /** The fleet's layout into the instance's memory, unless this walk holds it already. */
  private loadLayout(): void {
    if (shared!.owner === this) return;
    shared!.owner = this;
    const { x, syncVault, clusterFirstSync, maxSyncs } = this;
    const align = (n: number) => (n + 15) & ~15;
    const vaults = align(x.heapBase());
    const firsts = align(vaults + 4 * syncVault.length);
    const words = align(firsts + 4 * clusterFirstSync.length);
    const scratch = align(words + 4 * clusterFirstSync.length);
    this.records = align(scratch + x.scratchBytes(maxSyncs));
    const bytes = this.records + 16 * FIRST_ROOM;
    const page = 1 << 16;
    if (bytes > x.memory.buffer.byteLength) x.memory.grow(Math.ceil((bytes - x.memory.buffer.byteLength) / page));
    const buffer = x.memory.buffer;
    new Int32Array(buffer, vaults, syncVault.length).set(syncVault);
    new Int32Array(buffer, firsts, clusterFirstSync.length).set(clusterFirstSync);
    x.layout(vaults, firsts, words, clusterFirstSync.length, scratch, maxSyncs, this.records, FIRST_ROOM);
  }

  /** Starts a run of clusters of one group (walk.ts's `group`); the outcomes count from here. */
  group(n: number, horizon: number, jitter: number, poll: number, objects: number, mu: number, sigma: number, rollout: boolean, seedHash: number, trialWord: number, instant: boolean): void {
    this.loadLayout();
    this.x.group(n, horizon, jitter, poll, objects, mu, sigma, rollout ? 1 : 0, seedHash, trialWord, instant ? 1 : 0);
  }

  /**
   * Walks clusters from `from` on until `to`, or until at least `enough` records are written
   * (after a whole cluster), and appends their records to `log`; returns the cluster after the
   * last one walked.
   */
  walkInto(log: SendLog, from: number, to: number, enough: number): number {
    const n = this.x.walk(from, to, enough);
    const at = log.length;
    log.reserve(n);
    // Views made per call: the walk may have grown its memory (a few hundred records a call).
    const { buffer } = this.x.memory;
    const room = this.x.capacity.value as number;
    log.times.set(new Float64Array(buffer, this.records, n), at);
    log.vaults.set(new Int32Array(buffer, this.records + 8 * room, n), at);
    log.counts.set(new Int32Array(buffer, this.records + 12 * room, n), at);
    log.length = at + n;
    return this.x.next.value as number;
  }

  /** Records the output holds now (FIRST_ROOM, doubled as a walk needed more). */
  get capacity(): number {
    return this.x.capacity.value as number;
  }

  get started(): number {
    return this.x.started.value as number;
  }

  get finished(): number {
    return this.x.finished.value as number;
  }

  get forced(): number {
    return this.x.forced.value as number;
  }

  get lastForced(): number {
    return this.x.lastForced.value as number;
  }
}

function walkAborted(): never {
  throw new Error('the quiet clusters\' walk (WebAssembly) aborted');
}
