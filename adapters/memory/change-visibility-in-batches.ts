import type { VisibilityChange } from '../../application/ports/queue-message.js';
import { SQS_MAX_BATCH_ENTRIES } from '../../domain/batch-packing.js';
import { errorForCategory } from '../../domain/errors.js';
import type { InMemorySqs, SqsBatchErrorEntry } from './in-memory-sqs.js';
import { toSendFailure } from './send-packed-messages.js';
import { SqsServiceError } from './sqs-service-error.js';

/**
 * Applies every change, ten per ChangeMessageVisibilityBatch call, then throws one error naming the
 * receipt handles that could not be changed (`QUEUE.VISIBILITY_CHANGE_FAILED`, with the first failure's
 * category): the port returns nothing, and a message that was not held back must not pass unnoticed.
 */
export function changeVisibilityInBatches(sqs: InMemorySqs, queueName: string, changes: readonly VisibilityChange[]): void {
  const failures: { receiptHandle: string; failure: SqsBatchErrorEntry }[] = [];
  for (let start = 0; start < changes.length; start += SQS_MAX_BATCH_ENTRIES) {
    const batch = changes.slice(start, start + SQS_MAX_BATCH_ENTRIES);
    const entries = batch.map((change, index) => ({
      id: `v${index}`,
      receiptHandle: change.receiptHandle,
      visibilityTimeoutSeconds: change.timeoutSeconds,
    }));
    try {
      const result = sqs.changeMessageVisibilityBatch(queueName, entries);
      for (const failure of result.failed) {
        failures.push({ receiptHandle: entries[Number(failure.id.slice(1))]?.receiptHandle ?? '', failure });
      }
    } catch (error) {
      if (!(error instanceof SqsServiceError)) throw error;
      for (const entry of entries) {
        failures.push({
          receiptHandle: entry.receiptHandle,
          failure: { id: entry.id, code: error.name, senderFault: error.$fault === 'client', message: error.message },
        });
      }
    }
  }
  const first = failures[0];
  if (first === undefined) return;
  throw errorForCategory(toSendFailure(first.failure).category, `could not change the visibility of ${failures.length} message(s): ${first.failure.message}`, {
    code: 'QUEUE.VISIBILITY_CHANGE_FAILED',
    context: { queueName, failures: failures.map(({ receiptHandle, failure }) => ({ receiptHandle, code: failure.code })) },
  });
}
