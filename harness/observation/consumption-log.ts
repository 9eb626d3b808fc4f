import type { QueueMessage } from '../../application/ports/queue-message.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';

/** Forgetting the oldest keys beyond this keeps a long run's memory flat. */
const REMEMBERED_KEYS = 50_000;

/** One acknowledged message of an order: by whom, and when (epoch ms). */
export interface Acknowledgement {
  readonly consumer: string;
  readonly key: string;
  readonly at: number;
}

/**
 * Which consumer acknowledged each order's messages, by idempotency key: the worker or the consume pipe.
 * In topology `both` this is where an order went (the publishers split by key); GET /orders/{key}
 * shows it. A message without a key (unreadable, parked by its consumer) is not counted. Each
 * acknowledgement keeps its time, so that one made for an earlier record of the same key (a table
 * emptied since, an expired record) is not counted for the current one.
 */
export class ConsumptionLog {
  private readonly byKey = new Map<string, Acknowledgement[]>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Told of each acknowledgement as it is made (the journal that outlives a restart on the aws backend). */
    private readonly onAcknowledged: (acknowledgement: Acknowledgement) => void = () => undefined,
  ) {}

  acknowledged(consumer: string, messages: readonly QueueMessage[]): void {
    const at = this.now();
    for (const message of messages) {
      const key = message.attributes[MESSAGE_ATTRIBUTES.idempotencyKey];
      if (key === undefined) continue;
      const acknowledgement = { consumer, key, at };
      this.restore(acknowledgement);
      this.onAcknowledged(acknowledgement);
    }
  }

  /** Takes back an acknowledgement a previous run made (from the journal). */
  restore(acknowledgement: Acknowledgement): void {
    const list = this.byKey.get(acknowledgement.key) ?? this.remember(acknowledgement.key);
    list.push(acknowledgement);
  }

  /** Acknowledged messages of `key` per consumer, made at or after `since` (epoch ms); empty when none was. */
  of(key: string, since = 0): Readonly<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const { consumer, at } of this.byKey.get(key) ?? []) {
      if (at >= since) counts[consumer] = (counts[consumer] ?? 0) + 1;
    }
    return counts;
  }

  private remember(key: string): Acknowledgement[] {
    if (this.byKey.size >= REMEMBERED_KEYS) {
      const [oldest] = this.byKey.keys();
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
    const list: Acknowledgement[] = [];
    this.byKey.set(key, list);
    return list;
  }
}
