/** One IAM statement; actions are always listed one by one (never `*`, never a wildcard). */
export interface PolicyStatement {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/**
 * Actions that accept no narrower resource than `*`, with AWS's reason. X-Ray trace segments belong to no
 * resource; Step Functions' and Pipes' log delivery is set up through account-level CloudWatch Logs APIs;
 * DynamoDB's ListStreams lists the account's streams (a stream-source pipe calls it), naming none.
 */
export const TRACE_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];
export const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
export const RESOURCELESS_ACTIONS: ReadonlySet<string> = new Set([...TRACE_ACTIONS, ...LOG_DELIVERY_ACTIONS, 'dynamodb:ListStreams']);

/** A policy document as the JSON string IAM takes. Fails loudly on a wildcard action or an unjustified `*` resource. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  for (const statement of statements) {
    for (const action of statement.actions) {
      if (action.includes('*')) throw new Error(`${statement.sid}: wildcard action ${action}`);
      if (statement.resources.includes('*') && !RESOURCELESS_ACTIONS.has(action)) {
        throw new Error(`${statement.sid}: ${action} has a narrower resource than *`);
      }
    }
  }
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((statement) => ({
      Sid: statement.sid,
      Effect: 'Allow',
      Action: [...statement.actions],
      Resource: statement.resources.length === 1 ? statement.resources[0] : [...statement.resources],
      ...(statement.conditions === undefined ? {} : { Condition: statement.conditions }),
    })),
  });
}

/** Lets `service` (e.g. `lambda.amazonaws.com`) assume the role, optionally only on behalf of one account. */
export function assumeRolePolicy(service: string, sourceAccount?: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(sourceAccount === undefined ? {} : { Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } } }),
      },
    ],
  });
}

export const XRAY_WRITE: PolicyStatement = {
  sid: 'WriteTraces',
  actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  resources: ['*'],
};
