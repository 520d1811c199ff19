/**
 * Random streams. The generator is sfc32, Chris Doty-Humphrey's Small Fast Chaotic generator
 * from PractRand (RNG_engines.txt), which passes PractRand's battery to its limits; numpy ships
 * its 64-bit sibling as SFC64. Its 128-bit state includes a counter, so every stream has a
 * period of at least 2^32 and distinct states never fall into step.
 *
 * A stream is named by a key (scenario seed, trial, domain, id) and its state is a hash of the
 * key: three 32-bit words, each from a bijective integer finalizer (Wellons' lowbias32, from
 * his hash-prospector search), chained so that every word depends on the whole key while two
 * of them alone already determine it. Distinct keys therefore get distinct states, with no
 * string hashing per stream: seeding a cluster's stream costs a few multiplications, and three
 * rounds of the generator as margin. Uniform doubles have 32 random bits (as seedrandom's Alea
 * had).
 * Draws allocate nothing: the state lives in a typed array.
 */
export class RandomStream {
  private readonly state = new Int32Array(4);

  /** A stream named by a label (tests, benchmarks); simulations derive theirs with `seed`. */
  constructor(label: string | number = 0) {
    const h = hashLabel(String(label));
    this.seed(h, mix32(h ^ 0x68e31da4), mix32(h + 0x1b56c4e9));
  }

  /** Sets the state from three key words (see streamWords). */
  seed(a: number, b: number, c: number): void {
    // Three rounds of next32 from (a, b, c, 1), in registers: the state is stored once.
    let d = 1;
    for (let i = 0; i < 3; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
    }
    const s = this.state;
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
  }

  /** The next 32 random bits, as a signed int32. */
  private next32(): number {
    const s = this.state;
    const a = s[0], b = s[1], c = s[2], d = s[3];
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t;
  }

  /** U[0, 1). */
  uniform(): number {
    return (this.next32() >>> 0) * 2.3283064365386963e-10;
  }

  /** U[a, b). */
  between(a: number, b: number): number {
    return a + (b - a) * this.uniform();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.uniform()) / rate;
  }

  /**
   * Standard normal by Marsaglia and Tsang's ziggurat (J. Stat. Softw. 5(8), 2000), 128 layers:
   * one 32-bit draw and a multiplication for about 98.8% of values. As Doornik (2005, "An
   * improved ziggurat method") advises, the layer (low 7 bits) and the value (the other 25
   * bits) come from disjoint bits of the draw.
   */
  normal(): number {
    const h = this.next32();
    const layer = h & 127;
    const j = h >> 7;
    if (Math.abs(j) < ZIG_K[layer]) return j * ZIG_W[layer];
    return this.normalSlow(j, layer);
  }

  private normalSlow(j: number, layer: number): number {
    for (;;) {
      const x = j * ZIG_W[layer];
      if (layer === 0) {
        // The tail beyond R, by Marsaglia's exponential rejection.
        let tx: number;
        let ty: number;
        do {
          tx = -Math.log(1 - this.uniform()) / ZIG_R;
          ty = -Math.log(1 - this.uniform());
        } while (ty + ty < tx * tx);
        return j > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      if (ZIG_F[layer] + this.uniform() * (ZIG_F[layer - 1] - ZIG_F[layer]) < Math.exp(-0.5 * x * x)) return x;
      const h = this.next32();
      layer = h & 127;
      j = h >> 7;
      if (Math.abs(j) < ZIG_K[layer]) return j * ZIG_W[layer];
    }
  }

  /** exp(N(mu, sigma^2)). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
}

// The ziggurat's tables (Marsaglia and Tsang's setup, for values of 25 signed bits): per layer,
// the bound under which a value is inside its rectangle, the value's scale, and the density at
// the layer's edge. R is where the tail starts, V each layer's area.
const ZIG_R = 3.442619855899;
/** The ziggurat's tables, exported read-only for the quiet clusters' walk in WebAssembly (sim/model/wasm/walk.ts). */
export const ZIG_K = new Int32Array(128);
export const ZIG_W = new Float64Array(128);
export const ZIG_F = new Float64Array(128);
{
  const m = 2 ** 24;
  const v = 9.91256303526217e-3;
  let d = ZIG_R;
  let t = d;
  const q = v / Math.exp(-0.5 * d * d);
  ZIG_K[0] = Math.floor((d / q) * m);
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m;
  ZIG_W[127] = d / m;
  ZIG_F[0] = 1;
  ZIG_F[127] = Math.exp(-0.5 * d * d);
  for (let i = 126; i >= 1; i--) {
    d = Math.sqrt(-2 * Math.log(v / d + Math.exp(-0.5 * d * d)));
    ZIG_K[i + 1] = Math.floor((d / t) * m);
    t = d;
    ZIG_F[i] = Math.exp(-0.5 * d * d);
    ZIG_W[i] = d / m;
  }
}

/** Wellons' lowbias32: a bijection of 32-bit integers with low avalanche bias. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x | 0;
}

/** FNV-1a over a label's UTF-16 code units, finalized: once per run, never per stream. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** What a stream belongs to. */
export const enum StreamDomain {
  /** The trial itself: fleet event selections, rotation times. */
  Trial = 1,
  Cluster = 2,
  Vault = 3,
  Subscription = 4,
}

/**
 * Seeds `stream` with the key (seedHash, trial, domain, id). The trial and the id each pass
 * through a bijection into a word of their own, so the words determine the key; the first word
 * mixes everything, so that neighbouring ids differ in every word.
 */
export function seedStream(stream: RandomStream, seedHash: number, trial: number, domain: StreamDomain, id: number): void {
  const b = trialWord(trial);
  const c = idWord(domain, id);
  stream.seed(keyWord(seedHash, b, c), b, c);
}

const trialWord = (trial: number) => mix32((trial | 0) ^ 0x2c1b3c6d);
const idWord = (domain: StreamDomain, id: number) => mix32(((id | 0) + Math.imul(domain, 0x9e3779b9)) | 0);
const keyWord = (seedHash: number, b: number, c: number) => mix32(seedHash ^ mix32((b + Math.imul(c, 0x297a2d39)) | 0));

/**
 * The random streams of one trial, named by (scenario seed, trial) and never by a sweep point,
 * a worker or a batch: the trial's own (fleet event selections, rotation times), each cluster's
 * (all its draws), each vault's (fixed-window phase, background load) and the subscription's.
 * The stream objects are made once and reseeded per trial.
 */
export class TrialStreams {
  readonly trial = new RandomStream();
  readonly clusters: RandomStream[];
  readonly vaults: RandomStream[];
  readonly subscription = new RandomStream();
  private readonly seedHash: number;
  /** Each cluster's id word (seedStream's c), the same in every trial. */
  private readonly clusterWords: Int32Array;
  private current = 0;
  private currentWord = trialWord(0);

  constructor(seed: number | string, clusters: number, vaults: number) {
    this.seedHash = hashLabel(String(seed));
    this.clusters = Array.from({ length: clusters }, () => new RandomStream());
    this.clusterWords = Int32Array.from({ length: clusters }, (_, c) => idWord(StreamDomain.Cluster, c));
    this.vaults = Array.from({ length: vaults }, () => new RandomStream());
  }

  /**
   * Every stream at the start of trial `trial`; with `clusters` false, the clusters' are left to
   * seedCluster (a driver that runs one cluster at a time seeds each as it comes: its state is
   * then still in the cache when the cluster draws).
   */
  forTrial(trial: number, clusters = true): void {
    this.current = trial;
    this.currentWord = trialWord(trial);
    seedStream(this.trial, this.seedHash, trial, StreamDomain.Trial, 0);
    if (clusters) for (let c = 0; c < this.clusters.length; c++) this.seedCluster(c);
    this.rewindVaults();
  }

  /** Cluster c's stream at the start of the current trial (seedStream, with the words that do not depend on c taken once). */
  seedCluster(c: number): void {
    const b = this.currentWord;
    const w = this.clusterWords[c];
    this.clusters[c].seed(keyWord(this.seedHash, b, w), b, w);
  }

  /**
   * The scenario seed's hash and (below) the current trial's word: with a cluster's id, the
   * words its stream is derived from (seedStream's), for the quiet clusters' walk in
   * WebAssembly (sim/model/wasm/walk.ts), which seeds each cluster itself.
   */
  get seedWord(): number {
    return this.seedHash;
  }

  get trialWord(): number {
    return this.currentWord;
  }

  /** The vaults' and the subscription's streams back to the start of the current trial. */
  rewindVaults(): void {
    for (let v = 0; v < this.vaults.length; v++) seedStream(this.vaults[v], this.seedHash, this.current, StreamDomain.Vault, v);
    seedStream(this.subscription, this.seedHash, this.current, StreamDomain.Subscription, 0);
  }
}
