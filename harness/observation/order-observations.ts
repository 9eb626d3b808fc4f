import type { PipelineEvent } from '../../application/ports/event-bus.js';
import type { FailureInfo, IdempotencyRecord, OutcomeSummary, StoredStatus } from '../../domain/idempotency.js';
import type { CommitLedger } from './commit-ledger.js';

/**
 * What the harness knows of one order, from the table, the bus and its own ledger: what a fault scenario
 * (npm run chaos) checks its invariants against, read once after settling (GET /admin/orders).
 */
export interface OrderObservation {
  readonly key: string;
  readonly status: StoredStatus;
  readonly attempts: number;
  readonly orderId?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** First SUCCEEDED or PARKED seen by this harness process; absent for a record settled by an earlier one. */
  readonly settledAt?: number;
  /** Business steps committed for the key in this process (more than 1 breaks exactly-once). */
  readonly commits: number;
  readonly outcome?: OutcomeSummary;
  readonly lastError?: FailureInfo;
  /** The record's outbox: what it announces, and whether each event has been delivered. */
  readonly outbox: ReadonlyArray<{ readonly eventId: string; readonly detailType: string; readonly delivered: boolean }>;
  /** Events the bus delivered for the key (the record's and earlier ones of the key alike), by type and id, with how often. */
  readonly delivered: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export function observeOrders(
  records: readonly IdempotencyRecord[],
  events: readonly PipelineEvent[],
  commits: CommitLedger,
): OrderObservation[] {
  const deliveredByKey = new Map<string, Record<string, Record<string, number>>>();
  for (const event of events) {
    const key = event.detail.idempotencyKey;
    if (typeof key !== 'string') continue;
    const byType = deliveredByKey.get(key) ?? {};
    const byId = (byType[event.detailType] ??= {});
    byId[event.eventId] = (byId[event.eventId] ?? 0) + 1;
    deliveredByKey.set(key, byType);
  }
  return records.map((record) => {
    const settledAt = commits.settledAt(record.key);
    return {
      key: record.key,
      status: record.status,
      attempts: record.attempts,
      ...(record.orderId === undefined ? {} : { orderId: record.orderId }),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      ...(settledAt === undefined ? {} : { settledAt }),
      commits: commits.commitsOf(record.key),
      ...(record.outcome === undefined ? {} : { outcome: record.outcome }),
      ...(record.lastError === undefined ? {} : { lastError: record.lastError }),
      outbox: (record.outbox ?? []).map((entry) => ({
        eventId: entry.eventId,
        detailType: entry.detailType,
        delivered: entry.deliveredAt !== undefined,
      })),
      delivered: deliveredByKey.get(record.key) ?? {},
    };
  });
}
