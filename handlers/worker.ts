import 'reflect-metadata';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Container } from 'inversify';
import type { Logger } from '../application/ports/logger.js';
import type { Metrics } from '../application/ports/metrics.js';
import { TOKENS } from '../application/tokens.js';
import { WorkOrderBatch } from '../application/use-cases/work-order-batch.js';
import { workerComposition } from './composition/functions/worker.js';
import { containerAtInit } from './composition/function-container.js';
import { toQueueMessage } from './lambda-events/sqs-record.js';

export { toQueueMessage } from './lambda-events/sqs-record.js';

/** SQS event source → WorkOrderBatch → partial batch response (ReportBatchItemFailures). */
export const handler = createWorkerHandler(containerAtInit(workerComposition));

export type WorkerContext = Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>;

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createWorkerHandler(containerOf: () => Container): (event: SQSEvent, context: WorkerContext) => Promise<SQSBatchResponse> {
  return async (event, context) => {
    const root = containerOf();
    const messages = event.Records.map(toQueueMessage);
    try {
      const result = await root.get(WorkOrderBatch).execute({
        messages,
        requestId: context.awsRequestId,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
      });
      return { batchItemFailures: result.batchItemFailures.map((itemIdentifier) => ({ itemIdentifier })) };
    } catch (error) {
      // Not expected: the use case turns every per-record failure into a result. Return the whole batch
      // rather than throwing, so Lambda does not scale the pollers down and nothing is lost.
      root
        .get<Logger>(TOKENS.Logger)
        .error('worker batch failed unexpectedly; returning every record', { requestId: context.awsRequestId, error: String(error) });
      return { batchItemFailures: messages.map((message) => ({ itemIdentifier: message.messageId })) };
    } finally {
      root.get<Metrics>(TOKENS.Metrics).flush();
    }
  };
}
