import type { IdempotencyRecord } from '../../domain/idempotency.js';
import type { ReservationDecision } from '../../domain/idempotency-reservation.js';

/** The answer for a key reserved before, the same at every edge (POST /orders, /publish, the ingest workflow). */
export type KnownOrderAnswer =
  /** Seen before and finished (SUCCEEDED or PARKED): the stored state is the answer. */
  | { readonly kind: 'DUPLICATE'; readonly orderId: string; readonly idempotencyKey: string; readonly record: IdempotencyRecord }
  /** Seen before and still being worked: ask the client to come back. */
  | { readonly kind: 'IN_PROGRESS'; readonly idempotencyKey: string; readonly retryAfterSeconds: number }
  /** The key was used before for a different payload: the first accepted one wins. */
  | { readonly kind: 'KEY_REUSED'; readonly idempotencyKey: string };

/** What an in-progress answer asks a client to wait (the documented Retry-After). */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 5;

export function knownAnswer(
  known: Exclude<ReservationDecision, { kind: 'RESERVED' }>,
  orderId: string,
  idempotencyKey: string,
): KnownOrderAnswer {
  switch (known.kind) {
    case 'KEY_REUSED':
      return { kind: 'KEY_REUSED', idempotencyKey };
    case 'DUPLICATE':
      return { kind: 'DUPLICATE', orderId, idempotencyKey, record: known.record };
    case 'IN_PROGRESS':
      return { kind: 'IN_PROGRESS', idempotencyKey, retryAfterSeconds: IN_PROGRESS_RETRY_AFTER_SECONDS };
  }
}
