import { z } from 'zod';
import { MAX_COUNT_PER_SYNC } from '../model/config.js';
import { annotateSchema } from './explain.js';
import { describeInput } from './issues.js';
import { DURATION_PATTERN, parseDuration, parseRate, parseShare } from './units.js';
import {
  DEFAULT_RETRY,
  DEFAULT_SUBSCRIPTION_LIMITER,
  DEFAULT_VAULT_LIMITER,
  MAX_TRIALS,
  PER_SECOND_LIMIT,
  POLL_INTERVAL_SECONDS,
  REQUEUE_BASE_DELAY,
  REQUEUE_MAX_DELAY,
  REQUEUE_OVERALL,
  VAULT_LIMIT,
  VAULT_WINDOW_SECONDS,
} from '../model/defaults.js';

// What the JSON Schema (sim schema) says of the values parsed here: the transforms themselves
// have no JSON Schema, so each states its input language.
const DURATION_JSON = {
  description: 'a duration: seconds, or a string with units such as "250ms", "90s", "15m", "1h30m", "1d"',
  anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: DURATION_PATTERN }],
};
const RATE_JSON = {
  description: 'events per second, or a string such as "2/h" or "1/30m"',
  anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*/\\s*(\\d+(\\.\\d+)?|\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$' }],
};
const SHARE_JSON = {
  description: 'a share in (0, 1], or a percentage such as "50%"',
  anyOf: [{ type: 'number', exclusiveMinimum: 0, maximum: 1 }, { type: 'string', pattern: '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*%\\s*$' }],
};

/** A duration in seconds: a number of seconds or a string with a unit. */
const duration = (what = 'a duration') =>
  z.unknown().transform((v, ctx) => {
    const s = parseDuration(v);
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required' });
      return z.NEVER;
    }
    if (s === null) {
      ctx.addIssue({ code: 'custom', message: `expected ${what} such as 90, "250ms", "90s", "15m", "1h30m" or "1d", got ${describeInput(v)}` });
      return z.NEVER;
    }
    return s;
  }).meta(DURATION_JSON);

const positiveDuration = () =>
  duration('a positive duration').refine((s) => s > 0, { message: 'must be greater than 0' });

/** Events per second: a number per second or a string such as "2/h" or "1/30m". */
const rate = () =>
  z.unknown().transform((v, ctx) => {
    const r = parseRate(v);
    if (r === null || r <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a positive rate such as "2/h", "1/30m" or a number per second, got ${describeInput(v)}` });
      return z.NEVER;
    }
    return r;
  }).meta(RATE_JSON);

/** A share of a whole: 0.5, or "50%". */
const share = () =>
  z.unknown().transform((v, ctx) => {
    const s = parseShare(v);
    if (s === null || s <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected a share in (0, 1] or a percentage such as "50%", got ${describeInput(v)}` });
      return z.NEVER;
    }
    return s;
  }).meta(SHARE_JSON);

/** Rollout waves: each is a fleet action of its own; more waves than this are a mistake. */
const MAX_WAVES = 100_000;


const wholeAtLeast = (min: number) =>
  z.number({ error: 'expected a number' }).int({ error: 'expected a whole number' }).min(min, { error: `must be at least ${min}` });

/** Counts the model keeps in 16-bit slots (objects per SecretSync, SDK retries). */
const wholeUpToSlot = (min: number) => wholeAtLeast(min).max(MAX_COUNT_PER_SYNC, { error: `must be at most ${MAX_COUNT_PER_SYNC}` });

const positive = () => z.number({ error: 'expected a number' }).positive({ error: 'must be greater than 0' });

/** Which clusters an event touches: a share ("25%", 0.25) or the name of a fleet group. */
const clusterSelection = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const share = parseShare(v);
  if (share !== null) return { share };
  if (typeof v === 'string' && !/^[\d.\s]+%?$/.test(v)) return { group: v };
  ctx.addIssue({ code: 'custom', message: `expected a share in [0, 1], a percentage such as "25%", or a fleet group name, got ${describeInput(v)}` });
  return z.NEVER;
});

export const limiterSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('token-bucket'),
    capacity: wholeAtLeast(1).default(VAULT_LIMIT),
    refillPerSecond: positive().default(VAULT_LIMIT / VAULT_WINDOW_SECONDS),
  }),
  z.strictObject({
    kind: z.literal('fixed-window'),
    limit: wholeAtLeast(1).default(VAULT_LIMIT),
    window: positiveDuration().default(VAULT_WINDOW_SECONDS),
    phase: z.union([z.literal('random'), duration()]).default('random'),
  }),
  z.strictObject({
    kind: z.literal('sliding-window'),
    limit: wholeAtLeast(1).default(VAULT_LIMIT),
    window: positiveDuration().default(VAULT_WINDOW_SECONDS),
  }),
]);


/** No control characters: a name is printed to terminals (an escape sequence would run there) and written to files. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const label = () => z.string().min(1).refine((s) => !CONTROL.test(s), { error: 'control characters (terminal escapes, NUL, line breaks) are not allowed in a name' });

const groupSchema = z.strictObject({
  name: label().optional(),
  clusters: wholeAtLeast(1),
  secretSyncs: wholeAtLeast(1),
  objectsPerSync: wholeUpToSlot(1).default(1),
  // One vault; a list (clusters round robin); or shares of each cluster's SecretSyncs.
  vault: z.union([z.string().min(1), z.array(z.string().min(1)).min(1), z.record(z.string().min(1), share())]).optional(),
  rotationPollIntervalInSeconds: positiveDuration().default(POLL_INTERVAL_SECONDS),
  jitterSeconds: duration().default(0),
  scheduling: z.enum(['per-sync', 'cluster-ticker']).default('per-sync'),
  maxConcurrentReconciles: wholeAtLeast(1).default(1),
  enablePartialSecretSync: z.boolean().default(true),
  jitterOnRequeue: z.boolean().default(true),
  jitterOnRestart: z.boolean().default(true),
  latency: z
    .union([
      z.literal(0),
      z.literal('0'),
      z.strictObject({ median: positiveDuration(), p99: positiveDuration() }),
    ])
    .default({ median: 0.04, p99: 0.25 }),
});

const vaultSchema = z.strictObject({
  name: label(),
  limiter: limiterSchema.default(DEFAULT_VAULT_LIMITER),
  rejectedCount: z.boolean().default(false),
  retryAfter: z.union([z.literal('none'), z.literal('until-capacity'), duration()]).default('none'),
  background: z
    .strictObject({ ratePerSecond: z.number().min(0, { error: 'must be at least 0' }).default(0) })
    .default({ ratePerSecond: 0 }),
});

const retrySchema = z.union([
  z.literal('azcore'),
  z.literal('none'),
  z
    .strictObject({
      maxRetries: wholeUpToSlot(0),
      baseDelay: duration(),
      maxDelay: duration(),
      jitter: z.tuple([z.number().min(0), z.number().min(0)]).default([0.8, 1.3]),
    })
    // Retries with no delay at all answer every 429 at the same instant, maxRetries times: a
    // storm no SDK sends, which ran until the stall watchdog stopped it.
    .refine((r) => r.maxRetries === 0 || r.maxDelay > 0, { error: 'maxDelay 0 retries every failed GET at the same instant: give the retries a delay', path: ['maxDelay'] }),
]);

const eventSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('rollout'),
    at: duration(),
    clusters: clusterSelection.default({ share: 1 }),
    waves: wholeAtLeast(1).max(MAX_WAVES, { error: `must be at most ${MAX_WAVES.toLocaleString('en-US')}` }).default(1),
    over: duration().default(0),
  }),
  z.strictObject({
    kind: z.literal('restart'),
    at: duration(),
    clusters: clusterSelection.default({ share: 1 }),
  }),
  z.strictObject({
    kind: z.literal('outage'),
    at: duration(),
    duration: positiveDuration(),
    /** Omitted: every vault. */
    vault: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** How long a request to the unreachable vault takes to fail (azcore's dial timeout is 30 s). */
    timeout: duration().default(30),
  }),
  z
    .strictObject({
      kind: z.literal('rotation'),
      at: duration(),
      every: positiveDuration().optional(),
      rate: rate().optional(),
      until: duration().optional(),
      clusters: clusterSelection.default({ share: 1 }),
      secretSyncs: wholeAtLeast(1).default(1),
    })
    .superRefine((e, ctx) => {
      if (e.every !== undefined && e.rate !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['rate'], message: 'give either every (periodic) or rate (Poisson), not both' });
      } else if (e.until !== undefined && e.every === undefined && e.rate === undefined) {
        ctx.addIssue({ code: 'custom', path: ['until'], message: 'only applies with every or rate (a single rotation happens at `at`)' });
      } else if (e.until !== undefined && e.until <= e.at) {
        ctx.addIssue({ code: 'custom', path: ['until'], message: `must be after at (${e.at}s)` });
      }
    }),
]);

export const scenarioSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .regex(/^[\w.-]+$/, { error: 'use letters, digits, ".", "-" and "_" only (it names the output folder)' })
    .refine((n) => n !== '.' && n !== '..', { error: 'cannot be "." or ".." (it names the output folder)' }),
  // Line breaks and tabs are text; other control characters are terminal escapes or NUL.
  description: z.string().refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(s), { error: 'control characters other than line breaks and tabs are not allowed' }).optional(),
  seed: z.union([z.number().int({ error: 'expected a whole number' }), z.string().min(1)]).default(1),
  trials: wholeAtLeast(1).max(MAX_TRIALS, { error: `must be at most ${MAX_TRIALS} (trial numbers are 32-bit)` }).default(1000),
  horizon: positiveDuration().default(7200),
  start: z.enum(['rollout', 'steady']).default('rollout'),
  fleet: z.array(groupSchema).min(1, { error: 'needs at least one group' }),
  vaults: z
    .array(vaultSchema)
    .min(1, { error: 'needs at least one vault' })
    .default([{ name: 'kv', limiter: DEFAULT_VAULT_LIMITER, rejectedCount: false, retryAfter: 'none', background: { ratePerSecond: 0 } }]),
  subscription: z
    .union([z.literal('none'), z.strictObject({ limiter: limiterSchema })])
    .default({ limiter: DEFAULT_SUBSCRIPTION_LIMITER }),
  client: z
    .strictObject({
      retry: retrySchema.default(DEFAULT_RETRY),
      requeue: z
        .strictObject({
          // 0 would requeue a failing SecretSync at the instant it failed, forever.
          baseDelay: positiveDuration().default(REQUEUE_BASE_DELAY),
          // 0 would cap every requeue's delay at 0: the same storm as a 0 baseDelay.
          maxDelay: positiveDuration().default(REQUEUE_MAX_DELAY),
          overall: z
            .union([z.literal('none'), z.strictObject({ ratePerSecond: positive().default(REQUEUE_OVERALL.ratePerSecond), burst: wholeAtLeast(1).default(REQUEUE_OVERALL.burst) })])
            .default(REQUEUE_OVERALL),
        })
        .default({ baseDelay: REQUEUE_BASE_DELAY, maxDelay: REQUEUE_MAX_DELAY, overall: REQUEUE_OVERALL }),
    })
    .default({ retry: DEFAULT_RETRY, requeue: { baseDelay: REQUEUE_BASE_DELAY, maxDelay: REQUEUE_MAX_DELAY, overall: REQUEUE_OVERALL } }),
  events: z.array(eventSchema).default([]),
  metrics: z
    .strictObject({ perSecondLimit: positive().default(PER_SECOND_LIMIT), timeseriesBin: positiveDuration().default(1) })
    .default({ perSecondLimit: PER_SECOND_LIMIT, timeseriesBin: 1 }),
  sweep: z.record(z.string(), z.array(z.unknown()).min(1, { error: 'needs at least one value' })).optional(),
  assert: z.array(z.string()).optional(),
});

export type ScenarioInput = z.output<typeof scenarioSchema>;

/**
 * The scenario file's JSON Schema (draft 2020-12), generated from the schema above: what an
 * editor can check as one types (sim schema; scenarios/scenario.schema.json). The input side:
 * durations, rates and shares as written, defaults shown, unknown keys refused.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = annotateSchema(z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
  return { ...schema, $id: 'https://github.com/akv-fleet-sim/akv-fleet-sim/scenario.schema.json', title: 'akv-fleet-sim scenario' };
}
