import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
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
import { resourceNotFound } from './service-error.js';

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

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.tableName = options.tableName ?? 'idempotency';
  }

  /** Drops the table and its records: from now on every call is refused, as for a table that does not exist. */
  deleteTable(): void {
    this.deleted = true;
    this.records.clear();
  }

  async claim(request: ClaimRequest): Promise<ClaimDecision> {
    this.assertTableExists();
    const decision = decideClaim(this.records.get(request.key), request);
    if (decision.kind === 'PROCEED') this.records.set(request.key, copy(decision.record));
    return { ...decision, record: copy(decision.record) };
  }

  async recordOutcome(key: string, ownerToken: string, outcome: OutcomeSummary, now: number): Promise<IdempotencyRecord> {
    return this.ownerGuarded(key, ownerToken, { type: 'RECORD_OUTCOME', ownerToken, outcome }, now);
  }

  async complete(key: string, ownerToken: string, now: number, outcome?: OutcomeSummary): Promise<IdempotencyRecord> {
    return this.ownerGuarded(key, ownerToken, { type: 'COMPLETE', ownerToken, ...(outcome === undefined ? {} : { outcome }) }, now);
  }

  async fail(
    key: string,
    ownerToken: string,
    failure: FailureInfo,
    park: boolean,
    now: number,
    outcome?: OutcomeSummary,
  ): Promise<IdempotencyRecord> {
    const event: IdempotencyEvent = { type: 'FAIL', ownerToken, failure, park, ...(outcome === undefined ? {} : { outcome }) };
    return this.ownerGuarded(key, ownerToken, event, now);
  }

  async park(key: string, failure: FailureInfo, now: number): Promise<IdempotencyRecord | undefined> {
    this.assertTableExists();
    const current = this.records.get(key);
    if (!isLive(current, now)) return undefined;
    try {
      return this.store(transition(current, { type: 'PARK', failure }, now));
    } catch (error) {
      // SUCCEEDED, or held by a live lease: nothing to park, and that is an answer, not a failure.
      if (error instanceof IllegalTransitionError) return copy(current);
      throw error;
    }
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

  private store(record: IdempotencyRecord): IdempotencyRecord {
    this.records.set(record.key, copy(record));
    return copy(record);
  }
}

function copy(record: IdempotencyRecord): IdempotencyRecord {
  return structuredClone(record);
}
