import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { classifyError } from '../../domain/error-classifier.js';
import { assertSharePercent, routesToNewTopology } from '../../domain/traffic-split.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { OutboundMessage, SendResult, VisibilityChange } from '../ports/queue-message.js';

/**
 * The order queue while two topologies run side by side (migration phases 2–3): each order is sent to
 * the orchestrated topology's queue or to the composed worker's by its idempotency key
 * (domain/traffic-split.ts), so every copy of one order — a retry, a duplicate, a redrive — takes the
 * same path. A message without a key (which the worker parks as unreadable anyway) stays on the primary.
 *
 * Visibility changes go to the primary queue: only the composed worker holds messages back this way,
 * and it consumes the primary; the pipe in front of the orchestrated queue manages its own visibility.
 */
export class SplitOrderQueue implements OrderQueue {
  constructor(
    private readonly primary: OrderQueue,
    private readonly orchestrated: OrderQueue,
    private readonly orchestratedSharePercent: number,
  ) {
    assertSharePercent(orchestratedSharePercent);
  }

  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    const toOrchestrated: OutboundMessage[] = [];
    const toPrimary: OutboundMessage[] = [];
    for (const message of messages) (this.routesToOrchestrated(message) ? toOrchestrated : toPrimary).push(message);
    // Both halves are sent even when one throws, so that no caller re-sends what already went out. As an
    // adapter does, the call throws only when it learnt nothing: every queue it used refused the call.
    const [primary, orchestrated] = await Promise.allSettled([
      this.sendTo(this.primary, toPrimary),
      this.sendTo(this.orchestrated, toOrchestrated),
    ]);
    const used = [...(toPrimary.length > 0 ? [primary] : []), ...(toOrchestrated.length > 0 ? [orchestrated] : [])];
    const [firstRefusal] = used.filter((outcome) => outcome.status === 'rejected');
    if (firstRefusal !== undefined && used.every((outcome) => outcome.status === 'rejected')) throw firstRefusal.reason;
    return {
      sent: [...sentOf(primary), ...sentOf(orchestrated)],
      failed: [...failedOf(primary, toPrimary), ...failedOf(orchestrated, toOrchestrated)],
    };
  }

  changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    return this.primary.changeVisibility(changes);
  }

  private routesToOrchestrated(message: OutboundMessage): boolean {
    const key = message.attributes[MESSAGE_ATTRIBUTES.idempotencyKey];
    return key !== undefined && routesToNewTopology(key, this.orchestratedSharePercent);
  }

  private async sendTo(queue: OrderQueue, messages: readonly OutboundMessage[]): Promise<SendResult> {
    return messages.length === 0 ? { sent: [], failed: [] } : queue.send(messages);
  }
}

function sentOf(outcome: PromiseSettledResult<SendResult>): SendResult['sent'] {
  return outcome.status === 'fulfilled' ? outcome.value.sent : [];
}

/** A half whose queue refused the whole call reports its messages failed, with the refusal's classification when it has one. */
function failedOf(outcome: PromiseSettledResult<SendResult>, messages: readonly OutboundMessage[]): SendResult['failed'] {
  if (outcome.status === 'fulfilled') return outcome.value.failed;
  const { category, code, message } = classifyError(outcome.reason);
  return messages.map((m) => ({ id: m.id, code, category, message }));
}
