import { inject, injectable } from 'inversify';
import type { EventBus, PipelineEvent, PublishEventsResult } from '../ports/event-bus.js';
import type { Metrics } from '../ports/metrics.js';
import { TOKENS } from '../tokens.js';

/** Sends success, failure and custom events; the bus batches (≤ 10 a request) and re-sends failed entries. */
@injectable()
export class PublishOrderEvents {
  constructor(
    @inject(TOKENS.EventBus) private readonly bus: EventBus,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
  ) {}

  async execute(events: readonly PipelineEvent[]): Promise<PublishEventsResult> {
    if (events.length === 0) return { published: [], failed: [] };
    const result = await this.bus.publish(events);
    this.metrics.add('EventsPublished', result.published.length, 'Count');
    if (result.failed.length > 0) this.metrics.add('EventsFailed', result.failed.length, 'Count');
    return result;
  }
}
