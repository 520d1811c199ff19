/** The quiet clusters' walk (walk.ts) compiled to WebAssembly, base64: written by build-walk.mjs into dist/. */
export declare const WALK_WASM: string;
