/**
 * Per-SecretSync state: one 64-byte block per SecretSync (a cache line, so that an event
 * touches one place, not twenty arrays), seen through four views of one buffer. Every field has
 * a getter `name(s)` and a setter `setName(s, v)`; nothing outside this file knows the layout,
 * and test/sync-table.test.ts writes every field of one block and checks its neighbours.
 */

// int32 slots at (s << 4) + slot, bytes 0-15.
const WAKE_GEN = 0;
const FETCH_GEN = 1;
const NEXT_ROTATION = 2;
const FAILURES = 3;
// uint16 slots at (s << 5) + slot, bytes 16-21 (the schema caps objects and retries at
// MAX_COUNT_PER_SYNC, 65,535).
const FETCHED = 8;
const FAILED = 9;
const ATTEMPT = 10;
// uint8 slots at (s << 6) + slot, bytes 22-30.
const STATE = 22;
const DIRTY = 23;
const FORCED = 24;
const RUN_FORCED = 25;
const AWAITING = 26;
const REASON = 27;
const WAKE_PENDING = 28;
const UNHEALTHY = 29;
const LAST_ANSWER = 30;
// float64 slots at (s << 3) + slot, bytes 32-63.
const LAST_RETRY_AFTER = 4;
const STARTED_AT = 5;
const EDITED_AT = 6;
const READ_AT = 7;


/** SecretSync states in its cluster's work queue. */
export const enum SyncState {
  Idle = 0,
  Queued = 1,
  Processing = 2,
}

/** Why a SecretSync was last considered. */
export const enum Reason {
  Poll = 0,
  Requeue = 1,
  Edit = 2,
  Restart = 3,
}

export class SyncTable {
  readonly size: number;
  private readonly i32: Int32Array;
  private readonly u16: Uint16Array;
  private readonly u8: Uint8Array;
  private readonly f64: Float64Array;

  constructor(syncs: number) {
    this.size = syncs;
    const blocks = new ArrayBuffer(syncs * 64);
    this.i32 = new Int32Array(blocks);
    this.u16 = new Uint16Array(blocks);
    this.u8 = new Uint8Array(blocks);
    this.f64 = new Float64Array(blocks);
  }

  /** Every field back to its start-of-trial value: all zero. */
  reset(): void {
    this.i32.fill(0);
  }

  /** The same for SecretSyncs [from, to) alone (one cluster's, as the independent driver meets it). */
  resetRows(from: number, to: number): void {
    this.i32.fill(0, from << 4, to << 4);
  }

  /** Generation of its pending consideration (older ones are void). */
  wakeGen(s: number): number { return this.i32[(s << 4) + WAKE_GEN]; }
  setWakeGen(s: number, v: number): void { this.i32[(s << 4) + WAKE_GEN] = v; }
  /** Generation of its in-flight GET (a restart voids it). */
  fetchGen(s: number): number { return this.i32[(s << 4) + FETCH_GEN]; }
  setFetchGen(s: number, v: number): void { this.i32[(s << 4) + FETCH_GEN] = v; }
  /** The first rotation it has not read yet. */
  nextRotation(s: number): number { return this.i32[(s << 4) + NEXT_ROTATION]; }
  setNextRotation(s: number, v: number): void { this.i32[(s << 4) + NEXT_ROTATION] = v; }
  /** Consecutive failed reconciles (the requeue backoff). */
  failures(s: number): number { return this.i32[(s << 4) + FAILURES]; }
  setFailures(s: number, v: number): void { this.i32[(s << 4) + FAILURES] = v; }

  /** Objects fetched in this reconcile. */
  fetched(s: number): number { return this.u16[(s << 5) + FETCHED]; }
  setFetched(s: number, v: number): void { this.u16[(s << 5) + FETCHED] = v; }
  /** Objects failed in this reconcile. */
  failed(s: number): number { return this.u16[(s << 5) + FAILED]; }
  setFailed(s: number, v: number): void { this.u16[(s << 5) + FAILED] = v; }
  /** SDK attempt of the current GET. */
  attempt(s: number): number { return this.u16[(s << 5) + ATTEMPT]; }
  setAttempt(s: number, v: number): void { this.u16[(s << 5) + ATTEMPT] = v; }

  /** Idle, queued or processing in the cluster's work queue. */
  state(s: number): SyncState { return this.u8[(s << 6) + STATE]; }
  setState(s: number, v: SyncState): void { this.u8[(s << 6) + STATE] = v; }
  /** Considered again while it ran. */
  dirty(s: number): number { return this.u8[(s << 6) + DIRTY]; }
  setDirty(s: number, v: number): void { this.u8[(s << 6) + DIRTY] = v; }
  /** An edit not yet applied by a successful reconcile. */
  forced(s: number): number { return this.u8[(s << 6) + FORCED]; }
  setForced(s: number, v: number): void { this.u8[(s << 6) + FORCED] = v; }
  /** The running reconcile applies an edit. */
  runForced(s: number): number { return this.u8[(s << 6) + RUN_FORCED]; }
  setRunForced(s: number, v: number): void { this.u8[(s << 6) + RUN_FORCED] = v; }
  /** The tracked rollout waits for it. */
  awaiting(s: number): number { return this.u8[(s << 6) + AWAITING]; }
  setAwaiting(s: number, v: number): void { this.u8[(s << 6) + AWAITING] = v; }
  /** Why it was last considered. */
  reason(s: number): Reason { return this.u8[(s << 6) + REASON]; }
  setReason(s: number, v: Reason): void { this.u8[(s << 6) + REASON] = v; }
  /** A consideration is scheduled. */
  wakePending(s: number): number { return this.u8[(s << 6) + WAKE_PENDING]; }
  setWakePending(s: number, v: number): void { this.u8[(s << 6) + WAKE_PENDING] = v; }
  /** From a failed reconcile (or a GET into an outage) to the next success. */
  unhealthy(s: number): number { return this.u8[(s << 6) + UNHEALTHY]; }
  setUnhealthy(s: number, v: number): void { this.u8[(s << 6) + UNHEALTHY] = v; }
  /** The vault's answer to the current GET (VaultAnswer). */
  lastAnswer(s: number): number { return this.u8[(s << 6) + LAST_ANSWER]; }
  setLastAnswer(s: number, v: number): void { this.u8[(s << 6) + LAST_ANSWER] = v; }

  /** Retry-After of the last 429 (NaN: none). */
  lastRetryAfter(s: number): number { return this.f64[(s << 3) + LAST_RETRY_AFTER]; }
  setLastRetryAfter(s: number, v: number): void { this.f64[(s << 3) + LAST_RETRY_AFTER] = v; }
  /** Start of the running reconcile. */
  startedAt(s: number): number { return this.f64[(s << 3) + STARTED_AT]; }
  setStartedAt(s: number, v: number): void { this.f64[(s << 3) + STARTED_AT] = v; }
  /**
   * Time of the last edit; 0 when there was none, which compares the same: every reconcile
   * starts at 0 or later.
   */
  editedAt(s: number): number { return this.f64[(s << 3) + EDITED_AT]; }
  setEditedAt(s: number, v: number): void { this.f64[(s << 3) + EDITED_AT] = v; }
  /** Send time of the GET that read the first object (NaN: not read). */
  readAt(s: number): number { return this.f64[(s << 3) + READ_AT]; }
  setReadAt(s: number, v: number): void { this.f64[(s << 3) + READ_AT] = v; }

  /** The object the running reconcile fetches now: every earlier one was fetched or failed. */
  currentObject(s: number): number {
    return this.u16[(s << 5) + FETCHED] + this.u16[(s << 5) + FAILED];
  }
}
