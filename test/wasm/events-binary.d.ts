/** The event queues' test module (events.ts) compiled to WebAssembly, base64: written by sim/build-wasm.mjs into dist/. */
export declare const EVENTS_WASM: string;
