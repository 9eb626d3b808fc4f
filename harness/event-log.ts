import type { EventBus, PipelineEvent, PublishEventsResult } from '../application/ports/event-bus.js';

/** Beyond this many, the oldest events are forgotten (the counts keep going). */
const KEPT_EVENTS = 100_000;

/**
 * Keeps every event the bus accepted, on either backend, for GET /events, the status page and the
 * demo's checks. It sits right above the real adapter, so an event is logged once it was really sent.
 */
export class EventLog implements EventBus {
  private readonly events: PipelineEvent[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly inner: EventBus) {}

  async publish(...args: Parameters<EventBus['publish']>): Promise<PublishEventsResult> {
    const result = await this.inner.publish(...args);
    for (const event of result.published) {
      this.events.push(event);
      this.counts.set(event.detailType, (this.counts.get(event.detailType) ?? 0) + 1);
    }
    if (this.events.length > KEPT_EVENTS) this.events.splice(0, this.events.length - KEPT_EVENTS);
    return result;
  }

  /** Newest last. */
  all(): readonly PipelineEvent[] {
    return [...this.events];
  }

  countsByType(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }
}
