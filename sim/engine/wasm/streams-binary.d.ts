/** The streams module (streams.ts) compiled to WebAssembly, base64: written by sim/build-wasm.mjs into dist/. */
export declare const STREAMS_WASM: string;
