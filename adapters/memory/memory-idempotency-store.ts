import {
  recordMatches,
  type FailureCommit,
  type IdempotencyStore,
  type RecordQuery,
  type ReplayAnswer,
} from '../../application/ports/idempotency-store.js';
import { markDelivered, outboxPendingSince, type OutboxEntry } from '../../domain/outbox.js';
import {
  LeaseLostError,
  decideClaim,
  isLive,
  transition,
  type ClaimDecision,
  type ClaimRequest,
  type FailureInfo,
  type IdempotencyEvent,
  type IdempotencyRecord,
  type OutcomeSummary,
} from '../../domain/idempotency.js';
import { IllegalTransitionError } from '../../domain/errors.js';
import {
  decideReservation,
  isSameReservation,
  sentReservation,
  type ReservationDecision,
  type ReservationRequest,
} from '../../domain/idempotency-reservation.js';
import { resourceNotFound } from './service-error.js';

/** One write, as DynamoDB Streams reports it: the item before and after (undefined when absent). */
export interface RecordChange {
  readonly key: string;
  readonly before: IdempotencyRecord | undefined;
  readonly after: IdempotencyRecord;
}

export interface MemoryIdempotencyStoreOptions {
  /** Named in the error a deleted table answers with. Default `idempotency`. */
  readonly tableName?: string;
}

/**
 * Idempotency records in a Map. Every method reads and writes without an `await` in between, so each is
 * as atomic as DynamoDB's conditional write; the domain decides every transition. Records go in and out
 * as copies: no caller can change what is stored except through the methods.
 *
 * After `deleteTable`, every method is refused with ResourceNotFoundException, which the DynamoDB adapter
 * lets through as DynamoDB (and moto) throw it: never a lease lost, never an absent record.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord>();
  private readonly tableName: string;
  private deleted = false;
  private readonly listeners: ((change: RecordChange) => void)[] = [];

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.tableName = options.tableName ?? 'idempotency';
  }

  /** Drops the table and its records: from now on every call is refused, as for a table that does not exist. */
  deleteTable(): void {
    this.deleted = true;
    this.records.clear();
  }

  async reserve(request: ReservationRequest): Promise<ReservationDecision> {
    this.assertTableExists();
    const decision = decideReservation(this.records.get(request.key), request);
    if (decision.kind === 'RESERVED') return { ...decision, record: this.store(decision.record) };
    return { ...decision, record: copy(decision.record) };
  }

  async releaseReservation(reservation: IdempotencyRecord, now: number): Promise<boolean> {
    this.assertTableExists();
    const current = this.records.get(reservation.key);
    // An expired record is absent: nothing of the caller's is left to remove (DynamoDB's condition says the same).
    if (!isLive(current, now) || !isSameReservation(current, reservation)) return false;
    // A delete: no stream listener is told (the outbox relay reads new images only).
    this.records.delete(reservation.key);
    return true;
  }

  async findAwaitingSend(before: number, limit: number, now: number): Promise<IdempotencyRecord[]> {
    this.assertTableExists();
    return [...this.records.values()]
      .filter(
        (record) =>
          isLive(record, now) &&
          record.status === 'ACCEPTED' &&
          record.awaitingSendSince !== undefined &&
          record.awaitingSendSince < before,
      )
      .sort((a, b) => (a.awaitingSendSince ?? 0) - (b.awaitingSendSince ?? 0))
      .slice(0, limit)
      .map(copy);
  }

  async markReservationSent(seen: IdempotencyRecord, leaseMs: number, now: number): Promise<boolean> {
    this.assertTableExists();
    const current = this.records.get(seen.key);
    if (!isLive(current, now) || !isSameReservation(current, seen) || current.awaitingSendSince === undefined) return false;
    this.store(sentReservation(current, leaseMs, now));
    return true;
  }

  async claim(request: ClaimRequest): Promise<ClaimDecision> {
    this.assertTableExists();
    const decision = decideClaim(this.records.get(request.key), request);
    if (decision.kind === 'PROCEED') return { ...decision, record: this.store(decision.record) };
    return { ...decision, record: copy(decision.record) };
  }

  async recordOutcome(key: string, ownerToken: string, outcome: OutcomeSummary, now: number): Promise<IdempotencyRecord> {
    return this.ownerGuarded(key, ownerToken, { type: 'RECORD_OUTCOME', ownerToken, outcome }, now);
  }

  /** Called after every write with copies of the item before and after, in write order (the harness' stream). */
  onChange(listener: (change: RecordChange) => void): void {
    this.listeners.push(listener);
  }

  async complete(
    key: string,
    ownerToken: string,
    now: number,
    outcome?: OutcomeSummary,
    events?: readonly OutboxEntry[],
  ): Promise<IdempotencyRecord> {
    return this.ownerGuarded(
      key,
      ownerToken,
      {
        type: 'COMPLETE',
        ownerToken,
        ...(outcome === undefined ? {} : { outcome }),
        ...(events === undefined ? {} : { events }),
      },
      now,
    );
  }

  async fail(
    key: string,
    ownerToken: string,
    failure: FailureInfo,
    park: boolean,
    now: number,
    outcome?: OutcomeSummary,
    commit: FailureCommit = {},
  ): Promise<IdempotencyRecord> {
    const event: IdempotencyEvent = { type: 'FAIL', ownerToken, failure, park, ...(outcome === undefined ? {} : { outcome }), ...commit };
    return this.ownerGuarded(key, ownerToken, event, now);
  }

  async park(key: string, failure: FailureInfo, now: number, commit: FailureCommit = {}): Promise<IdempotencyRecord | undefined> {
    this.assertTableExists();
    const current = this.records.get(key);
    if (!isLive(current, now)) return undefined;
    try {
      return this.store(transition(current, { type: 'PARK', failure, ...commit }, now));
    } catch (error) {
      // SUCCEEDED, or held by a live lease: nothing to park, and that is an answer, not a failure.
      if (error instanceof IllegalTransitionError) return copy(current);
      throw error;
    }
  }

  async markDelivered(seen: IdempotencyRecord, eventIds: readonly string[], now: number): Promise<IdempotencyRecord | undefined> {
    this.assertTableExists();
    const current = this.records.get(seen.key);
    if (current === undefined) return undefined;
    const ids = new Set(eventIds);
    // Nothing undelivered to mark: no write (and no stream record), as in DynamoDB.
    if (!(current.outbox ?? []).some((entry) => entry.deliveredAt === undefined && ids.has(entry.eventId))) return copy(current);
    // Expired or not: delivery is a fact about events already sent, as DynamoDB's write records it.
    return this.store({ ...current, outbox: markDelivered(current.outbox, eventIds, now) });
  }

  async replay(seen: IdempotencyRecord, events: readonly OutboxEntry[], now: number): Promise<ReplayAnswer> {
    this.assertTableExists();
    const current = this.records.get(seen.key);
    if (!isLive(current, now) || current.status !== 'PARKED' || current.updatedAt !== seen.updatedAt) {
      return { replayed: false, record: isLive(current, now) ? copy(current) : undefined };
    }
    return { replayed: true, record: this.store(transition(current, { type: 'REPLAY', events }, now)) };
  }

  async find(query: RecordQuery, now: number): Promise<IdempotencyRecord[]> {
    this.assertTableExists();
    const found = [...this.records.values()].filter((record) => isLive(record, now) && recordMatches(record, query));
    // As the sparse index answers: oldest owing first.
    if (query.pendingEventsBefore !== undefined)
      found.sort((a, b) => (outboxPendingSince(a.outbox) ?? 0) - (outboxPendingSince(b.outbox) ?? 0));
    return found.slice(0, query.limit).map(copy);
  }

  async get(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    this.assertTableExists();
    const current = this.records.get(key);
    return isLive(current, now) ? copy(current) : undefined;
  }

  /** Every stored record, expired ones included (TTL deletion is lazy in DynamoDB too), for the harness. */
  snapshot(): IdempotencyRecord[] {
    return [...this.records.values()].map(copy);
  }

  private ownerGuarded(key: string, ownerToken: string, event: IdempotencyEvent, now: number): IdempotencyRecord {
    this.assertTableExists();
    try {
      return this.store(transition(this.records.get(key), event, now));
    } catch (error) {
      // Absent, expired, released or taken over: in every case the caller no longer holds the lease, which
      // is what DynamoDB's failed `ownerToken = :token AND status = INFLIGHT` condition says too.
      if (error instanceof IllegalTransitionError) throw new LeaseLostError(key, ownerToken);
      throw error;
    }
  }

  private assertTableExists(): void {
    if (this.deleted) throw resourceNotFound(`Requested resource not found: Table: ${this.tableName} not found`);
  }

  /** Stores a copy of `record` and returns another (the caller's): neither can change what is stored. */
  private store(record: IdempotencyRecord): IdempotencyRecord {
    const before = this.records.get(record.key);
    const stored = copy(record);
    this.records.set(record.key, stored);
    for (const listener of this.listeners)
      listener({ key: record.key, before: before === undefined ? undefined : copy(before), after: copy(stored) });
    return copy(stored);
  }
}

/**
 * A deep copy of a record. Records are plain data (what a DynamoDB item holds), so a copy of its objects
 * and arrays is exact, keys whose value is undefined included; anything else falls back to
 * structuredClone. About 10 × cheaper than structuredClone on every record, which was the largest single
 * cost of the in-memory worker (three or four copies per write).
 */
function copy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) result[key] = copy((value as Record<string, unknown>)[key]);
  return result as T;
}
