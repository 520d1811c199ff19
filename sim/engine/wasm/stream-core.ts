// AssemblyScript: the random stream, the one implementation of the generator, its seeding and
// its normal draw. The build (sim/build-wasm.mjs) compiles it into the streams module behind
// random.ts's RandomStream (sim/engine/wasm/streams.ts) and into the quiet clusters' walk
// (sim/model/wasm/walk.ts), where a cluster's draws stay in registers. exp and log are
// JavaScript's own (imported), so the ziggurat's tables and a latency's exp are the same bits in
// both and in any TypeScript that draws through RandomStream.
//
// The generator is sfc32, Chris Doty-Humphrey's Small Fast Chaotic generator from PractRand
// (RNG_engines.txt), which passes PractRand's battery to its limits; numpy ships its 64-bit
// sibling as SFC64. Its 128-bit state includes a counter, so every stream has a period of at
// least 2^32 and distinct states never fall into step. A stream's state is a hash of three key
// words (random.ts says which), each word from a bijective finalizer (Wellons' lowbias32, from
// his hash-prospector search), then three rounds of the generator as margin.

@external('env', 'log') export declare function jsLog(x: f64): f64;
@external('env', 'exp') export declare function jsExp(x: f64): f64;

// The current stream's state: a draw never leaves registers.
let s0: i32 = 0;
let s1: i32 = 0;
let s2: i32 = 0;
let s3: i32 = 0;

/** Four streams' states from seedFour: each state word's four lanes (a, b, c, d at 0, 16, 32, 48). */
export const lanes: usize = memory.data(64, 16);

/** The current stream's state from memory (a, b, c, d at at, at + step, ...). */
@inline export function loadState(at: usize, step: usize): void {
  s0 = load<i32>(at);
  s1 = load<i32>(at + step);
  s2 = load<i32>(at + 2 * step);
  s3 = load<i32>(at + 3 * step);
}

@inline export function storeState(at: usize): void {
  store<i32>(at, s0);
  store<i32>(at, s1, 4);
  store<i32>(at, s2, 8);
  store<i32>(at, s3, 12);
}

/** Stream k of the four last seeded by seedFour becomes the current one. */
@inline export function takeLane(k: i32): void {
  loadState(lanes + (<usize>k << 2), 16);
}

/** Wellons' lowbias32: a bijection of 32-bit integers with low avalanche bias. */
@inline export function mix32(x: i32): i32 {
  x ^= x >>> 16;
  x = x * 0x7feb352d;
  x ^= x >>> 15;
  x = x * <i32>0x846ca68b;
  x ^= x >>> 16;
  return x;
}

@inline function mix32x4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 16));
  x = i32x4.mul(x, i32x4.splat(0x7feb352d));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(<i32>0x846ca68b));
  x = v128.xor(x, i32x4.shr_u(x, 16));
  return x;
}

/** The id word of a stream's key (a cluster's, a vault's: random.ts's StreamDomain). */
@inline export function idWord(domain: i32, id: i32): i32 {
  return mix32(id + domain * <i32>0x9e3779b9);
}

/**
 * Four streams at once into `lanes`, lane by lane: from the words (a, b, c), three rounds of
 * the generator from (a, b, c, 1). In lanes of the same 32-bit integers (WebAssembly SIMD: a
 * lane's add, multiply, shift and xor wrap as the scalar ones do), the four are independent work
 * that one stream after another left to wait on each other's multiplies (docs/performance.md).
 * One stream is lane 0.
 */
@inline export function seedFour(a: v128, b: v128, c: v128): void {
  let d = i32x4.splat(1);
  for (let i = 0; i < 3; i++) {
    const t = i32x4.add(i32x4.add(a, b), d);
    d = i32x4.add(d, i32x4.splat(1));
    a = v128.xor(b, i32x4.shr_u(b, 9));
    b = i32x4.add(c, i32x4.shl(c, 3));
    c = i32x4.add(v128.or(i32x4.shl(c, 21), i32x4.shr_u(c, 11)), t);
  }
  v128.store(lanes, a);
  v128.store(lanes, b, 16);
  v128.store(lanes, c, 32);
  v128.store(lanes, d, 48);
}

/**
 * seedFour for the streams named by (seed, trial, id): the trial's word b and each id's word c
 * are bijections of their keys, and the first word mixes them with the seed's hash, so that
 * neighbouring ids differ in every word while two words alone determine the key.
 */
@inline export function seedKeyedFour(seedHash: i32, b: v128, c: v128): void {
  seedFour(mix32x4(v128.xor(i32x4.splat(seedHash), mix32x4(i32x4.add(b, i32x4.mul(c, i32x4.splat(0x297a2d39)))))), b, c);
}

/** The next 32 random bits of the current stream. */
@inline export function next32(): i32 {
  const t = s0 + s1 + s3;
  s3 = s3 + 1;
  s0 = s1 ^ (s1 >>> 9);
  s1 = s2 + (s2 << 3);
  s2 = ((s2 << 21) | (s2 >>> 11)) + t;
  return t;
}

/** U[0, 1): 32 random bits. */
@inline export function uniform(): f64 {
  return <f64>(<u32>next32()) * UNIT;
}

const UNIT: f64 = 2.3283064365386963e-10;

/** U[0, scale), with nothing drawn when scale is 0 (a jitter of 0 takes no draw from the stream). */
@inline export function uniformBelow(scale: f64): f64 {
  return scale > 0 ? uniform() * scale : 0;
}

/**
 * The stationary residual of renewal gaps X = p + U[0, j): its density is P(X > r) / E[X], so
 * with probability p / (p + j/2) it is U[0, p), otherwise p + j(1 - sqrt(U)). One, two or three
 * draws, in that order.
 */
@inline export function stationaryResidual(p: f64, j: f64): f64 {
  return uniform() * (p + j / 2) < p ? uniform() * p : p + j * (1 - Math.sqrt(uniform()));
}

/**
 * Each of the four streams of `lanes` draws its first uniform, times `scale`, into four f64s at
 * `out`; the streams' states are left as seeded (a walk that draws once per stream).
 */
@inline export function firstUniformsFour(scale: f64, out: usize): void {
  const r = i32x4.add(i32x4.add(v128.load(lanes), v128.load(lanes, 16)), v128.load(lanes, 48));
  const unit = f64x2.splat(UNIT);
  const s = f64x2.splat(scale);
  v128.store(out, f64x2.mul(f64x2.mul(f64x2.convert_low_i32x4_u(r), unit), s));
  v128.store(out, f64x2.mul(f64x2.mul(f64x2.convert_low_i32x4_u(i32x4.shuffle(r, r, 2, 3, 0, 1)), unit), s), 16);
}

/**
 * Standard normal by Marsaglia and Tsang's ziggurat (J. Stat. Softw. 5(8), 2000), 128 layers:
 * one 32-bit draw and a multiplication for about 98.8% of values. As Doornik (2005, "An
 * improved ziggurat method") advises, the layer (low 7 bits) and the value (the other 25 bits)
 * come from disjoint bits of the draw.
 */
@inline export function normal(): f64 {
  const h = next32();
  const layer = h & 127;
  const j = h >> 7;
  if (abs<i32>(j) < load<i32>(ZIG_K + (<usize>layer << 2))) return <f64>j * load<f64>(ZIG_W + (<usize>layer << 3));
  return normalSlow(j, layer);
}

/** Lognormal: exp(mu + sigma Z), Z the standard normal above (JavaScript's exp: the same bits everywhere). */
@inline export function lognormal(mu: f64, sigma: f64): f64 {
  return jsExp(mu + sigma * normal());
}

function normalSlow(j: i32, layer: i32): f64 {
  for (;;) {
    const x = <f64>j * zigW(layer);
    if (layer == 0) {
      // The tail beyond R, by Marsaglia's exponential rejection.
      let tx: f64;
      let ty: f64;
      do {
        tx = -jsLog(1 - uniform()) / ZIG_R;
        ty = -jsLog(1 - uniform());
      } while (ty + ty < tx * tx);
      return j > 0 ? ZIG_R + tx : -ZIG_R - tx;
    }
    if (zigF(layer) + uniform() * (zigF(layer - 1) - zigF(layer)) < jsExp(-0.5 * x * x)) return x;
    const h = next32();
    layer = h & 127;
    j = h >> 7;
    if (abs<i32>(j) < load<i32>(ZIG_K + (<usize>layer << 2))) return <f64>j * zigW(layer);
  }
  return 0;
}

// The ziggurat's tables (Marsaglia and Tsang's setup, for values of 25 signed bits): per layer,
// the bound under which a value is inside its rectangle, the value's scale, and the density at
// the layer's edge. R is where the tail starts, V each layer's area.
const ZIG_R: f64 = 3.442619855899;
const ZIG_K: usize = memory.data(128 * 4, 16);
const ZIG_W: usize = memory.data(128 * 8, 16);
const ZIG_F: usize = memory.data(128 * 8, 16);

@inline function zigW(layer: i32): f64 {
  return load<f64>(ZIG_W + (<usize>layer << 3));
}

@inline function zigF(layer: i32): f64 {
  return load<f64>(ZIG_F + (<usize>layer << 3));
}

{
  const m: f64 = 16777216; // 2^24
  const v: f64 = 9.91256303526217e-3;
  let d = ZIG_R;
  let t = d;
  const q = v / jsExp(-0.5 * d * d);
  store<i32>(ZIG_K, <i32>Math.floor((d / q) * m));
  store<i32>(ZIG_K, 0, 4);
  store<f64>(ZIG_W, q / m);
  store<f64>(ZIG_W, d / m, 127 << 3);
  store<f64>(ZIG_F, 1);
  store<f64>(ZIG_F, jsExp(-0.5 * d * d), 127 << 3);
  for (let i = 126; i >= 1; i--) {
    d = Math.sqrt(-2 * jsLog(v / d + jsExp(-0.5 * d * d)));
    store<i32>(ZIG_K + (<usize>(i + 1) << 2), <i32>Math.floor((d / t) * m));
    t = d;
    store<f64>(ZIG_F + (<usize>i << 3), jsExp(-0.5 * d * d));
    store<f64>(ZIG_W + (<usize>i << 3), d / m);
  }
}
