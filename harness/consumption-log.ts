import type { QueueMessage } from '../application/ports/queue-message.js';
import { MESSAGE_ATTRIBUTES } from '../domain/dead-letter-analysis.js';

/** Forgetting the oldest keys beyond this keeps a long run's memory flat. */
const REMEMBERED_KEYS = 50_000;

/**
 * Which consumer acknowledged each order's messages, by idempotency key: the worker or the consume pipe.
 * In topology `both` this is where an order went (the publishers split by key); GET /orders/{key}
 * shows it. A message without a key (unreadable, parked by its consumer) is not counted.
 */
export class ConsumptionLog {
  private readonly byKey = new Map<string, Record<string, number>>();

  acknowledged(consumer: string, messages: readonly QueueMessage[]): void {
    for (const message of messages) {
      const key = message.attributes[MESSAGE_ATTRIBUTES.idempotencyKey];
      if (key === undefined) continue;
      const counts = this.byKey.get(key) ?? this.remember(key);
      counts[consumer] = (counts[consumer] ?? 0) + 1;
    }
  }

  /** Acknowledged messages of `key` per consumer; empty when none was. */
  of(key: string): Readonly<Record<string, number>> {
    return { ...this.byKey.get(key) };
  }

  private remember(key: string): Record<string, number> {
    if (this.byKey.size >= REMEMBERED_KEYS) {
      const [oldest] = this.byKey.keys();
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
    const counts: Record<string, number> = {};
    this.byKey.set(key, counts);
    return counts;
  }
}
