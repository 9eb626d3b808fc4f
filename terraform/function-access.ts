import type { PipelineFunctionName } from '../application/workflows/pipeline-function.js';

export type PipelineResource = 'orderQueue' | 'deadLetterQueue' | 'idempotencyTable' | 'eventBus';

/**
 * What each function's adapters call, on which resource: the whole of its IAM policy besides its own logs
 * and X-Ray. Read from the adapters (SendMessageBatch needs sqs:SendMessage; the idempotency claim is one
 * conditional UpdateItem, plus a PutItem when it replaces an expired record; `get` is GetItem) and the
 * event source mapping (which polls with the worker's role).
 */
export const FUNCTION_ACCESS: Readonly<Record<PipelineFunctionName, Readonly<Partial<Record<PipelineResource, readonly string[]>>>>> = {
  validate: {},
  publish: {
    orderQueue: ['sqs:SendMessage'],
    eventBus: ['events:PutEvents'],
  },
  ingest: {
    orderQueue: ['sqs:SendMessage'],
    eventBus: ['events:PutEvents'],
    idempotencyTable: ['dynamodb:GetItem'],
  },
  idempotency: {
    idempotencyTable: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  },
  processor: {
    idempotencyTable: ['dynamodb:UpdateItem'],
  },
  events: {
    eventBus: ['events:PutEvents'],
    idempotencyTable: ['dynamodb:UpdateItem'],
  },
  worker: {
    // ReceiveMessage, DeleteMessage and GetQueueAttributes are the event source mapping's; the worker
    // itself holds failed messages back with ChangeMessageVisibility.
    orderQueue: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
    deadLetterQueue: ['sqs:SendMessage'],
    idempotencyTable: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
    eventBus: ['events:PutEvents'],
  },
  redrive: {
    deadLetterQueue: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
    orderQueue: ['sqs:SendMessage'],
    idempotencyTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    eventBus: ['events:PutEvents'],
  },
};
