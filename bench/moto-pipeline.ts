import type { Container } from 'inversify';
import { loadConfig } from '../application/config/pipeline-config.js';
import { awsAdaptersModule } from '../harness/pipeline/composition/aws-adapters-module.js';
import { createContainer } from '../harness/pipeline/composition/composition-root.js';
import type { RuntimeServices } from '../handlers/composition/runtime-module.js';
import type { MotoAccount } from '../tools/moto/moto.js';

/**
 * The whole pipeline's container over the AWS adapters of a moto account (its queues, table and bus), for
 * the benches that count or time what the code does on the wire. `env` adds to the account's variables.
 */
export function motoPipeline(account: MotoAccount, services: RuntimeServices, env: Readonly<Record<string, string>> = {}): Container {
  const { resources, clients } = account;
  const config = loadConfig({
    PIPELINE_BACKEND: 'aws',
    ORDER_QUEUE_URL: resources.orderQueueUrl,
    DEAD_LETTER_QUEUE_URL: resources.deadLetterQueueUrl,
    IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
    EVENT_BUS_NAME: resources.eventBusName,
    ...env,
  });
  return createContainer(config, awsAdaptersModule(config, services.clock, services.random, clients), services);
}
