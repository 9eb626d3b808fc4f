/**
 * The floor a function's bundle and INIT are measured against: a handler that only constructs the
 * three SDK clients the pipeline uses, at module scope, built with the project's esbuild settings.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({});
const dynamodb = new DynamoDBClient({});
const eventBridge = new EventBridgeClient({});

export const handler = async (): Promise<{ clients: number }> => ({ clients: [sqs, dynamodb, eventBridge].length });
