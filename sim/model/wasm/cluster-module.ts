// AssemblyScript: the cluster model's module, which the build (sim/build-wasm.mjs) compiles and
// sim/model/cluster-model.ts loads: the model (cluster.ts) and its quiet walk (walk.ts).
export * from './cluster';
export { walk, walkGroup } from './walk';
