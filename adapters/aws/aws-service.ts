/** The AWS services the pipeline calls, named as the circuit breakers and the call counts name them. */
export type AwsService = 'sqs' | 'dynamodb' | 'eventbridge' | 'sfn';

const SERVICE_BY_CLIENT: Readonly<Record<string, AwsService>> = {
  SQSClient: 'sqs',
  DynamoDBClient: 'dynamodb',
  EventBridgeClient: 'eventbridge',
  SFNClient: 'sfn',
};

/** Reads the service and operation from an SDK middleware context (`clientName`, `commandName`). */
export function describeCall(context: { readonly clientName?: string; readonly commandName?: string }): {
  readonly service: string;
  readonly operation: string;
} {
  const clientName = context.clientName ?? 'unknown';
  return {
    service: SERVICE_BY_CLIENT[clientName] ?? clientName,
    operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
  };
}
