import { loadConfig } from '../../application/config/pipeline-config.js';
import type { Clock } from '../../application/ports/clock.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Metrics } from '../../application/ports/metrics.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import type { OutboundMessage, SendResult } from '../../application/ports/queue-message.js';

/** A queue that refuses every entry as SQS reports it in a 200 SendMessageBatch response. */
export class RefusingQueue implements OrderQueue {
  constructor(private readonly failure: { code: string; category: 'TRANSIENT' | 'PERMANENT' }) {}
  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return {
      sent: [],
      failed: messages.map((m) => ({ id: m.id, code: this.failure.code, category: this.failure.category, message: 'refused' })),
    };
  }
  async changeVisibility(): Promise<void> {}
}

/** PublishOrder over `queue` and `store` on the memory backend's configuration, seed 1, recording logs and metrics unless given. */
export function publishOrderOver(
  queue: OrderQueue,
  store: IdempotencyStore,
  clock: Clock,
  observed: { readonly logger?: Logger; readonly metrics?: Metrics } = {},
): PublishOrder {
  return new PublishOrder(
    queue,
    store,
    clock,
    observed.logger ?? new RecordingLogger(),
    observed.metrics ?? new RecordingMetrics(),
    loadConfig({ PIPELINE_BACKEND: 'memory' }),
    new SeededRandom(1),
  );
}
