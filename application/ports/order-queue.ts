import type { OutboundMessage, SendResult, VisibilityChange } from './queue-message.js';

/** The queue orders travel on between ingest and the worker. */
export interface OrderQueue {
  /** Sends any number of messages, packed into batches within the service limits; failed entries retried with backoff. */
  send(messages: readonly OutboundMessage[]): Promise<SendResult>;
  /** Holds received messages back (backoff after a failure, or while a dependency's breaker is open). */
  changeVisibility(changes: readonly VisibilityChange[]): Promise<void>;
}
