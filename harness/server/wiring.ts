import type { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.js';
import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { EventBus } from '../../application/ports/event-bus.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { Logger } from '../../application/ports/logger.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import { ADAPTERS } from '../../application/tokens.js';
import { allQueuesEmpty, type Backend, type QueueDepths } from '../backends/backend.js';
import type { CommitLedger } from '../observation/commit-ledger.js';
import type { EventLog } from '../observation/event-log.js';
import type { FaultInjection } from '../faults/faults.js';
import { FaultyDeadLetterQueue, FaultyEventBus, FaultyIdempotencyStore, FaultyOrderQueue } from '../faults/faulty-ports.js';

/* The harness' plumbing: fault decorators over the adapters, breaker settings for short runs, waiting and reporting at a stop. */

/** Checks `condition` every `intervalMs` until it holds (true) or `deadline` passes (false); a check that throws counts as not yet. */
export async function waitUntil(condition: () => Promise<boolean>, deadline: number, intervalMs: number, clock: Clock): Promise<boolean> {
  for (;;) {
    if (await condition().catch(() => false)) return true;
    const left = deadline - clock.now();
    if (left <= 0) return false;
    await clock.sleep(Math.min(intervalMs, left));
  }
}

/** In memory, whatever is left dies with the process; in SQS it waits for the next run. */
export function reportLeftovers(logger: Logger, backend: Backend['kind'], remaining: QueueDepths): void {
  if (allQueuesEmpty(remaining)) return;
  const fields = {
    orders: remaining.orders,
    ...(remaining.orchestrated === undefined ? {} : { orchestrated: remaining.orchestrated }),
    deadLetters: remaining.deadLetters,
  };
  if (backend === 'memory') logger.warn('messages left on the in-memory queues are lost at exit', fields);
  else logger.info('messages remain in SQS for the next run', fields);
}

/** Binds the fault decorators in place of the adapters; the ledger and the event log sit right above the real ones. */
export function rebindWithFaults(container: Container, faults: FaultInjection, commits: CommitLedger, events: EventLog): void {
  const orderQueue = container.get<OrderQueue>(ADAPTERS.OrderQueue);
  const deadLetterQueue = container.get<DeadLetterQueue>(ADAPTERS.DeadLetterQueue);
  container.rebind<OrderQueue>(ADAPTERS.OrderQueue).toConstantValue(new FaultyOrderQueue(orderQueue, faults));
  container.rebind<DeadLetterQueue>(ADAPTERS.DeadLetterQueue).toConstantValue(new FaultyDeadLetterQueue(deadLetterQueue, faults));
  container.rebind<IdempotencyStore>(ADAPTERS.IdempotencyStore).toConstantValue(new FaultyIdempotencyStore(commits, faults));
  container.rebind<EventBus>(ADAPTERS.EventBus).toConstantValue(new FaultyEventBus(events, faults));
}
