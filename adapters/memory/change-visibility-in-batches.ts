import type { VisibilityChange } from '../../application/ports/queue-message.js';
import { SQS_MAX_BATCH_ENTRIES } from '../../domain/batch-packing.js';
import { TransientError } from '../../domain/errors.js';
import type { InMemorySqs, SqsBatchErrorEntry } from './in-memory-sqs.js';
import { SqsServiceError } from './sqs-service-error.js';

/**
 * Applies every change, ten per ChangeMessageVisibilityBatch call, as the SQS adapter does. A refused
 * receipt handle (a sender fault: the message was deleted, or received again by someone else) is no
 * longer ours to hold back and is ignored; a failure on the service's side is thrown, so the caller knows
 * the messages were not held back.
 */
export function changeVisibilityInBatches(sqs: InMemorySqs, queueName: string, changes: readonly VisibilityChange[]): void {
  const serverSide: SqsBatchErrorEntry[] = [];
  for (let start = 0; start < changes.length; start += SQS_MAX_BATCH_ENTRIES) {
    const entries = changes.slice(start, start + SQS_MAX_BATCH_ENTRIES).map((change, index) => ({
      id: `v${index}`,
      receiptHandle: change.receiptHandle,
      visibilityTimeoutSeconds: change.timeoutSeconds,
    }));
    try {
      serverSide.push(...sqs.changeMessageVisibilityBatch(queueName, entries).failed.filter((failure) => !failure.senderFault));
    } catch (error) {
      if (!(error instanceof SqsServiceError)) throw error;
      if (error.$fault === 'server') {
        serverSide.push(...entries.map(({ id }) => ({ id, code: error.name, senderFault: false, message: error.message })));
      }
    }
  }
  if (serverSide.length > 0) {
    throw new TransientError(`could not change the visibility of ${serverSide.length} message(s)`, {
      code: 'SQS.CHANGE_VISIBILITY_FAILED',
      context: { queueName, codes: [...new Set(serverSide.map((failure) => failure.code))] },
    });
  }
}
