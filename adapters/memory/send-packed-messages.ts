import type { OutboundMessage, SendFailure, SendResult } from '../../application/ports/queue-message.js';
import { SQS_BATCH_LIMITS, packBatches, sqsMessageSizeBytes } from '../../domain/batch-packing.js';
import { classifyError } from '../../domain/error-classifier.js';
import type { InMemorySqs } from './in-memory-sqs.js';
import type { SqsBatchErrorEntry } from './sqs-types.js';
import { SqsServiceError } from './sqs-service-error.js';

export const MESSAGE_TOO_LARGE_CODE = 'SQS.MESSAGE_TOO_LARGE';

/**
 * Packs `messages` into SendMessageBatch calls within SQS's limits and sends them. A message too large
 * for any batch is reported as a VALIDATION failure, never dropped; an entry SQS refuses is reported with
 * its code. The fake's refusals are all sender faults, so nothing here is worth re-sending.
 *
 * A refused call (the queue does not exist) follows the SQS adapter's rule: while nothing was sent, the
 * broker's error is thrown as it is; once something was sent, the messages left are reported failed
 * with the error's classification instead.
 */
export function sendPackedMessages(sqs: InMemorySqs, queueName: string, messages: readonly OutboundMessage[]): SendResult {
  const { batches, oversized } = packBatches(
    messages,
    (message) => sqsMessageSizeBytes(message.body, message.attributes),
    SQS_BATCH_LIMITS,
  );
  const sent: { id: string; messageId: string }[] = [];
  const failed: SendFailure[] = oversized.map((message) => ({
    id: message.id,
    code: MESSAGE_TOO_LARGE_CODE,
    category: 'VALIDATION' as const,
    message: `message of ${sqsMessageSizeBytes(message.body, message.attributes)} bytes exceeds the SQS limit`,
  }));
  for (const [index, batch] of batches.entries()) {
    try {
      const result = sqs.sendMessageBatch(
        queueName,
        batch.map((message) => ({
          id: message.id,
          body: message.body,
          attributes: message.attributes,
          ...(message.delaySeconds === undefined ? {} : { delaySeconds: message.delaySeconds }),
          ...(message.groupId === undefined ? {} : { groupId: message.groupId }),
        })),
      );
      sent.push(...result.successful);
      failed.push(...result.failed.map(toSendFailure));
    } catch (error) {
      if (!(error instanceof SqsServiceError) || sent.length === 0) throw error;
      const { category, code, message } = classifyError(error);
      for (const rest of batches.slice(index)) failed.push(...rest.map((entry) => ({ id: entry.id, code, category, message })));
      break;
    }
  }
  return { sent, failed };
}

/** A `Failed` entry classified as the SQS adapter does: a sender fault is final, anything else transient. */
function toSendFailure(entry: SqsBatchErrorEntry): SendFailure {
  const shape = entry.senderFault
    ? { name: entry.code, message: entry.message, $fault: 'client' }
    : { name: entry.code, message: entry.message, $retryable: {} };
  const { category, code } = classifyError(shape);
  return { id: entry.id, code, category, message: entry.message };
}
