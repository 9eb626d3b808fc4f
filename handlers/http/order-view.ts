import type { IdempotencyRecord } from '../../domain/idempotency.js';

/**
 * The body of GET /orders/{idempotencyKey} (`OrderView` in openapi.ts): the record's state with ISO times,
 * its last failure's category and code, and each committed event with its delivery state (the outbox).
 */
export function orderView(record: IdempotencyRecord): Record<string, unknown> {
  return {
    idempotencyKey: record.key,
    ...(record.orderId === undefined ? {} : { orderId: record.orderId }),
    status: record.status,
    attempts: record.attempts,
    lastErrorCategory: record.lastError?.category ?? null,
    lastError: record.lastError ?? null,
    outcome: record.outcome ?? null,
    ...(record.correlationId === undefined ? {} : { correlationId: record.correlationId }),
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    ...(record.leaseExpiresAt === undefined ? {} : { leaseExpiresAt: new Date(record.leaseExpiresAt).toISOString() }),
    outbox: (record.outbox ?? []).map((entry) => ({
      eventId: entry.eventId,
      detailType: entry.detailType,
      committedAt: new Date(entry.time).toISOString(),
      delivered: entry.deliveredAt !== undefined,
      ...(entry.deliveredAt === undefined ? {} : { deliveredAt: new Date(entry.deliveredAt).toISOString() }),
    })),
    ...(record.replays === undefined ? {} : { replays: record.replays }),
  };
}
