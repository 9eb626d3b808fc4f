import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { PipesPipe } from '@cdktf/provider-aws/lib/pipes-pipe/index.js';
import { assumeRolePolicy, policyDocument } from '../iam-policy.js';

export interface OrderQueuePipeProps {
  readonly name: string;
  /** The queue it consumes: the order queue, or the orchestrated queue while both topologies run or while it drains. */
  readonly queueArn: string;
  readonly stateMachineArn: string;
  readonly logRetentionDays: number;
  readonly accountId: string;
}

/**
 * Feeds its source queue to the consume workflow, one record per synchronous Express execution: the
 * message is deleted when the execution succeeds (processed, acknowledged as a duplicate, or parked) and
 * comes back when it fails (after the backoff the workflow held it back for, or else after the queue's
 * visibility timeout), until the redrive policy moves it to the DLQ. The stack lets the workflow it feeds
 * hold back the records of this queue, and of no other (WorkflowStateMachine.allowHoldingBack).
 */
export class OrderQueuePipe extends Construct {
  readonly pipe: PipesPipe;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: OrderQueuePipeProps) {
    super(scope, id);
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/vendedlogs/pipes/${props.name}`,
      retentionInDays: props.logRetentionDays,
    });
    this.role = new IamRole(this, 'role', {
      name: `${props.name}-pipe`,
      assumeRolePolicy: assumeRolePolicy('pipes.amazonaws.com', props.accountId),
    });
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: this.role.id,
      policy: policyDocument([
        {
          sid: 'ConsumeSourceQueue',
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          resources: [props.queueArn],
        },
        { sid: 'RunConsumeWorkflow', actions: ['states:StartSyncExecution'], resources: [props.stateMachineArn] },
        { sid: 'WritePipeLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.arn}:*`] },
      ]),
    });
    this.pipe = new PipesPipe(this, 'pipe', {
      name: props.name,
      roleArn: this.role.arn,
      source: props.queueArn,
      target: props.stateMachineArn,
      desiredState: 'RUNNING',
      // The fleet pause stops and starts the pipe; an apply during a pause must not restart it behind its back.
      lifecycle: { ignoreChanges: ['desired_state'] },
      sourceParameters: { sqsQueueParameters: { batchSize: 1, maximumBatchingWindowInSeconds: 0 } },
      targetParameters: { stepFunctionStateMachineParameters: { invocationType: 'REQUEST_RESPONSE' } },
      logConfiguration: { level: 'ERROR', cloudwatchLogsLogDestination: { logGroupArn: logGroup.arn } },
      dependsOn: [policy],
    });
  }
}
