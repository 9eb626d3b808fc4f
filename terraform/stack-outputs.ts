import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import type { IdempotencyTable } from './constructs/idempotency-table.js';
import type { OrdersHttpApi } from './constructs/orders-http-api.js';
import type { PipelineEventBus } from './constructs/pipeline-event-bus.js';
import type { QueueWithDlq } from './constructs/queue-with-dlq.js';
import type { WorkflowStateMachine } from './constructs/workflow-state-machine.js';

export interface StackOutputsProps {
  readonly api: OrdersHttpApi;
  readonly orders: QueueWithDlq;
  readonly orchestratedQueueUsage: 'split' | 'drain' | undefined;
  readonly idempotency: IdempotencyTable;
  readonly events: PipelineEventBus;
  readonly outboxDlq: SqsQueue;
  readonly workflows: Readonly<Partial<Record<'ingest' | 'consume', WorkflowStateMachine>>>;
}

/** What an operator (and the runbooks) need from a deployed stage: URLs, names and ARNs. */
export function addStackOutputs(scope: Construct, props: StackOutputsProps): void {
  const { api, orders, orchestratedQueueUsage, idempotency, events, outboxDlq, workflows } = props;
  const orchestratedQueue = orders.orchestratedQueue;
  new TerraformOutput(scope, 'api_url', { value: api.stage.invokeUrl, description: 'Base URL of the HTTP API' });
  new TerraformOutput(scope, 'order_queue_url', { value: orders.queue.url });
  if (orchestratedQueue !== undefined) {
    new TerraformOutput(scope, 'orchestrated_queue_url', {
      value: orchestratedQueue.url,
      description:
        orchestratedQueueUsage === 'drain'
          ? 'The orchestrated queue being drained: switch the drain off once it has stayed empty'
          : 'The queue the orchestrated topology consumes while both run',
    });
  }
  new TerraformOutput(scope, 'dead_letter_queue_url', { value: orders.deadLetterQueue.url });
  new TerraformOutput(scope, 'pipeline_events_queue_url', {
    value: events.operatorQueue.url,
    description: 'Success and failure events, for operators',
  });
  new TerraformOutput(scope, 'idempotency_table_name', { value: idempotency.table.name });
  new TerraformOutput(scope, 'event_bus_name', { value: events.bus.name });
  new TerraformOutput(scope, 'outbox_dead_letter_queue_url', {
    value: outboxDlq.url,
    description: "Stream records the outbox pipe gave up on; the redrive's redeliver-outbox run empties it",
  });
  new TerraformOutput(scope, 'idempotency_stream_arn', {
    value: idempotency.table.streamArn,
    description: "The outbox pipe's source: never disable the stream",
  });
  for (const [name, workflow] of Object.entries(workflows)) {
    new TerraformOutput(scope, `${name}_state_machine_arn`, { value: workflow.stateMachine.arn });
  }
}
