import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isErrorCategory } from '../../domain/error-category.js';
import { PermanentError } from '../../domain/errors.js';
import {
  IDEMPOTENCY_STATUSES,
  type FailureInfo,
  type IdempotencyRecord,
  type OutcomeSummary,
  type ParkedMessage,
  type StoredStatus,
} from '../../domain/idempotency.js';
import {
  OUTBOX_PENDING_ATTRIBUTE,
  OUTBOX_PENDING_SHARD_ATTRIBUTE,
  OUTBOX_PENDING_SINCE_ATTRIBUTE,
  outboxPendingShard,
  outboxPendingSince,
  type OutboxEntry,
} from '../../domain/outbox.js';
import { AWAITING_SEND_SHARD_ATTRIBUTE, awaitingSendShard } from '../../domain/idempotency-reservation.js';

/**
 * The idempotency table's item layout. Partition key `pk` (S) holds the record key; `expiresAt` (N,
 * epoch seconds) is the TTL attribute. docs/aws-adapters.md describes the schema; terraform/ creates it.
 */
export const IDEMPOTENCY_TABLE_KEY = 'pk';
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiresAt';

/**
 * A reservation's kept message (`pendingMessage`) at least this long is stored gzip-compressed, as a
 * binary attribute. DynamoDB bills a write per started KB of the larger of the item before and after it,
 * so a 100-line order's 5.6 KB message made its reservation and its claim 6 write units each; compressed
 * (about a fifth of that) they are 1–2. Shorter messages stay readable text.
 */
export const COMPRESSED_PENDING_MESSAGE_BYTES = 1024;

function pendingMessageValue(message: string): string | Uint8Array {
  if (Buffer.byteLength(message, 'utf8') < COMPRESSED_PENDING_MESSAGE_BYTES) return message;
  const compressed = gzipSync(message);
  return compressed.length < Buffer.byteLength(message, 'utf8') ? new Uint8Array(compressed) : message;
}

export function toItem(record: IdempotencyRecord): Record<string, AttributeValue> {
  const { key, pendingMessage, ...kept } = record;
  const rest = pendingMessage === undefined ? kept : { ...kept, pendingMessage: pendingMessageValue(pendingMessage) };
  const since = outboxPendingSince(record.outbox);
  const pending =
    since === undefined
      ? {}
      : {
          [OUTBOX_PENDING_ATTRIBUTE]: true,
          [OUTBOX_PENDING_SINCE_ATTRIBUTE]: since,
          [OUTBOX_PENDING_SHARD_ATTRIBUTE]: outboxPendingShard(key),
        };
  // The awaiting-send index' partition key, beside awaitingSendSince (its sort key) while the reservation awaits its send.
  const awaiting = record.awaitingSendSince === undefined ? {} : { [AWAITING_SEND_SHARD_ATTRIBUTE]: awaitingSendShard(key) };
  return marshall({ [IDEMPOTENCY_TABLE_KEY]: key, ...rest, ...pending, ...awaiting }, { removeUndefinedValues: true });
}

/** Outbox entries as list elements of an update expression (fresh: never delivered). */
export function outboxEntriesValue(entries: readonly OutboxEntry[]): AttributeValue {
  return { L: entries.map(({ deliveredAt: _delivered, ...entry }) => ({ M: marshall(entry) })) };
}

/** Reads an item from the table; anything that is not a record this code wrote is refused loudly. */
export function toRecord(item: Record<string, AttributeValue>): IdempotencyRecord {
  const raw: Record<string, unknown> = unmarshall(item);
  const problems: string[] = [];
  const text = (name: string): string => {
    const value = raw[name];
    if (typeof value === 'string') return value;
    problems.push(`${name} is not a string`);
    return '';
  };
  const number = (name: string): number => {
    const value = raw[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    problems.push(`${name} is not a number`);
    return 0;
  };
  const optional = <T>(name: string, read: (name: string) => T): T | undefined => (raw[name] === undefined ? undefined : read(name));
  const status = text('status');
  if (!isStoredStatus(status)) problems.push(`status ${status} is unknown`);
  const record: IdempotencyRecord = {
    key: text(IDEMPOTENCY_TABLE_KEY),
    status: status as StoredStatus,
    payloadHash: text('payloadHash'),
    attempts: number('attempts'),
    expiresAt: number('expiresAt'),
    createdAt: number('createdAt'),
    updatedAt: number('updatedAt'),
    ...defined('ownerToken', optional('ownerToken', text)),
    ...defined('leaseExpiresAt', optional('leaseExpiresAt', number)),
    ...defined('lastError', raw.lastError === undefined ? undefined : failureInfo(raw.lastError, problems)),
    ...defined('outcome', raw.outcome === undefined ? undefined : outcomeSummary(raw.outcome, problems)),
    ...defined('orderId', optional('orderId', text)),
    ...defined('correlationId', optional('correlationId', text)),
    ...defined('outbox', raw.outbox === undefined ? undefined : outboxOf(raw.outbox, problems)),
    ...defined('parkedMessage', raw.parkedMessage === undefined ? undefined : parkedMessageOf(raw.parkedMessage, problems)),
    ...defined('replays', optional('replays', number)),
    ...defined('awaitingSendSince', optional('awaitingSendSince', number)),
    ...defined(
      'pendingMessage',
      raw.pendingMessage instanceof Uint8Array ? gunzipSync(raw.pendingMessage).toString('utf8') : optional('pendingMessage', text),
    ),
  };
  if (problems.length > 0) {
    throw new PermanentError(`malformed idempotency item: ${problems.join('; ')}`, {
      code: 'IDEMPOTENCY.MALFORMED_RECORD',
      context: { problems },
    });
  }
  return record;
}

function defined<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

function isStoredStatus(value: string): value is StoredStatus {
  return value !== 'NEW' && (IDEMPOTENCY_STATUSES as readonly string[]).includes(value);
}

function failureInfo(value: unknown, problems: string[]): FailureInfo | undefined {
  if (typeof value === 'object' && value !== null) {
    const { category, code } = value as { category?: unknown; code?: unknown };
    if (isErrorCategory(category) && typeof code === 'string') return { category, code };
  }
  problems.push('lastError is not a {category, code} map');
  return undefined;
}

function outcomeSummary(value: unknown, problems: string[]): OutcomeSummary | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.every(([, item]) => ['string', 'number', 'boolean'].includes(typeof item))) {
      return Object.fromEntries(entries);
    }
  }
  problems.push('outcome is not a map of strings, numbers and booleans');
  return undefined;
}

function outboxOf(value: unknown, problems: string[]): OutboxEntry[] | undefined {
  if (!Array.isArray(value)) {
    problems.push('outbox is not a list');
    return undefined;
  }
  const entries: OutboxEntry[] = [];
  for (const item of value as unknown[]) {
    const entry = item as Partial<Record<keyof OutboxEntry, unknown>> | null;
    const texts = ['eventId', 'detailType', 'source', 'detail'] as const;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      texts.some((name) => typeof entry[name] !== 'string') ||
      typeof entry.time !== 'number' ||
      (entry.deliveredAt !== undefined && typeof entry.deliveredAt !== 'number')
    ) {
      problems.push('outbox holds an entry that is not {eventId, detailType, source, time, detail, deliveredAt?}');
      return undefined;
    }
    entries.push(entry as OutboxEntry);
  }
  return entries;
}

function parkedMessageOf(value: unknown, problems: string[]): ParkedMessage | undefined {
  const candidate = value as { body?: unknown; truncated?: unknown } | null;
  if (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.body === 'string' &&
    typeof candidate.truncated === 'boolean'
  ) {
    return { body: candidate.body, truncated: candidate.truncated };
  }
  problems.push('parkedMessage is not a {body, truncated} map');
  return undefined;
}
