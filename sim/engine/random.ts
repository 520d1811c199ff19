import seedrandom from 'seedrandom';

/**
 * One random stream. Each trial gets its own, derived from (scenario seed, point, trial), so a
 * result never depends on worker count, batch size or sharding. Alea is seedrandom's fastest
 * generator; draws allocate nothing.
 */
export class RandomStream {
  private readonly next: () => number;
  private spareNormal = 0;
  private hasSpare = false;

  constructor(seed: string) {
    this.next = seedrandom.alea(seed);
  }

  static forTrial(scenarioSeed: number | string, point: number, trial: number): RandomStream {
    return new RandomStream(`${scenarioSeed}/${point}/${trial}`);
  }

  /** U[0, 1). */
  uniform(): number {
    return this.next();
  }

  /** U[a, b). */
  between(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(1 - this.next()) / rate;
  }

  /** Standard normal (Box-Muller, keeping the second value for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spareNormal;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /** exp(N(mu, sigma^2)). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }
}

/**
 * The random streams of one trial: the trial's own (fleet event selections, rotation times),
 * each cluster's, each vault's (fixed-window phase, background load) and the subscription's.
 */
export class TrialStreams {
  trial!: RandomStream;
  readonly clusters: RandomStream[];
  readonly vaults: RandomStream[];
  subscription!: RandomStream;

  constructor(private readonly seed: number | string, private readonly point: number, clusters: number, vaults: number) {
    this.clusters = new Array<RandomStream>(clusters);
    this.vaults = new Array<RandomStream>(vaults);
  }

  /** Every stream at the start of trial `trial`. */
  forTrial(trial: number): void {
    const r = RandomStream.forTrial(this.seed, this.point, trial);
    this.trial = r;
    this.subscription = r;
    this.clusters.fill(r);
    this.vaults.fill(r);
  }
}
