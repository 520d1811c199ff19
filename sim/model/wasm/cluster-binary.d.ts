/** The cluster model's module (cluster-module.ts) compiled to WebAssembly, base64: written by sim/build-wasm.mjs into dist/. */
export declare const CLUSTER_WASM: string;
