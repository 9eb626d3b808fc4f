import { ValidationError } from './errors.js';

/** SendMessageBatch and PutEvents both take at most 10 entries. */
export const SQS_MAX_BATCH_ENTRIES = 10;
/** 1 MiB per message and per batch since August 2025. */
export const SQS_MAX_PAYLOAD_BYTES = 1_048_576;
/** The seed's limit (256 KiB), from before August 2025; kept for comparison only. */
export const SEED_MAX_PAYLOAD_BYTES = 262_144;

export interface PackLimits {
  readonly maxEntries: number;
  /** Upper bound of the summed entry sizes of one batch. */
  readonly maxBytes: number;
}

export const SQS_BATCH_LIMITS: PackLimits = Object.freeze({ maxEntries: SQS_MAX_BATCH_ENTRIES, maxBytes: SQS_MAX_PAYLOAD_BYTES });

/**
 * PutEvents: 10 entries, and the whole request under 1 MB since January 2026 (verify per region, hence
 * every packing function takes its limits as a parameter).
 */
export const EVENTBRIDGE_BATCH_LIMITS: PackLimits = Object.freeze({ maxEntries: 10, maxBytes: 1_048_576 });

export interface PackedBatches<T> {
  readonly batches: readonly (readonly T[])[];
  /** Items bigger than `maxBytes` on their own: they can never be sent and must be handled, not dropped. */
  readonly oversized: readonly T[];
}

const utf8 = new TextEncoder();

/**
 * The seed's rule: as many average-sized messages as fit in the byte limit, at least 1 and at most
 * `maxBatchSize`. With the 1 MiB limit, any message up to 100 KiB now allows a full batch of 10.
 */
export function calculateOptimalBatchSize(
  avgMessageSizeBytes: number,
  maxBatchSize = SQS_MAX_BATCH_ENTRIES,
  maxBatchBytes = SQS_MAX_PAYLOAD_BYTES,
): number {
  if (!Number.isFinite(avgMessageSizeBytes) || avgMessageSizeBytes <= 0) return maxBatchSize;
  const fitting = Math.floor(maxBatchBytes / avgMessageSizeBytes);
  return Math.min(Math.max(fitting, 1), maxBatchSize);
}

/**
 * The size SQS charges against its limit: the UTF-8 body plus, for each message attribute, its name,
 * its data type ("String") and its value.
 */
export function sqsMessageSizeBytes(body: string, attributes: Readonly<Record<string, string>>): number {
  let size = utf8ByteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    size += utf8ByteLength(name) + utf8ByteLength('String') + utf8ByteLength(value);
  }
  return size;
}

export interface EventBridgeEntrySizeInput {
  readonly source: string;
  readonly detailType: string;
  readonly detail: string;
  readonly resources?: readonly string[];
  /** Whether the entry sets `Time` (counted as 14 bytes). */
  readonly hasTime?: boolean;
}

/** PutEvents entry size as AWS documents it: Time (14 bytes if set), Source, DetailType, Detail, Resources. */
export function eventBridgeEntrySizeBytes(entry: EventBridgeEntrySizeInput): number {
  const resources = (entry.resources ?? []).reduce((sum, resource) => sum + utf8ByteLength(resource), 0);
  return (
    (entry.hasTime === true ? 14 : 0) +
    utf8ByteLength(entry.source) +
    utf8ByteLength(entry.detailType) +
    utf8ByteLength(entry.detail) +
    resources
  );
}

/**
 * Greedy, order-preserving packing: items go into the current batch until the next one would break
 * either limit, then a new batch starts. Every item ends up in exactly one batch or in `oversized`.
 * Throws `BATCH.INVALID_LIMITS` / `BATCH.INVALID_SIZE` for limits or sizes that make no sense: those
 * are bugs, and guessing would risk a batch the service rejects.
 */
export function packBatches<T>(items: readonly T[], sizeOf: (item: T) => number, limits: PackLimits): PackedBatches<T> {
  assertValidLimits(limits);
  const batches: T[][] = [];
  const oversized: T[] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    assertValidSize(size);
    if (size > limits.maxBytes) {
      oversized.push(item);
      continue;
    }
    if (current.length === limits.maxEntries || currentBytes + size > limits.maxBytes) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}

function utf8ByteLength(text: string): number {
  return utf8.encode(text).byteLength;
}

function assertValidLimits(limits: PackLimits): void {
  if (!(Number.isSafeInteger(limits.maxEntries) && limits.maxEntries >= 1 && Number.isFinite(limits.maxBytes) && limits.maxBytes >= 0)) {
    throw new ValidationError('batch limits need maxEntries ≥ 1 (integer) and a finite maxBytes ≥ 0', {
      code: 'BATCH.INVALID_LIMITS',
      context: { ...limits },
    });
  }
}

function assertValidSize(size: number): void {
  if (!(Number.isFinite(size) && size >= 0)) {
    throw new ValidationError(`item size must be a finite number ≥ 0, got ${String(size)}`, { code: 'BATCH.INVALID_SIZE' });
  }
}
