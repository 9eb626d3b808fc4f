import type { OutboundMessage, QueueMessage, SendResult } from './queue-message.js';

/** The order queue's dead-letter queue: where failed orders wait for the redrive to analyse them. */
export interface DeadLetterQueue {
  /** Parks a message directly (the worker does this for failures that can never succeed). */
  send(messages: readonly OutboundMessage[]): Promise<SendResult>;
  /** Receives up to `max` visible messages (any number: adapters page through the 10-per-call limit). */
  receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]>;
  /** Deletes by receipt handle. Returns the receipt handles that could not be deleted. */
  delete(receiptHandles: readonly string[]): Promise<readonly string[]>;
}
