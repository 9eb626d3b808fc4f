import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import type { FailureInfo } from '../../domain/idempotency.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { Logger } from '../ports/logger.js';
import type { QueueMessage } from '../ports/queue-message.js';

/**
 * Moves a message that must not be retried to the dead-letter queue itself, with the reason in its
 * attributes (the redrive reads them first). Returns false when the DLQ did not take it: the caller then
 * leaves the message on its queue, so nothing is ever lost.
 */
export async function parkInDeadLetterQueue(
  dlq: DeadLetterQueue,
  message: QueueMessage,
  failure: FailureInfo,
  attempts: number,
): Promise<boolean> {
  const result = await dlq.send([
    {
      id: 'park',
      body: message.body,
      attributes: {
        ...message.attributes,
        [MESSAGE_ATTRIBUTES.errorCategory]: failure.category,
        [MESSAGE_ATTRIBUTES.errorCode]: failure.code,
        [MESSAGE_ATTRIBUTES.attempts]: String(attempts),
      },
    },
  ]);
  return result.sent.length === 1;
}

/** parkInDeadLetterQueue, with a DLQ that throws read as one that refused (logged): the message stays on its queue. */
export async function parkOrLeave(
  dlq: DeadLetterQueue,
  logger: Logger,
  message: QueueMessage,
  failure: FailureInfo,
  attempts: number,
): Promise<boolean> {
  try {
    return await parkInDeadLetterQueue(dlq, message, failure, attempts);
  } catch (error) {
    logger.warn('dead-letter queue refused a parked message; it stays on the order queue', {
      messageId: message.messageId,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
}
