import type { ErrorCategory } from './error-category.js';
import { IllegalTransitionError, TransientError } from './errors.js';

/**
 * The idempotency record's life. NEW is the status of a key with no live record (absent or expired): it
 * is never stored. PARKED is added to the seed's four: a failure that must not be retried (or whose
 * budget is spent) is remembered with its category, so a later copy of the message is not worked again.
 *
 *   NEW ──claim──▶ INFLIGHT ──complete──▶ SUCCEEDED
 *                    │  ▲ └──fail(park)──▶ PARKED
 *        fail(retry) ▼  │ claim (RETRY, or INFLIGHT whose lease expired: the worker died)
 *                   RETRY ──park──▶ PARKED
 */
export const IDEMPOTENCY_STATUSES = ['NEW', 'INFLIGHT', 'RETRY', 'SUCCEEDED', 'PARKED'] as const;
export type IdempotencyStatus = (typeof IDEMPOTENCY_STATUSES)[number];
export type StoredStatus = Exclude<IdempotencyStatus, 'NEW'>;

/** A small summary of the business step's result. Never the payload: records must stay far below 400 KB. */
export type OutcomeSummary = Readonly<Record<string, string | number | boolean>>;

export interface FailureInfo {
  readonly category: ErrorCategory;
  readonly code: string;
}

export interface IdempotencyRecord {
  readonly key: string;
  readonly status: StoredStatus;
  readonly payloadHash: string;
  /** Claims granted so far (1 on the first attempt). */
  readonly attempts: number;
  /** Who holds the INFLIGHT lease; completion and failure must present it. */
  readonly ownerToken?: string;
  /** Epoch ms after which an INFLIGHT record may be taken over. */
  readonly leaseExpiresAt?: number;
  /** Epoch seconds; also the DynamoDB TTL attribute. Enforced here, never trusted to TTL deletion. */
  readonly expiresAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly lastError?: FailureInfo;
  /** Set once the business step succeeded; a retry then only re-emits events. */
  readonly outcome?: OutcomeSummary;
  readonly orderId?: string;
  readonly correlationId?: string;
}

export interface ClaimRequest {
  readonly key: string;
  readonly payloadHash: string;
  readonly ownerToken: string;
  readonly now: number;
  readonly leaseMs: number;
  readonly ttlSeconds: number;
  readonly orderId?: string;
  readonly correlationId?: string;
}

export type ClaimDecision =
  /** Work it. `resumed` means the business step already succeeded: only emit events and complete. */
  | { readonly kind: 'PROCEED'; readonly record: IdempotencyRecord; readonly attempt: number; readonly resumed: boolean }
  /** Done before: acknowledge and skip. */
  | { readonly kind: 'ALREADY_SUCCEEDED'; readonly record: IdempotencyRecord }
  /** Another worker holds a live lease: return the message to the queue for later. */
  | { readonly kind: 'IN_PROGRESS'; readonly record: IdempotencyRecord; readonly retryAfterMs: number }
  /** Same key, different payload: never processed; park it. */
  | { readonly kind: 'CONFLICT'; readonly record: IdempotencyRecord }
  /** Parked earlier: acknowledge and skip; the reason is on the record. */
  | { readonly kind: 'PARKED'; readonly record: IdempotencyRecord };

export type IdempotencyEvent =
  | { readonly type: 'CLAIM'; readonly request: ClaimRequest }
  | { readonly type: 'RECORD_OUTCOME'; readonly ownerToken: string; readonly outcome: OutcomeSummary }
  /** `outcome`, when given, is committed with the completion: the business effect and its record in one write. */
  | { readonly type: 'COMPLETE'; readonly ownerToken: string; readonly outcome?: OutcomeSummary }
  /** `outcome`, when given, is kept so that the retry only re-emits events (the business step succeeded). */
  | { readonly type: 'FAIL'; readonly ownerToken: string; readonly failure: FailureInfo; readonly park: boolean; readonly outcome?: OutcomeSummary }
  | { readonly type: 'PARK'; readonly failure: FailureInfo };

/** Completion or failure presented by a worker that no longer holds the lease. */
export class LeaseLostError extends TransientError {
  constructor(key: string, ownerToken: string) {
    super(`idempotency lease for ${key} is no longer held by ${ownerToken}`, {
      code: 'IDEMPOTENCY.LEASE_LOST',
      context: { key },
    });
  }
}

/** A stored record past its expiry is, for every purpose, absent. */
export function isLive(record: IdempotencyRecord | undefined, now: number): record is IdempotencyRecord {
  return record !== undefined && record.expiresAt * 1000 > now;
}

export function statusOf(record: IdempotencyRecord | undefined, now: number): IdempotencyStatus {
  return isLive(record, now) ? record.status : 'NEW';
}

function leaseExpired(record: IdempotencyRecord, now: number): boolean {
  return (record.leaseExpiresAt ?? 0) <= now;
}

/** What a claim on `existing` decides. The DynamoDB adapter encodes the PROCEED cases as its write condition. */
export function decideClaim(existing: IdempotencyRecord | undefined, request: ClaimRequest): ClaimDecision {
  const { now } = request;
  if (!isLive(existing, now)) {
    return { kind: 'PROCEED', record: claimedRecord(undefined, request), attempt: 1, resumed: false };
  }
  if (existing.payloadHash !== request.payloadHash) return { kind: 'CONFLICT', record: existing };
  switch (existing.status) {
    case 'SUCCEEDED':
      return { kind: 'ALREADY_SUCCEEDED', record: existing };
    case 'PARKED':
      return { kind: 'PARKED', record: existing };
    case 'INFLIGHT':
      if (!leaseExpired(existing, now)) {
        return { kind: 'IN_PROGRESS', record: existing, retryAfterMs: (existing.leaseExpiresAt ?? now) - now };
      }
      return proceed(existing, request);
    case 'RETRY':
      return proceed(existing, request);
  }
}

function proceed(existing: IdempotencyRecord, request: ClaimRequest): ClaimDecision {
  const record = claimedRecord(existing, request);
  return { kind: 'PROCEED', record, attempt: record.attempts, resumed: record.outcome !== undefined };
}

function claimedRecord(existing: IdempotencyRecord | undefined, request: ClaimRequest): IdempotencyRecord {
  const { now } = request;
  const base: IdempotencyRecord = {
    key: request.key,
    status: 'INFLIGHT',
    payloadHash: request.payloadHash,
    attempts: (existing?.attempts ?? 0) + 1,
    ownerToken: request.ownerToken,
    leaseExpiresAt: now + request.leaseMs,
    expiresAt: Math.floor(now / 1000) + request.ttlSeconds,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    ...(request.orderId === undefined ? {} : { orderId: request.orderId }),
    ...(request.correlationId === undefined ? {} : { correlationId: request.correlationId }),
  };
  return {
    ...base,
    ...(existing?.lastError === undefined ? {} : { lastError: existing.lastError }),
    ...(existing?.outcome === undefined ? {} : { outcome: existing.outcome }),
  };
}

/**
 * The transition function. `record` is the stored record or undefined; the result is the record to store.
 * CLAIM of a record that does not allow it, and any event a state's row does not list, fail loudly.
 */
export function transition(record: IdempotencyRecord | undefined, event: IdempotencyEvent, now: number): IdempotencyRecord {
  const from = statusOf(record, now);
  if (event.type === 'CLAIM') {
    const decision = decideClaim(record, { ...event.request, now });
    if (decision.kind !== 'PROCEED') throw new IllegalTransitionError('idempotency', from, `CLAIM(${decision.kind})`);
    return decision.record;
  }
  if (!isLive(record, now)) throw new IllegalTransitionError('idempotency', from, event.type);
  switch (event.type) {
    case 'RECORD_OUTCOME':
      assertOwner(record, event.ownerToken, from, event.type);
      return { ...record, outcome: event.outcome, updatedAt: now };
    case 'COMPLETE':
      assertOwner(record, event.ownerToken, from, event.type);
      return withOutcome(released(record, 'SUCCEEDED', now), event.outcome);
    case 'FAIL':
      assertOwner(record, event.ownerToken, from, event.type);
      return withOutcome({ ...released(record, event.park ? 'PARKED' : 'RETRY', now), lastError: event.failure }, event.outcome);
    case 'PARK':
      if (record.status === 'SUCCEEDED' || (record.status === 'INFLIGHT' && !leaseExpired(record, now))) {
        throw new IllegalTransitionError('idempotency', record.status, event.type);
      }
      return { ...released(record, 'PARKED', now), lastError: event.failure };
  }
}

function assertOwner(record: IdempotencyRecord, ownerToken: string, from: IdempotencyStatus, event: string): void {
  if (record.status !== 'INFLIGHT') throw new IllegalTransitionError('idempotency', from, event);
  if (record.ownerToken !== ownerToken) throw new LeaseLostError(record.key, ownerToken);
}

function withOutcome(record: IdempotencyRecord, outcome: OutcomeSummary | undefined): IdempotencyRecord {
  return outcome === undefined ? record : { ...record, outcome };
}

function released(record: IdempotencyRecord, status: StoredStatus, now: number): IdempotencyRecord {
  const { ownerToken: _owner, leaseExpiresAt: _lease, ...rest } = record;
  return { ...rest, status, updatedAt: now };
}

export interface LeaseOptions {
  /** Kept back from the remaining invocation time, so the lease ends before the invocation does. */
  readonly marginMs: number;
  /** The shortest lease ever granted. */
  readonly floorMs: number;
  /** Used when the remaining time is unknown or not positive (0 must never mean "no lease"). */
  readonly fallbackMs: number;
}

export const DEFAULT_LEASE_OPTIONS: LeaseOptions = { marginMs: 1_000, floorMs: 5_000, fallbackMs: 60_000 };

/** Lease length for a claim made with `remainingMs` of invocation time left. */
export function leaseDurationMs(remainingMs: number | undefined, options: LeaseOptions = DEFAULT_LEASE_OPTIONS): number {
  if (remainingMs === undefined || !Number.isFinite(remainingMs) || remainingMs <= 0) return options.fallbackMs;
  return Math.max(options.floorMs, remainingMs - options.marginMs);
}
