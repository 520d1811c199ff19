// AssemblyScript, compiled by the build (sim/build-wasm.mjs): random.ts's streams. Each
// RandomStream owns a slot of 16 bytes here (its state); a draw loads the slot, draws with
// stream-core.ts (the one implementation, also compiled into the quiet clusters' walk) and
// stores the state back.
import {
  idWord as keyIdWord,
  loadState,
  lognormal as coreLognormal,
  mix32 as lowbias,
  normal as coreNormal,
  seedFour,
  seedKeyedFour,
  stationaryResidual as coreResidual,
  storeState,
  takeLane,
  uniform as coreUniform,
  uniformBelow as coreBelow,
} from './stream-core';

/** Slots in use or freed (random.ts reuses freed ones); their states from the heap's base. */
let slots: i32 = 0;

@inline function slotAt(slot: i32): usize {
  return ((__heap_base + 15) & ~15) + (<usize>slot << 4);
}

/** A new slot (memory grows as needed). */
export function newSlot(): i32 {
  const end = slotAt(slots + 1);
  const size = <usize>memory.size() << 16;
  if (end > size && memory.grow(<i32>((end - size + 0xffff) >>> 16)) < 0) unreachable();
  return slots++;
}

/** The stream in `slot` from three words (stream-core.ts's seedFour, one lane). */
export function seedWords(slot: i32, a: i32, b: i32, c: i32): void {
  seedFour(i32x4.splat(a), i32x4.splat(b), i32x4.splat(c));
  takeLane(0);
  storeState(slotAt(slot));
}

/** The stream in `slot` named by (seed's hash, trial's word, id's word): seedKeyedFour's. */
export function seedKeyed(slot: i32, seedHash: i32, trialWord: i32, idWord: i32): void {
  seedKeyedFour(seedHash, i32x4.splat(trialWord), i32x4.splat(idWord));
  takeLane(0);
  storeState(slotAt(slot));
}

// A draw from the stream in a slot: `from(slot)` loads its state, the draw runs, `back` stores
// the state and passes the value on (arguments are evaluated left to right: load, draw, store).
@inline function from(slot: i32): usize {
  const at = slotAt(slot);
  loadState(at, 4);
  return at;
}

@inline function back(at: usize, x: f64): f64 {
  storeState(at);
  return x;
}

export function uniform(slot: i32): f64 {
  return back(from(slot), coreUniform());
}

export function uniformBelow(slot: i32, scale: f64): f64 {
  return back(from(slot), coreBelow(scale));
}

export function stationaryResidual(slot: i32, p: f64, j: f64): f64 {
  return back(from(slot), coreResidual(p, j));
}

export function normal(slot: i32): f64 {
  return back(from(slot), coreNormal());
}

export function lognormal(slot: i32, mu: f64, sigma: f64): f64 {
  return back(from(slot), coreLognormal(mu, sigma));
}

export function mix32(x: i32): i32 {
  return lowbias(x);
}

export function idWord(domain: i32, id: i32): i32 {
  return keyIdWord(domain, id);
}
