import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, type AwsClientOptions } from './client-config.js';
import { createDynamoDbClient } from './dynamodb-client.js';
import { createEventBridgeClient } from './eventbridge-client.js';
import { createSqsClient } from './sqs-client.js';

export {
  clientConfig,
  endpointFromEnv,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SDK_MAX_ATTEMPTS,
  type AwsClientOptions,
  type ServiceId,
} from './client-config.js';

export interface AwsClients {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly eventBridge: EventBridgeClient;
}

/** Built once per execution environment (module scope of the composition root), reused by every invocation. */
export function createAwsClients(
  options: AwsClientOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): AwsClients {
  const config = clientConfig(options, env);
  return {
    sqs: createSqsClient(config('SQS')),
    dynamodb: createDynamoDbClient(config('DYNAMODB')),
    eventBridge: createEventBridgeClient(config('EVENTBRIDGE')),
  };
}
