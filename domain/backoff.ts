import { ValidationError } from './errors.js';

/**
 * Retry delays. The continuous functions (`fullJitter`, `equalJitter`, `decorrelatedJitter`) are the
 * AWS Architecture Blog formulas and work in any unit; `nextDelaySeconds` turns a policy into an SQS
 * `DelaySeconds` value (an integer in 0–900). Randomness is a parameter: `random()` in [0, 1).
 */

/** SQS accepts `DelaySeconds` from 0 to 900. */
export const SQS_MAX_DELAY_SECONDS = 900;

const SEED_MAX_BASE_SECONDS = 300;
// 2^1023 is the largest finite power of two; any larger exponent would make base·2^n Infinity (or NaN
// when base is 0), and no cap is ever that far away.
const MAX_EXPONENT = 1023;
const LARGEST_BELOW_ONE = 1 - Number.EPSILON / 2;

export interface BackoffBounds {
  /** Delay scale of the first retry; any unit, as long as `cap` uses the same. */
  readonly base: number;
  readonly cap: number;
}

export type BackoffStrategy = 'seed' | 'full-jitter' | 'equal-jitter' | 'decorrelated-jitter';

export interface BackoffPolicy {
  readonly strategy: BackoffStrategy;
  /** Whole seconds. Not used by 'seed', whose base is fixed at 2^(attempt-1) s. */
  readonly baseSeconds: number;
  /** Whole seconds; the delay never exceeds min(capSeconds, 900). */
  readonly capSeconds: number;
  /** Only used by 'seed': the jitter is 0 to baseJitterMinutes·60 s. */
  readonly baseJitterMinutes: number;
}

/** Full jitter does the least total work (AWS Architecture Blog); the cap is SQS's limit. */
export const DEFAULT_BACKOFF_POLICY: BackoffPolicy = Object.freeze({
  strategy: 'full-jitter',
  baseSeconds: 2,
  capSeconds: SQS_MAX_DELAY_SECONDS,
  baseJitterMinutes: 5,
});

export interface DelayEnvelope {
  readonly min: number;
  readonly max: number;
}

/**
 * The seed's redrive backoff, kept bit for bit: `min(min(2^(attempt-1), 300) + randint(0, jitter), 900)`
 * with `randint` inclusive as in Python. Its jitter (up to 5 minutes) dwarfs the exponential part for
 * the first eight attempts, which is why it is no longer the default.
 */
export function seedBackoffSeconds(attempt: number, random: () => number, baseJitterMinutes = 5): number {
  const base = Math.min(2 ** exponentFor(attempt), SEED_MAX_BASE_SECONDS);
  const maxJitter = seedJitterSeconds(baseJitterMinutes);
  const jitter = Math.min(Math.floor(unitRandom(random) * (maxJitter + 1)), maxJitter);
  return Math.min(base + jitter, SQS_MAX_DELAY_SECONDS);
}

/** `random(0, min(cap, base·2^(attempt-1)))`. */
export function fullJitter(attempt: number, random: () => number, bounds: BackoffBounds): number {
  return unitRandom(random) * exponentialCeiling(attempt, bounds);
}

/** `half + random(0, half)` with `half = min(cap, base·2^(attempt-1)) / 2`. */
export function equalJitter(attempt: number, random: () => number, bounds: BackoffBounds): number {
  const half = exponentialCeiling(attempt, bounds) / 2;
  return half + unitRandom(random) * half;
}

/**
 * `min(cap, random(base, previous·3))`. A previous delay below `base` (or not a number) counts as
 * `base`; one above `cap` counts as `cap`, which is all this function itself ever returns.
 */
export function decorrelatedJitter(previous: number, random: () => number, bounds: BackoffBounds): number {
  assertValidBounds(bounds);
  const upper = decorrelatedUpper(previous, bounds);
  return Math.min(bounds.cap, bounds.base + unitRandom(random) * (upper - bounds.base));
}

/**
 * The next SQS delay under `policy`: whole seconds in [0, min(capSeconds, 900)], never NaN, for any
 * attempt number (attempts below 1 count as 1) and any previous delay.
 *
 * Only decorrelated jitter reads `previousDelaySeconds`. A caller that cannot know it (the worker's
 * retries travel through the visibility timeout, which carries no state) passes `undefined`; the previous
 * delay is then taken as the exponential ceiling of the attempt before, `min(cap, base·2^(attempt-2))`,
 * so the delays still grow with the attempt instead of restarting from `base` every time.
 */
export function nextDelaySeconds(
  policy: BackoffPolicy,
  attempt: number,
  previousDelaySeconds: number | undefined,
  random: () => number,
): number {
  assertValidPolicy(policy);
  const bounds = secondsBounds(policy);
  switch (policy.strategy) {
    case 'seed':
      return Math.min(seedBackoffSeconds(attempt, random, policy.baseJitterMinutes), bounds.cap);
    case 'full-jitter':
      // Rounding (not flooring) lets the ceiling itself be drawn, so attempt 1 with base 1 is not always 0.
      return Math.round(fullJitter(attempt, random, bounds));
    case 'equal-jitter':
      return Math.round(equalJitter(attempt, random, bounds));
    case 'decorrelated-jitter':
      return Math.round(decorrelatedJitter(previousOrEstimate(previousDelaySeconds, attempt, bounds), random, bounds));
  }
}

/** The smallest and largest delay `nextDelaySeconds` can return for these arguments. */
export function backoffEnvelope(policy: BackoffPolicy, attempt: number, previousDelaySeconds: number | undefined): DelayEnvelope {
  assertValidPolicy(policy);
  const bounds = secondsBounds(policy);
  switch (policy.strategy) {
    case 'seed': {
      const base = Math.min(2 ** exponentFor(attempt), SEED_MAX_BASE_SECONDS);
      const max = Math.min(base + seedJitterSeconds(policy.baseJitterMinutes), SQS_MAX_DELAY_SECONDS, bounds.cap);
      return { min: Math.min(base, bounds.cap), max };
    }
    case 'full-jitter':
      return { min: 0, max: exponentialCeiling(attempt, bounds) };
    case 'equal-jitter': {
      const ceiling = exponentialCeiling(attempt, bounds);
      return { min: Math.ceil(ceiling / 2), max: ceiling };
    }
    case 'decorrelated-jitter': {
      const upper = decorrelatedUpper(previousOrEstimate(previousDelaySeconds, attempt, bounds), bounds);
      return { min: Math.min(bounds.base, bounds.cap), max: Math.min(bounds.cap, upper) };
    }
  }
}

/** Throws `BACKOFF.INVALID_POLICY` unless base and cap are whole seconds ≥ 0 and the jitter is ≥ 0. */
export function assertValidPolicy(policy: BackoffPolicy): void {
  const problems: string[] = [];
  if (!isNonNegativeInteger(policy.baseSeconds)) problems.push('baseSeconds must be a whole number ≥ 0');
  if (!isNonNegativeInteger(policy.capSeconds)) problems.push('capSeconds must be a whole number ≥ 0');
  if (!(Number.isFinite(policy.baseJitterMinutes) && policy.baseJitterMinutes >= 0)) problems.push('baseJitterMinutes must be ≥ 0');
  if (!['seed', 'full-jitter', 'equal-jitter', 'decorrelated-jitter'].includes(policy.strategy)) {
    problems.push(`unknown strategy ${String(policy.strategy)}`);
  }
  if (problems.length > 0) {
    throw new ValidationError(`invalid backoff policy: ${problems.join('; ')}`, { code: 'BACKOFF.INVALID_POLICY', context: { problems } });
  }
}

function secondsBounds(policy: BackoffPolicy): BackoffBounds {
  return { base: policy.baseSeconds, cap: Math.min(policy.capSeconds, SQS_MAX_DELAY_SECONDS) };
}

function exponentialCeiling(attempt: number, bounds: BackoffBounds): number {
  assertValidBounds(bounds);
  return Math.min(bounds.cap, bounds.base * 2 ** exponentFor(attempt));
}

/** The previous delay in whole seconds, or the exponential ceiling of the attempt before when unknown. */
function previousOrEstimate(previousDelaySeconds: number | undefined, attempt: number, bounds: BackoffBounds): number {
  if (previousDelaySeconds !== undefined) return Math.floor(previousDelaySeconds);
  return exponentialCeiling(Math.max(1, Math.floor(attempt) - 1), bounds);
}

function decorrelatedUpper(previous: number, bounds: BackoffBounds): number {
  const clamped = Number.isNaN(previous) ? bounds.base : Math.min(Math.max(previous, bounds.base), Math.max(bounds.cap, bounds.base));
  return Math.min(clamped * 3, Number.MAX_VALUE);
}

/** attempt 1 → 0, attempt n → n-1; below 1 or NaN → 0; clamped so that 2^n stays finite. */
function exponentFor(attempt: number): number {
  if (!(attempt >= 1)) return 0;
  return Math.min(Math.floor(attempt) - 1, MAX_EXPONENT);
}

function seedJitterSeconds(baseJitterMinutes: number): number {
  return Number.isFinite(baseJitterMinutes) && baseJitterMinutes > 0 ? Math.floor(baseJitterMinutes * 60) : 0;
}

/** A misbehaving source (NaN, 1, negative) must not push a delay outside its bounds. */
function unitRandom(random: () => number): number {
  const value = random();
  if (!Number.isFinite(value) || value < 0) return 0;
  return Math.min(value, LARGEST_BELOW_ONE);
}

function assertValidBounds(bounds: BackoffBounds): void {
  if (!(Number.isFinite(bounds.base) && bounds.base >= 0 && Number.isFinite(bounds.cap) && bounds.cap >= 0)) {
    throw new ValidationError('backoff bounds must be finite and ≥ 0', { code: 'BACKOFF.INVALID_BOUNDS', context: { ...bounds } });
  }
}

function isNonNegativeInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
