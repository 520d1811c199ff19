import { setFlagsFromString } from 'node:v8';

/**
 * A larger inlining budget for V8's optimizing compiler: the vault side and the collector call
 * many small accessors and helpers, and with the default budget the deepest of them are called,
 * not inlined, boxing their float arguments (docs/performance.md). The flag only steers
 * optimization, so it is safe to set at run time; it is process-wide (worker threads included).
 * Loaded by the cluster model (cluster-model.ts), before its module is compiled.
 */
setFlagsFromString('--max-inlined-bytecode-size-cumulative=3000');

/**
 * WebAssembly (the cluster model, the 10-s peak's passes) compiled by the optimizing
 * compiler from the first call, not first by the baseline compiler and tiered up later: a call
 * runs for up to milliseconds and a baseline frame is never replaced while it runs, so the first
 * trials of each worker ran at baseline speed. The modules are a few kilobytes: compiling them
 * optimized costs about a millisecond once per process.
 */
setFlagsFromString('--no-liftoff');
