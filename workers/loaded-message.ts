/** The message a pool thread posts once its modules have loaded (workers/trial-batch.ts). */
export const WORKER_LOADED = 'akv-fleet-sim:worker-loaded';
