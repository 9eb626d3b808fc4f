import type { VisibilityChange } from '../../application/ports/queue-message.js';
import { SQS_MAX_BATCH_ENTRIES } from '../../domain/batch-packing.js';
import { classifyError, type Classification } from '../../domain/error-classifier.js';
import { TransientError } from '../../domain/errors.js';
import type { InMemorySqs } from './in-memory-sqs.js';
import type { SqsBatchErrorEntry } from './sqs-types.js';

/**
 * Applies every change, ten per ChangeMessageVisibilityBatch call, as the SQS adapter does. A refused
 * receipt handle (a sender fault: the message was deleted, or received again by someone else) is no
 * longer ours to hold back and is ignored; a failure on the service's side is thrown, so the caller knows
 * the messages were not held back. A refused call (the queue does not exist) is thrown as it is, whenever
 * it happens: a visibility change can be repeated safely, unlike a send.
 */
export function changeVisibilityInBatches(sqs: InMemorySqs, queueName: string, changes: readonly VisibilityChange[]): void {
  const serverSide: Classification[] = [];
  for (let start = 0; start < changes.length; start += SQS_MAX_BATCH_ENTRIES) {
    const entries = changes.slice(start, start + SQS_MAX_BATCH_ENTRIES).map((change, index) => ({
      id: `v${index}`,
      receiptHandle: change.receiptHandle,
      visibilityTimeoutSeconds: change.timeoutSeconds,
    }));
    const result = sqs.changeMessageVisibilityBatch(queueName, entries);
    serverSide.push(...result.failed.map(classifyEntry).filter(isServerSide));
  }
  if (serverSide.length > 0) {
    const [first] = serverSide;
    throw new TransientError(`could not change the visibility of ${serverSide.length} message(s)`, {
      code: 'SQS.CHANGE_VISIBILITY_FAILED',
      context: { queueName, codes: [...new Set(serverSide.map((failure) => failure.code))] },
      // The service's own answer, as the SQS adapter gives it, so a breaker counts it against SQS's health.
      cause: { name: first?.code, message: first?.message, $retryable: {} },
    });
  }
}

/** A `Failed` entry classified as the SQS adapter does: a sender fault is final, anything else transient. */
function classifyEntry(entry: SqsBatchErrorEntry): Classification {
  const shape = entry.senderFault
    ? { name: entry.code, message: entry.message, $fault: 'client' }
    : { name: entry.code, message: entry.message, $retryable: {} };
  return classifyError(shape);
}

function isServerSide(failure: Classification): boolean {
  return failure.category !== 'PERMANENT' && failure.category !== 'VALIDATION';
}
