import type { ErrorCategory } from './error-category.js';
import { IllegalTransitionError, TransientError } from './errors.js';
import { appendToOutbox, markDelivered, type OutboxEntry } from './outbox.js';

/**
 * The idempotency record's life. NEW is the status of a key with no live record (absent or expired): it
 * is never stored. PARKED is added to the seed's four: a failure that must not be retried (or whose
 * budget is spent) is remembered with its category, so a later copy of the message is not worked again.
 * ACCEPTED is the edge's reservation (`domain/idempotency-reservation.ts`): the first accepted payload's fingerprint is
 * stored before its message is sent, so a later different payload is refused at once and the worker's
 * claim, which takes ACCEPTED over only for that same fingerprint, can never commit another payload.
 *
 *   NEW ──reserve──▶ ACCEPTED ──claim──┐
 *   NEW ──claim──▶ INFLIGHT ◀──────────┘ ──complete──▶ SUCCEEDED
 *                    │  ▲ └──fail(park)──▶ PARKED
 *        fail(retry) ▼  │ claim (RETRY, or INFLIGHT whose lease expired: the worker died)
 *                   RETRY ──park──▶ PARKED ──replay──▶ SUCCEEDED (outcome committed) or RETRY (fresh attempts)
 *
 * Completion, failure, parking and replay append the events that announce them to the record's outbox
 * (`domain/outbox.ts`) in the same write; DELIVER marks them delivered and changes nothing else.
 */
export const IDEMPOTENCY_STATUSES = ['NEW', 'ACCEPTED', 'INFLIGHT', 'RETRY', 'SUCCEEDED', 'PARKED'] as const;
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
  /** Epoch ms after which an INFLIGHT record may be taken over (ACCEPTED: re-accepted, its message presumed lost). */
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
  /** Events committed with this record's transitions, delivered by the outbox relay. */
  readonly outbox?: readonly OutboxEntry[];
  /** The message of a parked order, kept so that a replay can send it again (bounded; see `truncated`). */
  readonly parkedMessage?: ParkedMessage;
  /** How many times an operator replayed this order. */
  readonly replays?: number;
  /**
   * ACCEPTED only, until a worker claims it: when the edge wrote the reservation, whose message may not
   * have left yet (`domain/idempotency-reservation.ts`). The sweep finds stranded reservations by it.
   */
  readonly awaitingSendSince?: number;
  /** ACCEPTED only, until claimed: the order message's body as the edge sends it, so the sweep can send it instead. */
  readonly pendingMessage?: string;
}

export interface ParkedMessage {
  readonly body: string;
  /** The body was longer than a record may hold: it cannot be replayed from the record. */
  readonly truncated: boolean;
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
  /**
   * The OrderPublished event, appended to the outbox by the first claim only (of a reservation, or of a
   * key with no live record): a worker received the message, so the order was queued. Its eventId is
   * deterministic, so a later claim never adds it again.
   */
  readonly published?: OutboxEntry;
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
  /** `outcome`, when given, is committed with the completion: the business effect, its record and its events in one write. */
  | { readonly type: 'COMPLETE'; readonly ownerToken: string; readonly outcome?: OutcomeSummary; readonly events?: readonly OutboxEntry[] }
  /** `outcome`, when given, is kept so that the retry does not run the business step again. */
  | {
      readonly type: 'FAIL';
      readonly ownerToken: string;
      readonly failure: FailureInfo;
      readonly park: boolean;
      readonly outcome?: OutcomeSummary;
      readonly events?: readonly OutboxEntry[];
      readonly parkedMessage?: ParkedMessage;
    }
  | {
      readonly type: 'PARK';
      readonly failure: FailureInfo;
      readonly events?: readonly OutboxEntry[];
      readonly parkedMessage?: ParkedMessage;
    }
  /** The relay delivered these events. */
  | { readonly type: 'DELIVER'; readonly eventIds: readonly string[] }
  /**
   * An operator brings a PARKED order back: with a committed outcome it is SUCCEEDED (its events are
   * delivered again, nothing runs twice); without one it is RETRY with a fresh attempt budget.
   */
  | { readonly type: 'REPLAY'; readonly events: readonly OutboxEntry[] };

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

/** An INFLIGHT lease, or an ACCEPTED reservation's, has run out. */
export function leaseExpired(record: IdempotencyRecord, now: number): boolean {
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
    case 'ACCEPTED':
    case 'RETRY':
      return proceed(existing, request);
  }
}

function proceed(existing: IdempotencyRecord, request: ClaimRequest): ClaimDecision {
  const record = claimedRecord(existing, request);
  return { kind: 'PROCEED', record, attempt: record.attempts, resumed: record.outcome !== undefined };
}

/** A claim that finds no live record, or the edge's reservation, is the order's first: its message was queued. */
export function isFirstClaim(existing: IdempotencyRecord | undefined, now: number): boolean {
  return !isLive(existing, now) || existing.status === 'ACCEPTED';
}

// The reservation's awaitingSendSince and pendingMessage are not carried over: a claimed order's message has left.
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
  const outbox =
    request.published !== undefined && isFirstClaim(existing, now)
      ? appendToOutbox(existing?.outbox, [request.published])
      : existing?.outbox;
  return {
    ...base,
    ...(existing?.lastError === undefined ? {} : { lastError: existing.lastError }),
    ...(existing?.outcome === undefined ? {} : { outcome: existing.outcome }),
    ...(outbox === undefined ? {} : { outbox }),
    ...(existing?.parkedMessage === undefined ? {} : { parkedMessage: existing.parkedMessage }),
    ...(existing?.replays === undefined ? {} : { replays: existing.replays }),
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
      return withEvents(withOutcome(released(record, 'SUCCEEDED', now), event.outcome), event.events);
    case 'FAIL': {
      assertOwner(record, event.ownerToken, from, event.type);
      const failed = withOutcome({ ...released(record, event.park ? 'PARKED' : 'RETRY', now), lastError: event.failure }, event.outcome);
      return withParkedMessage(withEvents(failed, event.events), event.park ? event.parkedMessage : undefined);
    }
    case 'PARK':
      if (record.status === 'SUCCEEDED' || (record.status === 'INFLIGHT' && !leaseExpired(record, now))) {
        throw new IllegalTransitionError('idempotency', record.status, event.type);
      }
      return withParkedMessage(
        withEvents({ ...released(record, 'PARKED', now), lastError: event.failure }, event.events),
        event.parkedMessage,
      );
    case 'DELIVER':
      return { ...record, outbox: markDelivered(record.outbox, event.eventIds, now) };
    case 'REPLAY':
      return replayed(record, event.events, now);
  }
}

function replayed(record: IdempotencyRecord, events: readonly OutboxEntry[], now: number): IdempotencyRecord {
  if (record.status !== 'PARKED') throw new IllegalTransitionError('idempotency', record.status, 'REPLAY');
  const { lastError: _failure, ...rest } = record;
  const base = { ...rest, replays: (record.replays ?? 0) + 1, updatedAt: now };
  // The outcome was committed: the order succeeded, only its announcement is owed. Otherwise it is worked
  // again from the first attempt; the record forgets the failure so that an old copy cannot re-park it.
  return withEvents(record.outcome !== undefined ? { ...base, status: 'SUCCEEDED' } : { ...base, status: 'RETRY', attempts: 0 }, events);
}

function withEvents(record: IdempotencyRecord, events: readonly OutboxEntry[] | undefined): IdempotencyRecord {
  return events === undefined || events.length === 0 ? record : { ...record, outbox: appendToOutbox(record.outbox, events) };
}

function withParkedMessage(record: IdempotencyRecord, parkedMessage: ParkedMessage | undefined): IdempotencyRecord {
  return parkedMessage === undefined ? record : { ...record, parkedMessage };
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
