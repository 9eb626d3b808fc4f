import type { PipelineFunctionName } from '../application/workflows/pipeline-function.js';

export type PipelineResource =
  | 'orderQueue'
  | 'orchestratedQueue'
  | 'deadLetterQueue'
  | 'idempotencyTable'
  | 'awaitingSendIndex'
  | 'eventBus'
  | 'outboxDeadLetterQueue'
  | 'ingestWorkflow';

/**
 * Resources a stage may not give the functions: the publishers send to the orchestrated queue only while
 * both topologies run (while it drains after the switch to `orchestrated`, only its pipe reads it); the
 * ingest workflow exists only where the orchestrated topology runs.
 */
export type OptionalResource = 'orchestratedQueue' | 'ingestWorkflow';

/** The ARN of every resource the stage gives the functions. */
export type ResourceArns = Readonly<
  Record<Exclude<PipelineResource, OptionalResource>, string> & Partial<Record<OptionalResource, string>>
>;

/**
 * What each function's adapters call, on which resource: the whole of its IAM policy besides its own logs
 * and X-Ray. Read from the adapters (SendMessageBatch needs sqs:SendMessage; the idempotency claim is one
 * conditional UpdateItem, plus a PutItem when it replaces an expired record; `get` is GetItem; the edge's
 * reservation is one conditional PutItem) and the
 * event source mapping (which polls with the worker's role). The publishers (publish, ingest, redrive)
 * send each order to the order queue or, by its key, to the orchestrated queue while both topologies
 * run; a grant on a resource the stage does not give them is left out.
 */
export const FUNCTION_ACCESS: Readonly<Record<PipelineFunctionName, Readonly<Partial<Record<PipelineResource, readonly string[]>>>>> = {
  validate: {},
  // Both reserve the order's key and fingerprint before sending it: one conditional PutItem (first accepted wins),
  // and release that reservation with a conditional DeleteItem when the send failed. No event bus: the worker's
  // first claim commits OrderPublished to the outbox.
  publish: {
    orderQueue: ['sqs:SendMessage'],
    orchestratedQueue: ['sqs:SendMessage'],
    idempotencyTable: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  },
  ingest: {
    orderQueue: ['sqs:SendMessage'],
    orchestratedQueue: ['sqs:SendMessage'],
    idempotencyTable: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
  },
  idempotency: {
    idempotencyTable: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  },
  processor: {
    idempotencyTable: ['dynamodb:UpdateItem'],
  },
  // The outbox relay: sends a record's undelivered events, then marks them delivered on the record.
  'outbox-relay': {
    eventBus: ['events:PutEvents'],
    idempotencyTable: ['dynamodb:UpdateItem'],
  },
  // No event bus: the worker commits its events to the outbox with the outcome, and the relay sends them.
  worker: {
    // ReceiveMessage, DeleteMessage and GetQueueAttributes are the event source mapping's; the worker
    // itself holds failed messages back with ChangeMessageVisibility.
    orderQueue: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
    deadLetterQueue: ['sqs:SendMessage'],
    idempotencyTable: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
  },
  // The orchestrated edge only starts the ingest workflow and waits for its end; the steps hold the other grants.
  'orchestrated-ingest': {
    ingestWorkflow: ['states:StartSyncExecution'],
  },
  // Besides the DLQ run: `redeliver-outbox` empties the outbox DLQ and sweeps the table (Scan) for records
  // still carrying undelivered events, sends and marks them; `replay` finds parked records (Scan or GetItem),
  // resets or re-announces them (PutItem, UpdateItem) and sends the order back to its queue. The scheduled run
  // also queries the sparse awaiting-send index for reservations whose message never left, reads each (GetItem),
  // sends its message and marks it (UpdateItem), or releases it (DeleteItem).
  redrive: {
    deadLetterQueue: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
    orderQueue: ['sqs:SendMessage'],
    orchestratedQueue: ['sqs:SendMessage'],
    idempotencyTable: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:DeleteItem'],
    awaitingSendIndex: ['dynamodb:Query'],
    eventBus: ['events:PutEvents'],
    outboxDeadLetterQueue: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
  },
  // GET /orders/{idempotencyKey}: one GetItem, nothing it could change.
  status: {
    idempotencyTable: ['dynamodb:GetItem'],
  },
};
