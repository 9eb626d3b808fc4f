import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ClientConfig } from './client-config.js';

/** The one DynamoDBClient of an execution environment (a function that does not call this service never imports this file). */
export function createDynamoDbClient(config: ClientConfig): DynamoDBClient {
  return new DynamoDBClient(config);
}
