import type { BreakerSettings } from '../../domain/circuit-breaker/settings.js';
import type { VolumeRule } from '../../domain/circuit-breaker/window.js';

/**
 * The dependencies this pipeline guards with a breaker, and the seed's settings for each. Configuration,
 * not domain: the breaker's state machine knows nothing of which services exist. A stage overrides any of
 * these with BREAKER_SETTINGS (breaker-config.ts).
 */
export const SERVICE_NAMES = ['dynamodb', 'sqs', 'eventbridge'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * How many times the seed's threshold a run of failures must be to open the breaker at volume. A run of
 * k failures at a scattered fault rate p starts on a given call with probability about (1 − p)·p^k: at
 * 20 %, 4 × 3 = 12 gives 3.3e-9, under one false opening a day at 1 000 calls/s in one environment
 * (0.28); 3 × 3 = 9 would give 35 a day. So a total outage costs at most 12 DynamoDB or EventBridge calls
 * per environment, and 20 SQS calls, at any volume, instead of ⌈failureRatio × windowCalls⌉ = 25.
 */
export const RUN_RULE_MULTIPLE = 4;

/**
 * How many times the seed's threshold a run must be to open the breaker when the window (the last 50
 * calls) holds no counted failure but the run's own: 2 × 3 = 6 for DynamoDB and EventBridge, 10 for SQS.
 * Scattered faults at rate p leave failures in the window: for a run of 6 to open it, a success, 6
 * failures and, before that success, the 43 other calls the window still holds must all succeed, about
 * (1 − p)·p^6·(1 − p)^43 per call at steady state (longer runs, whose window reaches back less far, add
 * 7 %). At 20 % that is 3.7e-9: 0.32 false openings a day at 1 000 calls/s in one environment, beside
 * the long run's 0.28 and the ratio rule's measured 0.75 per million calls (65 a day,
 * bench/breaker-runs.ts). The worst fault rate for it is p ≈ 12 %: 1.1e-8, 0.95 a day at 1 000 calls/s,
 * where the other rules open almost never. The price is paid at the onset of a partial fault after a
 * clean spell: its first failure starts a run of 6 with probability p^5 (3.2e-4 at 20 %). A total outage
 * that begins in a clean window costs 6 calls at any volume; one that begins amid scattered failures up
 * to RUN_RULE_MULTIPLE × the threshold.
 */
export const CLEAN_RUN_MULTIPLE = 2;

/**
 * The seed's per-service rule ("DynamoDB: 3 failures, 30 s recovery", …), read as N failures within T:
 * the one duration is both the window and the recovery time, so failures left over from before an idle
 * gap (a frozen environment) cannot add up to a trip.
 */
export const SERVICE_BREAKER_SETTINGS: Readonly<Record<ServiceName, BreakerSettings>> = {
  dynamodb: {
    failureThreshold: 3,
    recoveryTimeoutMs: 30_000,
    halfOpenMaxProbes: 1,
    failureWindowMs: 30_000,
    volume: volumeRule(30_000, 3),
  },
  sqs: { failureThreshold: 5, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1, failureWindowMs: 60_000, volume: volumeRule(60_000, 5) },
  eventbridge: {
    failureThreshold: 3,
    recoveryTimeoutMs: 45_000,
    halfOpenMaxProbes: 1,
    failureWindowMs: 45_000,
    volume: volumeRule(45_000, 3),
  },
};

/**
 * Half the calls failing over at least 20 of the last 50 calls within the seed's window, or a run of
 * RUN_RULE_MULTIPLE × the seed's threshold failures, or of CLEAN_RUN_MULTIPLE × when the window held no
 * other failure. Simulated over 4 million independent calls (bench/breaker-runs.ts): 12 % failures never
 * opened it, 20 % 3 times (the ratio rule), 30 % about 300 times per million calls; a total outage at
 * volume opens it after 2 × the seed's threshold failures from a clean window and at most 4 × otherwise,
 * where the ratio alone took 25.
 */
function volumeRule(windowMs: number, failureThreshold: number): VolumeRule {
  return {
    failureRatio: 0.5,
    minimumCalls: 20,
    windowCalls: 50,
    windowMs,
    consecutiveFailures: RUN_RULE_MULTIPLE * failureThreshold,
    cleanRunFailures: CLEAN_RUN_MULTIPLE * failureThreshold,
  };
}
