import { STREAMS_WASM } from './wasm/streams-binary.js';

/** What sim/engine/wasm/streams.ts exports. */
interface StreamExports {
  newSlot(): number;
  seedWords(slot: number, a: number, b: number, c: number): void;
  seedKeyed(slot: number, seedHash: number, trialWord: number, idWord: number): void;
  uniform(slot: number): number;
  uniformBelow(slot: number, scale: number): number;
  stationaryResidual(slot: number, p: number, j: number): number;
  normal(slot: number): number;
  lognormal(slot: number, mu: number, sigma: number): number;
  mix32(x: number): number;
  idWord(domain: number, id: number): number;
}

/**
 * The generator, its seeding and its normal draw are WebAssembly (sim/engine/wasm/stream-core.ts,
 * the one implementation: the quiet clusters' walk compiles the same source), one instance per
 * thread; JavaScript's own log and exp, so that a draw is the same bits here and in the walk.
 */
const X = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(STREAMS_WASM, 'base64')), {
  env: { log: Math.log, exp: Math.exp, abort: () => { throw new Error('the streams module aborted'); } },
}).exports as unknown as StreamExports;

/** Slots of streams that were collected, for new streams to reuse (a slot is 16 bytes of the instance's memory). */
const freeSlots: number[] = [];
const collected = new FinalizationRegistry<number>((slot) => freeSlots.push(slot));

/**
 * A random stream: sfc32 (see stream-core.ts) whose state lives in the streams module's memory.
 * A stream is named by a key (scenario seed, trial, domain, id; seedStream) and its state is a
 * hash of the key: three 32-bit words, each from a bijective integer finalizer, chained so that
 * every word depends on the whole key while two of them alone already determine it. Distinct
 * keys therefore get distinct states, with no string hashing per stream. Uniform doubles have 32
 * random bits (as seedrandom's Alea had). Draws allocate nothing.
 */
export class RandomStream {
  private readonly slot: number;

  /** A stream named by a label (tests, benchmarks); simulations derive theirs with seedStream. */
  constructor(label: string | number = 0) {
    this.slot = freeSlots.pop() ?? X.newSlot();
    collected.register(this, this.slot);
    const h = hashLabel(String(label));
    this.seed(h, mix32(h ^ 0x68e31da4), mix32(h + 0x1b56c4e9));
  }

  /** Sets the state from three key words: three rounds of the generator from (a, b, c, 1). */
  seed(a: number, b: number, c: number): void {
    X.seedWords(this.slot, a, b, c);
  }

  /** The stream named by (seed's hash, trial's word, id's word): see seedStream. */
  seedKeyed(seedHash: number, trialWord: number, idWord: number): void {
    X.seedKeyed(this.slot, seedHash, trialWord, idWord);
  }

  /** U[0, 1). */
  uniform(): number {
    return X.uniform(this.slot);
  }

  /** U[0, scale); nothing drawn when scale is 0 (stream-core.ts's uniformBelow). */
  uniformBelow(scale: number): number {
    return X.uniformBelow(this.slot, scale);
  }

  /** The stationary residual of renewal gaps p + U[0, j) (stream-core.ts's stationaryResidual). */
  stationaryResidual(p: number, j: number): number {
    return X.stationaryResidual(this.slot, p, j);
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

  /** Standard normal (Marsaglia and Tsang's ziggurat: stream-core.ts). */
  normal(): number {
    return X.normal(this.slot);
  }

  /** exp(N(mu, sigma^2)) (stream-core.ts's lognormal). */
  lognormal(mu: number, sigma: number): number {
    return X.lognormal(this.slot, mu, sigma);
  }
}

/** Wellons' lowbias32: a bijection of 32-bit integers with low avalanche bias (stream-core.ts's). */
export function mix32(x: number): number {
  return X.mix32(x);
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
  stream.seedKeyed(seedHash, trialWord(trial), X.idWord(domain, id));
}

const trialWord = (trial: number) => mix32((trial | 0) ^ 0x2c1b3c6d);

/**
 * The random streams of one trial, named by (scenario seed, trial) and never by a sweep point,
 * a worker or a batch: the trial's own (fleet event selections, rotation times), each vault's
 * (fixed-window phase, background load) and the subscription's. The stream objects are made once
 * and reseeded per trial. Each cluster's stream, (seed, trial, Cluster, c), lives in the cluster
 * model's module, which seeds it from `seedWord`, `trialWord` and the cluster's id word.
 */
export class TrialStreams {
  readonly trial = new RandomStream();
  readonly vaults: RandomStream[];
  readonly subscription = new RandomStream();
  private readonly seedHash: number;
  private current = 0;
  private currentWord = trialWord(0);

  constructor(seed: number | string, vaults: number) {
    this.seedHash = hashLabel(String(seed));
    this.vaults = Array.from({ length: vaults }, () => new RandomStream());
  }

  /** Every stream at the start of trial `trial`. */
  forTrial(trial: number): void {
    this.current = trial;
    this.currentWord = trialWord(trial);
    seedStream(this.trial, this.seedHash, trial, StreamDomain.Trial, 0);
    this.rewindVaults();
  }

  /** The scenario seed's hash and (below) the current trial's word: with a cluster's id, the words its stream is derived from (seedStream's). */
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
