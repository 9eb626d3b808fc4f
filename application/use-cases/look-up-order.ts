import { inject, injectable } from 'inversify';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import { TOKENS } from '../tokens.js';

/**
 * Where an order is, and why: its idempotency record (status, attempts, last failure, outcome, outbox),
 * or nothing for a key never accepted or expired. A read only; the store's breaker guards it as every call.
 */
@injectable()
export class LookUpOrder {
  constructor(
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async execute(idempotencyKey: string): Promise<IdempotencyRecord | undefined> {
    return this.store.get(idempotencyKey, this.clock.now());
  }
}
