/**
 * The Powertools way, as its documentation shows it: `BatchProcessor` + `processPartialResponse` for
 * partial batch responses, `makeIdempotent` over the record handler with the DynamoDB persistence layer
 * (lock PutItem + completing UpdateItem), and one PutEvents per record for the order's event. The record
 * handler parses and validates the message with the project's own parser, so both workers do the same
 * business work; only the plumbing differs.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseOrderMessage } from '../../application/orders/order-message.js';
import { toQueueMessage } from '../../handlers/lambda-events/sqs-record.js';

export interface PowertoolsWorkerOptions {
  readonly dynamodb: DynamoDBClient;
  readonly eventBridge: EventBridgeClient;
  readonly tableName: string;
  readonly eventBusName: string;
  /** Called with each order's id before its work (the cost bench throws from it to simulate a failure). */
  readonly beforeProcessing?: (orderId: string) => void;
}

export function createPowertoolsWorker(options: PowertoolsWorkerOptions): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.dynamodb });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'messageAttributes.idempotencyKey.stringValue' });
  const processRecord = makeIdempotent(
    async (record: SQSRecord) => {
      const parsed = parseOrderMessage(toQueueMessage(record));
      if (!parsed.ok) throw new Error('unreadable order message');
      const order = parsed.envelope.body.order;
      options.beforeProcessing?.(order.orderId);
      const response = await options.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: options.eventBusName,
              Source: 'orders.peer',
              DetailType: 'OrderProcessed',
              Detail: JSON.stringify({ orderId: order.orderId }),
            },
          ],
        }),
      );
      if ((response.FailedEntryCount ?? 0) > 0) throw new Error('PutEvents failed');
      return { orderId: order.orderId };
    },
    { persistenceStore, config },
  );
  return async (event, context) => {
    config.registerLambdaContext(context);
    return processPartialResponse(event, processRecord, processor, { context });
  };
}
