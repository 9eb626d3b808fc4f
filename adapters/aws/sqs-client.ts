import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientConfig } from './client-config.js';

/** The one SQSClient of an execution environment (a function that does not call this service never imports this file). */
export function createSqsClient(config: ClientConfig): SQSClient {
  return new SQSClient(config);
}
