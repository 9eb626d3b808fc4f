import 'reflect-metadata';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Container } from 'inversify';
import type { Logger } from '../application/ports/logger.js';
import type { Metrics } from '../application/ports/metrics.js';
import type { QueueMessage } from '../application/ports/queue-message.js';
import { TOKENS } from '../application/tokens.js';
import { WorkOrderBatch } from '../application/use-cases/work-order-batch.js';
import { containerAtInit } from './composition-root.js';

/** SQS event source → WorkOrderBatch → partial batch response (ReportBatchItemFailures). */
export const handler = createWorkerHandler(containerAtInit());

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
      root.get<Logger>(TOKENS.Logger).error('worker batch failed unexpectedly; returning every record', { requestId: context.awsRequestId, error: String(error) });
      return { batchItemFailures: messages.map((message) => ({ itemIdentifier: message.messageId })) };
    } finally {
      root.get<Metrics>(TOKENS.Metrics).flush();
    }
  };
}

export function toQueueMessage(record: SQSRecord): QueueMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined) attributes[name] = value.stringValue;
  }
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    attributes,
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
    sentAt: Number(record.attributes.SentTimestamp) || 0,
  };
}
