import type { IdempotencyStore, ReplayAnswer } from '../application/ports/idempotency-store.js';
import type { ClaimDecision, IdempotencyRecord } from '../domain/idempotency.js';
import type { ReservationDecision } from '../domain/idempotency-reservation.js';

/**
 * Counts, per idempotency key, the completions the store accepted: the commits of the business step.
 * It sits right above the real adapter, below the faults, so it counts only writes that happened. The
 * demo's "no business step committed twice for one key" is checked against it.
 */
export class CommitLedger implements IdempotencyStore {
  private readonly commits = new Map<string, number>();

  constructor(private readonly inner: IdempotencyStore) {}

  async complete(...args: Parameters<IdempotencyStore['complete']>): Promise<IdempotencyRecord> {
    const record = await this.inner.complete(...args);
    this.commits.set(record.key, (this.commits.get(record.key) ?? 0) + 1);
    return record;
  }

  claim(...args: Parameters<IdempotencyStore['claim']>): Promise<ClaimDecision> {
    return this.inner.claim(...args);
  }

  reserve(...args: Parameters<IdempotencyStore['reserve']>): Promise<ReservationDecision> {
    return this.inner.reserve(...args);
  }

  releaseReservation(...args: Parameters<IdempotencyStore['releaseReservation']>): Promise<boolean> {
    return this.inner.releaseReservation(...args);
  }

  findAwaitingSend(...args: Parameters<IdempotencyStore['findAwaitingSend']>): Promise<IdempotencyRecord[]> {
    return this.inner.findAwaitingSend(...args);
  }

  markReservationSent(...args: Parameters<IdempotencyStore['markReservationSent']>): Promise<boolean> {
    return this.inner.markReservationSent(...args);
  }

  recordOutcome(...args: Parameters<IdempotencyStore['recordOutcome']>): Promise<IdempotencyRecord> {
    return this.inner.recordOutcome(...args);
  }

  fail(...args: Parameters<IdempotencyStore['fail']>): Promise<IdempotencyRecord> {
    return this.inner.fail(...args);
  }

  park(...args: Parameters<IdempotencyStore['park']>): Promise<IdempotencyRecord | undefined> {
    return this.inner.park(...args);
  }

  markDelivered(...args: Parameters<IdempotencyStore['markDelivered']>): Promise<IdempotencyRecord | undefined> {
    return this.inner.markDelivered(...args);
  }

  replay(...args: Parameters<IdempotencyStore['replay']>): Promise<ReplayAnswer> {
    return this.inner.replay(...args);
  }

  find(...args: Parameters<IdempotencyStore['find']>): Promise<IdempotencyRecord[]> {
    return this.inner.find(...args);
  }

  get(...args: Parameters<IdempotencyStore['get']>): Promise<IdempotencyRecord | undefined> {
    return this.inner.get(...args);
  }

  commitsOf(key: string): number {
    return this.commits.get(key) ?? 0;
  }

  /** Keys committed more than once: always empty unless the idempotency guarantee is broken. */
  committedTwice(): readonly string[] {
    return [...this.commits].filter(([, count]) => count > 1).map(([key]) => key);
  }

  totalCommits(): number {
    return [...this.commits.values()].reduce((sum, count) => sum + count, 0);
  }
}
