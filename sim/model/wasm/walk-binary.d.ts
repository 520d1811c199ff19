/** The quiet clusters' walk (walk.ts) compiled to WebAssembly, base64: written by sim/build-wasm.mjs into dist/. */
export declare const WALK_WASM: string;
