import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { FailureCommit, IdempotencyStore, RecordQuery, ReplayAnswer } from '../../application/ports/idempotency-store.js';
import type { OutboxEntry } from '../../domain/outbox.js';
import {
  LeaseLostError,
  decideClaim,
  isLive,
  type ClaimDecision,
  type ClaimRequest,
  type FailureInfo,
  type IdempotencyRecord,
  type OutcomeSummary,
} from '../../domain/idempotency.js';
import { claimRace, refusal } from './dynamodb-claim-race.js';
import { claimUpdate } from './dynamodb-claim-update.js';
import { reserveRecord } from './dynamodb-reservation.js';
import { findAwaitingSendItems, markReservationItemSent, releaseReservationItem } from './dynamodb-awaiting-send.js';
import { type ReservationDecision, type ReservationRequest } from '../../domain/idempotency-reservation.js';
import {
  CLAIMABLE,
  commitClauses,
  expressions,
  FIRST_CLAIMABLE,
  HELD_BY_OWNER,
  PARKABLE,
  RECLAIMABLE,
  RELEASE_LEASE,
  statusValues,
} from './dynamodb-expressions.js';
import { findRecords, markRecordDelivered, replayRecord } from './dynamodb-record-operations.js';
import { IDEMPOTENCY_TABLE_KEY, toItem, toRecord } from './idempotency-item.js';

export interface DynamoDbIdempotencyStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

type Values = Record<string, AttributeValue>;

/**
 * The idempotency store on DynamoDB. Each method is one conditional write; `domain/idempotency.ts`
 * decides every answer, and each condition is the write-side encoding of its rows. A duplicate costs
 * one call (the existing item comes back on the failed condition), the happy path two (claim, complete).
 */
export class DynamoDbIdempotencyStore implements IdempotencyStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoDbIdempotencyStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  reserve(request: ReservationRequest): Promise<ReservationDecision> {
    return reserveRecord(this.client, this.tableName, request, (item) => this.refusingRecord(item, request.key));
  }

  releaseReservation(reservation: IdempotencyRecord, now: number): Promise<boolean> {
    return releaseReservationItem(this.client, this.tableName, reservation, now);
  }

  findAwaitingSend(before: number, limit: number, now: number): Promise<IdempotencyRecord[]> {
    return findAwaitingSendItems(this.client, this.tableName, before, limit, now);
  }

  markReservationSent(seen: IdempotencyRecord, leaseMs: number, now: number): Promise<boolean> {
    return markReservationItemSent(this.client, this.tableName, seen, leaseMs, now);
  }

  /**
   * With an OrderPublished event to commit, the first claim (the reservation, or no live record) is tried
   * alone, appending it: one call on the happy path and for a duplicate. A re-claim (RETRY, or INFLIGHT
   * whose lease ran out) is refused by that condition and written by a second call without the event,
   * which the first claim committed already.
   */
  async claim(request: ClaimRequest): Promise<ClaimDecision> {
    let attempt = await this.tryClaim(request, request.published === undefined ? CLAIMABLE : FIRST_CLAIMABLE, request.published);
    if (!attempt.written && request.published !== undefined) {
      const decision = decideClaim(attempt.current, request);
      if (decision.kind !== 'PROCEED') return decision;
      attempt = await this.tryClaim(request, RECLAIMABLE, undefined);
    }
    if (!attempt.written) return refusal(attempt.current, request);
    const decision = decideClaim(attempt.previous, request);
    if (decision.kind !== 'PROCEED') throw claimRace(request.key, decision.kind);
    if (attempt.previous !== undefined && !isLive(attempt.previous, request.now)) await this.forgetExpired(decision.record);
    return decision;
  }

  private async tryClaim(
    request: ClaimRequest,
    condition: string,
    published: OutboxEntry | undefined,
  ): Promise<{ written: true; previous: IdempotencyRecord | undefined } | { written: false; current: IdempotencyRecord | undefined }> {
    const { update, values } = claimUpdate(request, published);
    try {
      const response = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(request.key),
          ...expressions(update, condition, values),
          // The item as it was: the domain then computes the granted record, exactly what was written.
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { written: true, previous: response.Attributes === undefined ? undefined : toRecord(response.Attributes) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { written: false, current: await this.refusingRecord(error.Item, request.key) };
    }
  }

  recordOutcome(key: string, ownerToken: string, outcome: OutcomeSummary, now: number): Promise<IdempotencyRecord> {
    return this.ownerGuarded(key, ownerToken, now, 'SET outcome = :outcome, updatedAt = :now', marshall({ ':outcome': outcome }));
  }

  complete(
    key: string,
    ownerToken: string,
    now: number,
    outcome?: OutcomeSummary,
    events?: readonly OutboxEntry[],
  ): Promise<IdempotencyRecord> {
    const commit = commitClauses({ ...(events === undefined ? {} : { events }) }, key);
    const withOutcome = outcome === undefined ? '' : ', outcome = :outcome';
    return this.ownerGuarded(
      key,
      ownerToken,
      now,
      `SET #status = :succeeded, updatedAt = :now${withOutcome}${commit.set} ${RELEASE_LEASE}`,
      { ...(outcome === undefined ? {} : marshall({ ':outcome': outcome })), ...commit.values },
    );
  }

  fail(
    key: string,
    ownerToken: string,
    failure: FailureInfo,
    park: boolean,
    now: number,
    outcome?: OutcomeSummary,
    commit: FailureCommit = {},
  ): Promise<IdempotencyRecord> {
    const withOutcome = outcome === undefined ? '' : ', outcome = :outcome';
    const clauses = commitClauses(park ? commit : { ...(commit.events === undefined ? {} : { events: commit.events }) }, key);
    return this.ownerGuarded(
      key,
      ownerToken,
      now,
      `SET #status = ${park ? ':parked' : ':retry'}, lastError = :lastError, updatedAt = :now${withOutcome}${clauses.set} ${RELEASE_LEASE}`,
      {
        ...marshall({
          ':lastError': { category: failure.category, code: failure.code },
          ...(outcome === undefined ? {} : { ':outcome': outcome }),
        }),
        ...clauses.values,
      },
    );
  }

  async park(key: string, failure: FailureInfo, now: number, commit: FailureCommit = {}): Promise<IdempotencyRecord | undefined> {
    const clauses = commitClauses(commit, key);
    try {
      const response = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          ...expressions(`SET #status = :parked, lastError = :lastError, updatedAt = :now${clauses.set} ${RELEASE_LEASE}`, PARKABLE, {
            ...statusValues(),
            ...marshall({ ':lastError': { category: failure.category, code: failure.code }, ':now': now, ':nowSeconds': now / 1000 }),
            ...clauses.values,
          }),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toRecord(response.Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Nothing live to park, or SUCCEEDED / held by a live lease: the record as it is answers the caller.
      const current = error.Item === undefined ? undefined : toRecord(error.Item);
      return isLive(current, now) ? current : undefined;
    }
  }

  markDelivered(seen: IdempotencyRecord, eventIds: readonly string[], now: number): Promise<IdempotencyRecord | undefined> {
    return markRecordDelivered(this.client, this.tableName, seen, eventIds, now);
  }

  replay(seen: IdempotencyRecord, events: readonly OutboxEntry[], now: number): Promise<ReplayAnswer> {
    return replayRecord(this.client, this.tableName, seen, events, now);
  }

  find(query: RecordQuery, now: number): Promise<IdempotencyRecord[]> {
    return findRecords(this.client, this.tableName, query, now);
  }

  async get(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    const response = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.keyOf(key), ConsistentRead: true }));
    const record = response.Item === undefined ? undefined : toRecord(response.Item);
    return isLive(record, now) ? record : undefined;
  }

  /**
   * The item that refused a claim, from the failed condition itself (ALL_OLD). An item that is not a
   * whole record can only be one another writer is creating at this instant: DynamoDB never shows one,
   * but emulators do (moto creates the key, then applies the update). One consistent read settles it.
   */
  private async refusingRecord(item: Record<string, AttributeValue> | undefined, key: string): Promise<IdempotencyRecord | undefined> {
    if (item === undefined) return undefined;
    try {
      return toRecord(item);
    } catch (malformed) {
      const reread = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.keyOf(key), ConsistentRead: true }));
      try {
        return reread.Item === undefined ? undefined : toRecord(reread.Item);
      } catch {
        throw claimRace(key, 'INCOMPLETE_RECORD', malformed);
      }
    }
  }

  private async ownerGuarded(key: string, ownerToken: string, now: number, update: string, values: Values): Promise<IdempotencyRecord> {
    try {
      const response = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          ...expressions(update, HELD_BY_OWNER, {
            ...statusValues(),
            ...values,
            ...marshall({ ':owner': ownerToken, ':now': now, ':nowSeconds': now / 1000 }),
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(response.Attributes ?? {});
    } catch (error) {
      // Absent, expired, released or taken over: in every case the caller no longer holds the lease.
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(key, ownerToken);
      throw error;
    }
  }

  /**
   * An expired record is absent for the domain, but the claim's update kept its attempts, outcome and
   * last error. Rare (a key seen again after its TTL, before DynamoDB deleted it): one more write, still
   * guarded by the lease just granted, stores the fresh record the domain decided.
   */
  private async forgetExpired(record: IdempotencyRecord): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'ownerToken = :owner',
          ExpressionAttributeValues: marshall({ ':owner': record.ownerToken ?? '' }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(record.key, record.ownerToken ?? '');
      throw error;
    }
  }

  private keyOf(key: string): Values {
    return { [IDEMPOTENCY_TABLE_KEY]: { S: key } };
  }
}
