/** The 10-s peak's passes (peak.ts) compiled to WebAssembly, base64: written by sim/build-wasm.mjs into dist/. */
export declare const PEAK_WASM: string;
