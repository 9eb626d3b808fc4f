import type { ContainerModuleLoadOptions } from 'inversify';
import type { PipelineConfig } from '../../../application/config/pipeline-config.js';
import type { IdempotencyStore } from '../../../application/ports/idempotency-store.js';
import type { ClientConfig } from '../../../adapters/aws/client-config.js';
import type { AwsClients } from '../../../adapters/aws/clients.js';
import { createDynamoDbClient } from '../../../adapters/aws/dynamodb-client.js';
import { DynamoDbIdempotencyStore } from '../../../adapters/aws/dynamodb-idempotency-store.js';
import { ADAPTERS } from '../../../application/tokens.js';
import type { AwsServiceAdapters } from './service-adapters.js';

/** The DynamoDB adapter: the idempotency store (and, through its records, the outbox). */
export function bindDynamoDbAdapters(
  bind: ContainerModuleLoadOptions['bind'],
  config: PipelineConfig,
  client: AwsClients['dynamodb'],
): void {
  bind<IdempotencyStore>(ADAPTERS.IdempotencyStore).toConstantValue(
    new DynamoDbIdempotencyStore({ client, tableName: config.idempotencyTableName }),
  );
}

export const DYNAMODB_ADAPTERS: AwsServiceAdapters = {
  service: 'DYNAMODB',
  bind: (bind, config, _retryTools, clientConfig: ClientConfig) => bindDynamoDbAdapters(bind, config, createDynamoDbClient(clientConfig)),
};
