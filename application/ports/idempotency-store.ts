import type { ErrorCategory } from '../../domain/error-category.js';
import type {
  ClaimDecision,
  ClaimRequest,
  FailureInfo,
  IdempotencyRecord,
  OutcomeSummary,
  ParkedMessage,
} from '../../domain/idempotency.js';
import type { ReservationDecision, ReservationRequest } from '../../domain/idempotency-reservation.js';
import { outboxPendingSince, type OutboxEntry } from '../../domain/outbox.js';

/** What a failure or a park commits besides the status: the events that announce it, the parked message. */
export interface FailureCommit {
  readonly events?: readonly OutboxEntry[];
  readonly parkedMessage?: ParkedMessage;
}

export type ReplayAnswer =
  | { readonly replayed: true; readonly record: IdempotencyRecord }
  /** The record as it is (undefined when there is none): not PARKED, or changed under the replay. */
  | { readonly replayed: false; readonly record: IdempotencyRecord | undefined };

export interface RecordQuery {
  /** Records that are PARKED, optionally with this failure category. */
  readonly parked?: { readonly category?: ErrorCategory };
  /**
   * Records owing events since before this (epoch ms): the oldest undelivered entry was committed earlier
   * (`outboxPendingSince`). Stores answer it from an index, not a scan; fewer than `limit` found means no
   * other live record matches.
   */
  readonly pendingEventsBefore?: number;
  /**
   * Read the whole table instead of the index (an operator's forced redelivery): also finds records
   * written before the index existed. Same answer otherwise; stores without an index ignore it.
   */
  readonly scan?: boolean;
  readonly limit: number;
}

/**
 * Stores idempotency records; the domain (`domain/idempotency.ts`) decides every transition.
 * Each method is one conditional write: `claim` answers a duplicate in that same call, and the
 * owner-guarded methods throw `LeaseLostError` when `ownerToken` no longer holds the record.
 * Completion, failure and park commit their events to the record's outbox in that same write.
 */
export interface IdempotencyStore {
  /** The edge's reservation of a key and its payload fingerprint (status ACCEPTED); a known key answers from the same call. */
  reserve(request: ReservationRequest): Promise<ReservationDecision>;
  /**
   * Removes the reservation `reservation` is (the record a RESERVED answer carried, or one the sweep read),
   * owner-guarded: only while the stored record is still that very reservation (`isSameReservation`), never
   * another request's, a claimed or a finished one. False when it was no longer there to remove.
   */
  releaseReservation(reservation: IdempotencyRecord, now: number): Promise<boolean>;
  /**
   * Live ACCEPTED reservations no worker has claimed, awaiting their send since before `before` (epoch ms),
   * oldest first, at most `limit`: the sweep's look-up, through a sparse index (never a scan).
   */
  findAwaitingSend(before: number, limit: number, now: number): Promise<IdempotencyRecord[]>;
  /**
   * The sweep sent the message of `seen`: the reservation no longer awaits its send (`sentReservation`),
   * on condition that it is still that reservation. False when it changed (claimed, released, replaced).
   */
  markReservationSent(seen: IdempotencyRecord, leaseMs: number, now: number): Promise<boolean>;
  claim(request: ClaimRequest): Promise<ClaimDecision>;
  recordOutcome(key: string, ownerToken: string, outcome: OutcomeSummary, now: number): Promise<IdempotencyRecord>;
  /** SUCCEEDED; `outcome` and `events`, when given, are stored in the same write (the worker's happy path is claim + complete). */
  complete(
    key: string,
    ownerToken: string,
    now: number,
    outcome?: OutcomeSummary,
    events?: readonly OutboxEntry[],
  ): Promise<IdempotencyRecord>;
  /** RETRY, or PARKED when `park`; `outcome`, when given, is kept so the retry skips the business step. */
  fail(
    key: string,
    ownerToken: string,
    failure: FailureInfo,
    park: boolean,
    now: number,
    outcome?: OutcomeSummary,
    commit?: FailureCommit,
  ): Promise<IdempotencyRecord>;
  /**
   * Parks a key from outside a claim (the redrive). Returns undefined when there is nothing to park
   * (no live record) and the record unchanged when it SUCCEEDED or is held by a live lease.
   */
  park(key: string, failure: FailureInfo, now: number, commit?: FailureCommit): Promise<IdempotencyRecord | undefined>;
  /**
   * Marks outbox entries delivered (the relay), starting from `seen`, the image it read; undefined when
   * the record is gone. A concurrent change is re-read and merged, never overwritten.
   */
  markDelivered(seen: IdempotencyRecord, eventIds: readonly string[], now: number): Promise<IdempotencyRecord | undefined>;
  /** REPLAY of a PARKED record, conditional on it being unchanged since `seen` was read. */
  replay(seen: IdempotencyRecord, events: readonly OutboxEntry[], now: number): Promise<ReplayAnswer>;
  /**
   * Live records matching the query, at most `limit`; records owing events come oldest-owing first within
   * what the store reads together (an index partition). The parked look-up scans (an operator's); the
   * owing look-up reads the sparse index (the redelivery's, every scheduled tick).
   */
  find(query: RecordQuery, now: number): Promise<IdempotencyRecord[]>;
  /** The live record, or undefined when absent or expired. */
  get(key: string, now: number): Promise<IdempotencyRecord | undefined>;
}

/** The meaning of a RecordQuery, for stores that filter in code (DynamoDB encodes it as a filter expression). */
export function recordMatches(record: IdempotencyRecord, query: RecordQuery): boolean {
  if (query.parked !== undefined) {
    if (record.status !== 'PARKED') return false;
    if (query.parked.category !== undefined && record.lastError?.category !== query.parked.category) return false;
  }
  if (query.pendingEventsBefore !== undefined) {
    const since = outboxPendingSince(record.outbox);
    if (since === undefined || since >= query.pendingEventsBefore) return false;
  }
  return true;
}
