import { ValidationError } from './errors.js';

/**
 * The migration's traffic split (seed: "route a percentage of traffic to the new architecture"). Each
 * order goes to the new topology or stays on the old one by its idempotency key alone, so every copy of
 * one order (a retry, a duplicate, a redrive) takes the same path, and raising the share only ever moves
 * orders from the old path to the new one, never back.
 */

/** Number of buckets a key falls into; a share of N percent routes buckets 0 … N-1. */
export const TRAFFIC_BUCKETS = 100;

/** The bucket (0–99) of a key: FNV-1a over its UTF-16 code units, stable across processes and versions. */
export function trafficBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % TRAFFIC_BUCKETS;
}

/** Whether the order with this key goes to the new topology when `sharePercent` of the traffic does. */
export function routesToNewTopology(key: string, sharePercent: number): boolean {
  assertSharePercent(sharePercent);
  return trafficBucket(key) < sharePercent;
}

/** Throws `TRAFFIC.INVALID_SHARE` unless the share is a whole percentage from 0 to 100. */
export function assertSharePercent(sharePercent: number): void {
  if (!Number.isInteger(sharePercent) || sharePercent < 0 || sharePercent > TRAFFIC_BUCKETS) {
    throw new ValidationError(`a traffic share must be a whole percentage from 0 to 100 (got ${sharePercent})`, {
      code: 'TRAFFIC.INVALID_SHARE',
      context: { sharePercent },
    });
  }
}
