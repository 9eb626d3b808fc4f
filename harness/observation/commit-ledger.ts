import type { IdempotencyStore, ReplayAnswer } from '../../application/ports/idempotency-store.js';
import type { ClaimDecision, IdempotencyRecord } from '../../domain/idempotency.js';
import type { ReservationDecision } from '../../domain/idempotency-reservation.js';

/**
 * Counts, per idempotency key, the completions the store accepted: the commits of the business step.
 * It sits right above the real adapter, below the faults, so it counts only writes that happened. The
 * demo's "no business step committed twice for one key" is checked against it.
 */
export class CommitLedger implements IdempotencyStore {
  private readonly commits = new Map<string, number>();
  private readonly settled = new Map<string, number>();

  constructor(
    private readonly inner: IdempotencyStore,
    private readonly now: () => number = Date.now,
  ) {}

  async complete(...args: Parameters<IdempotencyStore['complete']>): Promise<IdempotencyRecord> {
    const record = await this.inner.complete(...args);
    this.commits.set(record.key, (this.commits.get(record.key) ?? 0) + 1);
    this.noteSettled(record);
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

  async fail(...args: Parameters<IdempotencyStore['fail']>): Promise<IdempotencyRecord> {
    const record = await this.inner.fail(...args);
    this.noteSettled(record);
    return record;
  }

  async park(...args: Parameters<IdempotencyStore['park']>): Promise<IdempotencyRecord | undefined> {
    const record = await this.inner.park(...args);
    if (record !== undefined) this.noteSettled(record);
    return record;
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

  /** When the key's record first reached SUCCEEDED or PARKED in this process (ms since the epoch). */
  settledAt(key: string): number | undefined {
    return this.settled.get(key);
  }

  commitsOf(key: string): number {
    return this.commits.get(key) ?? 0;
  }

  /** Keys committed more than once: always empty unless the idempotency guarantee is broken. */
  committedTwice(): readonly string[] {
    return [...this.commits].filter(([, count]) => count > 1).map(([key]) => key);
  }

  private noteSettled(record: IdempotencyRecord): void {
    if ((record.status === 'SUCCEEDED' || record.status === 'PARKED') && !this.settled.has(record.key))
      this.settled.set(record.key, this.now());
  }

  totalCommits(): number {
    return [...this.commits.values()].reduce((sum, count) => sum + count, 0);
  }
}
