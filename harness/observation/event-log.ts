import type { EventBus, PipelineEvent, PublishEventsResult } from '../../application/ports/event-bus.js';

/** Beyond this many, the oldest events are forgotten (the counts keep going). */
const KEPT_EVENTS = 100_000;

/**
 * Keeps every event the bus accepted, on either backend, for GET /events, the status page and the
 * demo's checks. It sits right above the real adapter, so an event is logged once it was really sent.
 */
export class EventLog implements EventBus {
  private readonly events: PipelineEvent[] = [];
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly inner: EventBus,
    /** Told of the events the bus accepted (the journal that outlives a restart on the aws backend). */
    private readonly onPublished: (events: readonly PipelineEvent[]) => void = () => undefined,
  ) {}

  async publish(...args: Parameters<EventBus['publish']>): Promise<PublishEventsResult> {
    const result = await this.inner.publish(...args);
    this.restore(result.published);
    if (result.published.length > 0) this.onPublished(result.published);
    return result;
  }

  /** Takes back events logged before (a previous run's, from the journal), oldest first. */
  restore(events: readonly PipelineEvent[]): void {
    for (const event of events) {
      this.events.push(event);
      this.counts.set(event.detailType, (this.counts.get(event.detailType) ?? 0) + 1);
    }
    if (this.events.length > KEPT_EVENTS) this.events.splice(0, this.events.length - KEPT_EVENTS);
  }

  /** Newest last. */
  all(): readonly PipelineEvent[] {
    return [...this.events];
  }

  countsByType(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.counts);
  }
}
