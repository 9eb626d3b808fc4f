import type { PipelineFunctionName } from '../../application/workflows/pipeline-function.js';
import type { roleStatements } from './synthesized-stack.js';
import { asList, statementsOf, type Synthesized } from './synthesized-stack.js';

/** resource reference → sorted actions, over all statements of a role. */
export function grants(statements: ReturnType<typeof roleStatements>): Record<string, string[]> {
  const byResource: Record<string, Set<string>> = {};
  for (const statement of statements) {
    for (const resource of asList(statement.Resource)) {
      byResource[resource] ??= new Set();
      for (const action of asList(statement.Action)) byResource[resource].add(action);
    }
  }
  return Object.fromEntries(Object.entries(byResource).map(([resource, actions]) => [resource, [...actions].sort()]));
}

/** The grants the issue asks for, restated here independently of terraform/function-access.ts. */
export function expectedGrants(synthesized: Synthesized, name: PipelineFunctionName): Record<string, string[]> {
  const prefix = synthesized.config.namePrefix;
  const queue = (queueName: string): string =>
    synthesized.ref('aws_sqs_queue', synthesized.idWhere('aws_sqs_queue', 'name', queueName), 'arn');
  const order = queue(`${prefix}-orders`);
  const dlq = queue(`${prefix}-orders-dlq`);
  const outboxDlq = queue(`${prefix}-outbox-dlq`);
  // Only while both topologies run do the publishers also send to the orchestrated queue (not while it drains).
  const orchestrated = synthesized.config.topology === 'both' ? { [queue(`${prefix}-orders-orchestrated`)]: ['sqs:SendMessage'] } : {};
  const table = synthesized.ref('aws_dynamodb_table', synthesized.idWhere('aws_dynamodb_table', 'name', `${prefix}-idempotency`), 'arn');
  const bus = synthesized.ref(
    'aws_cloudwatch_event_bus',
    synthesized.idWhere('aws_cloudwatch_event_bus', 'name', `${prefix}-events`),
    'arn',
  );
  const ingestWorkflow = (): string =>
    synthesized.ref('aws_sfn_state_machine', synthesized.idWhere('aws_sfn_state_machine', 'name', `${prefix}-ingest`), 'arn');
  const logGroup = synthesized.idWhere('aws_cloudwatch_log_group', 'name', `/aws/lambda/${prefix}-${name}`);
  const common = {
    [`${synthesized.ref('aws_cloudwatch_log_group', logGroup, 'arn')}:*`]: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    '*': ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
  };
  const own: Record<PipelineFunctionName, Record<string, string[]>> = {
    validate: {},
    // The edge reserves, and releases its own reservation when the send failed; no event bus (the claim commits OrderPublished).
    publish: { [order]: ['sqs:SendMessage'], ...orchestrated, [table]: ['dynamodb:DeleteItem', 'dynamodb:PutItem'] },
    ingest: { [order]: ['sqs:SendMessage'], ...orchestrated, [table]: ['dynamodb:DeleteItem', 'dynamodb:PutItem'] },
    idempotency: { [table]: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] },
    processor: { [table]: ['dynamodb:UpdateItem'] },
    'outbox-relay': { [bus]: ['events:PutEvents'], [table]: ['dynamodb:UpdateItem'] },
    // The outbox: the worker never calls the event bus.
    worker: {
      [order]: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      [dlq]: ['sqs:SendMessage'],
      [table]: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
    },
    // The DLQ run, the outbox redelivery (outbox DLQ, then a sweep of the table) and the replay of parked orders.
    redrive: {
      // Lambda records a failed scheduled run in the on-failure destination with the function's own role.
      [queue(`${prefix}-redrive-failures`)]: ['sqs:SendMessage'],
      [dlq]: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'],
      [order]: ['sqs:SendMessage'],
      ...orchestrated,
      [table]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
      // The stranded reservations' sweep: the sparse index, not a scan.
      [`${table}/index/awaiting-send`]: ['dynamodb:Query'],
      [bus]: ['events:PutEvents'],
      [outboxDlq]: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'],
    },
    // GET /orders/{idempotencyKey}: reads, and nothing else.
    status: { [table]: ['dynamodb:GetItem'] },
    // The orchestrated edge: a synchronous start of the ingest workflow, and nothing else (the steps hold the rest).
    'orchestrated-ingest': name === 'orchestrated-ingest' ? { [ingestWorkflow()]: ['states:StartSyncExecution'] } : {},
  };
  return { ...common, ...own[name] };
}

/** Every policy document in the stack: role policies, assume-role policies, queue policies. */
export function allPolicies(synthesized: Synthesized): { where: string; statements: ReturnType<typeof statementsOf> }[] {
  const from = (type: string, field: string) =>
    Object.entries(synthesized.resources(type)).map(([id, props]) => ({
      where: `${type}.${id}.${field}`,
      statements: statementsOf(props[field]),
    }));
  return [
    ...from('aws_iam_role_policy', 'policy'),
    ...from('aws_iam_role', 'assume_role_policy'),
    ...from('aws_sqs_queue_policy', 'policy'),
  ];
}
