import type {
  ClaimDecision,
  ClaimRequest,
  FailureInfo,
  IdempotencyRecord,
  OutcomeSummary,
} from '../../domain/idempotency.js';

/**
 * Stores idempotency records; the domain (`domain/idempotency.ts`) decides every transition.
 * Each method is one conditional write: `claim` answers a duplicate in that same call, and the
 * owner-guarded methods throw `LeaseLostError` when `ownerToken` no longer holds the record.
 */
export interface IdempotencyStore {
  claim(request: ClaimRequest): Promise<ClaimDecision>;
  recordOutcome(key: string, ownerToken: string, outcome: OutcomeSummary, now: number): Promise<IdempotencyRecord>;
  /** SUCCEEDED; `outcome`, when given, is stored in the same write (the worker's happy path is claim + complete). */
  complete(key: string, ownerToken: string, now: number, outcome?: OutcomeSummary): Promise<IdempotencyRecord>;
  /** RETRY, or PARKED when `park`; `outcome`, when given, is kept so the retry skips the business step. */
  fail(key: string, ownerToken: string, failure: FailureInfo, park: boolean, now: number, outcome?: OutcomeSummary): Promise<IdempotencyRecord>;
  /**
   * Parks a key from outside a claim (the redrive). Returns undefined when there is nothing to park
   * (no live record) and the record unchanged when it SUCCEEDED or is held by a live lease.
   */
  park(key: string, failure: FailureInfo, now: number): Promise<IdempotencyRecord | undefined>;
  /** The live record, or undefined when absent or expired. */
  get(key: string, now: number): Promise<IdempotencyRecord | undefined>;
}
