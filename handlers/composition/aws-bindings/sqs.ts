import type { ContainerModuleLoadOptions } from 'inversify';
import type { PipelineConfig } from '../../../application/config/pipeline-config.js';
import type { DeadLetterQueue } from '../../../application/ports/dead-letter-queue.js';
import type { OrderQueue } from '../../../application/ports/order-queue.js';
import { SplitOrderQueue } from '../../../application/orders/split-order-queue.js';
import type { ClientConfig } from '../../../adapters/aws/client-config.js';
import type { AwsClients } from '../../../adapters/aws/clients.js';
import { createSqsClient } from '../../../adapters/aws/sqs-client.js';
import { SqsDeadLetterQueue } from '../../../adapters/aws/sqs-dead-letter-queue.js';
import { SqsOrderQueue } from '../../../adapters/aws/sqs-order-queue.js';
import { ADAPTERS } from '../../../application/tokens.js';
import type { AwsServiceAdapters, RetryTools } from './service-adapters.js';

/** The SQS adapters: the order queue (split in topology `both`), the DLQ and the outbox pipe's DLQ. */
export function bindSqsAdapters(
  bind: ContainerModuleLoadOptions['bind'],
  config: PipelineConfig,
  retryTools: RetryTools,
  client: AwsClients['sqs'],
): void {
  const orderQueue = new SqsOrderQueue({ client, queueUrl: config.orderQueueUrl, ...retryTools });
  // Topology `both` (migration phases 2–3): a share of orders goes to the orchestrated topology's queue.
  const orchestrated =
    config.orchestratedSharePercent > 0 && config.orchestratedQueueUrl !== undefined
      ? new SqsOrderQueue({ client, queueUrl: config.orchestratedQueueUrl, ...retryTools })
      : undefined;
  bind<OrderQueue>(ADAPTERS.OrderQueue).toConstantValue(
    orchestrated === undefined ? orderQueue : new SplitOrderQueue(orderQueue, orchestrated, config.orchestratedSharePercent),
  );
  bind<DeadLetterQueue>(ADAPTERS.DeadLetterQueue).toConstantValue(
    new SqsDeadLetterQueue({ client, queueUrl: config.deadLetterQueueUrl, ...retryTools }),
  );
  if (config.outboxDeadLetterQueueUrl !== undefined) {
    bind<DeadLetterQueue>(ADAPTERS.OutboxDeadLetterQueue).toConstantValue(
      new SqsDeadLetterQueue({ client, queueUrl: config.outboxDeadLetterQueueUrl, ...retryTools }),
    );
  }
}

export const SQS_ADAPTERS: AwsServiceAdapters = {
  service: 'SQS',
  bind: (bind, config, retryTools, clientConfig: ClientConfig) => bindSqsAdapters(bind, config, retryTools, createSqsClient(clientConfig)),
};
