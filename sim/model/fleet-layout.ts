import type { GroupConfig, ModelConfig } from './config.js';
import { splitSecretSyncs } from './vault-split.js';

const Z99 = 2.3263478740408408; // Phi^-1(0.99)

/**
 * The fleet flattened into integer ids: clusters 0..clusters-1 group by group, and each
 * cluster's SecretSyncs numbered contiguously. Built once per point; trials only reset state.
 */
export class FleetLayout {
  readonly clusters: number;
  readonly syncs: number;
  readonly clusterGroup: Int32Array;
  /** The vault each SecretSync fetches from. */
  readonly syncVault: Int32Array;
  readonly clusterFirstSync: Int32Array;
  readonly clusterSyncCount: Int32Array;
  readonly syncCluster: Int32Array;
  readonly groups: GroupConfig[];
  /** Per group: lognormal parameters of GET latency; sigma < 0 means latency 0. */
  readonly latencyMu: Float64Array;
  readonly latencySigma: Float64Array;
  /**
   * Per group: the settings the hot loop reads, as typed arrays. Reading a field of a group
   * object is slower, and a parsed scenario's groups and a built model's have different shapes.
   */
  readonly objectsPerSync: Int32Array;
  readonly maxConcurrentReconciles: Int32Array;
  readonly pollInterval: Float64Array;
  readonly jitterSeconds: Float64Array;
  readonly partialSync: Uint8Array;
  readonly perSyncTimers: Uint8Array;
  readonly jitterOnRequeue: Uint8Array;
  readonly jitterOnRestart: Uint8Array;
  readonly vaultIndex: Map<string, number>;
  /** Clusters of each group, in id order. */
  readonly groupClusters: Int32Array[];

  constructor(config: ModelConfig) {
    this.groups = config.fleet;
    this.vaultIndex = new Map(config.vaults.map((v, i) => [v.name, i]));
    this.clusters = this.groups.reduce((n, g) => n + g.clusters, 0);
    this.syncs = this.groups.reduce((n, g) => n + g.clusters * g.secretSyncs, 0);
    this.clusterGroup = new Int32Array(this.clusters);
    this.syncVault = new Int32Array(this.syncs);
    this.clusterFirstSync = new Int32Array(this.clusters);
    this.clusterSyncCount = new Int32Array(this.clusters);
    this.syncCluster = new Int32Array(this.syncs);
    this.latencyMu = new Float64Array(this.groups.length);
    this.latencySigma = new Float64Array(this.groups.length);
    this.groupClusters = [];
    const groups = this.groups;
    this.objectsPerSync = Int32Array.from(groups, (g) => g.objectsPerSync);
    this.maxConcurrentReconciles = Int32Array.from(groups, (g) => g.maxConcurrentReconciles);
    this.pollInterval = Float64Array.from(groups, (g) => g.rotationPollIntervalInSeconds);
    this.jitterSeconds = Float64Array.from(groups, (g) => g.jitterSeconds);
    this.partialSync = Uint8Array.from(groups, (g) => (g.enablePartialSecretSync ? 1 : 0));
    this.perSyncTimers = Uint8Array.from(groups, (g) => (g.scheduling === 'per-sync' ? 1 : 0));
    this.jitterOnRequeue = Uint8Array.from(groups, (g) => (g.jitterOnRequeue ? 1 : 0));
    this.jitterOnRestart = Uint8Array.from(groups, (g) => (g.jitterOnRestart ? 1 : 0));
    const vaultOf = (name: string) => {
      const v = this.vaultIndex.get(name);
      if (v === undefined) throw new Error(`unknown vault ${name}`);
      return v;
    };
    let c = 0;
    let s = 0;
    this.groups.forEach((g, group) => {
      const ids = new Int32Array(g.clusters);
      const split = g.vaultShares ? splitSecretSyncs(g.vaultShares, g.clusters * g.secretSyncs) : null;
      if (g.vaultShares && !split) throw new Error(`group ${g.name}: its vault split cannot be met (the scenario's checks let it through)`);
      for (let i = 0; i < g.clusters; i++, c++) {
        ids[i] = c;
        this.clusterGroup[c] = group;
        this.clusterFirstSync[c] = s;
        this.clusterSyncCount[c] = g.secretSyncs;
        for (let k = 0; k < g.secretSyncs; k++) {
          this.syncVault[s] = vaultOf(g.vaults[split ? split[i * g.secretSyncs + k] : i % g.vaults.length]);
          this.syncCluster[s++] = c;
        }
      }
      this.groupClusters.push(ids);
      if (g.latency === 0) {
        this.latencySigma[group] = -1;
      } else {
        this.latencyMu[group] = Math.log(g.latency.median);
        this.latencySigma[group] = Math.log(g.latency.p99 / g.latency.median) / Z99;
      }
    });
  }

  /** Whether any SecretSync of cluster c fetches from one of `vaults`. */
  clusterUses(c: number, vaults: readonly number[]): boolean {
    const first = this.clusterFirstSync[c];
    for (let s = first; s < first + this.clusterSyncCount[c]; s++) if (vaults.includes(this.syncVault[s])) return true;
    return false;
  }
}
