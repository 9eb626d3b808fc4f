import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine/index.js';
import type { StepFunctionName } from '../../application/workflows/pipeline-function.js';
import type { WorkflowDefinition } from '../../application/workflows/workflow-definition.js';
import { renderAsl } from '../asl.js';
import { assumeRolePolicy, LOG_DELIVERY_ACTIONS, policyDocument, TRACE_ACTIONS, type PolicyStatement } from '../iam-policy.js';

export interface WorkflowStateMachineProps {
  readonly namePrefix: string;
  readonly definition: WorkflowDefinition;
  /** Alias ARN of every step function the workflow invokes. */
  readonly functionArns: Readonly<Partial<Record<StepFunctionName, string>>>;
  readonly deadLetterQueue?: { readonly url: string; readonly arn: string };
  readonly logRetentionDays: number;
  readonly accountId: string;
}

/** Vended log delivery and X-Ray are configured through account-level APIs that take no resource. */
export const LOG_DELIVERY: PolicyStatement = {
  sid: 'DeliverExecutionLogs',
  actions: LOG_DELIVERY_ACTIONS,
  resources: ['*'],
};
export const TRACING: PolicyStatement = {
  sid: 'WriteTraces',
  actions: TRACE_ACTIONS,
  resources: ['*'],
};

/**
 * An Express state machine rendered from a shared workflow definition, with its own role (invoke exactly
 * the workflow's functions, send parked messages to the DLQ, hold back the records of the queues fed to
 * it), execution logs and X-Ray tracing. Logs leave the execution data out: orders are customer data.
 */
export class WorkflowStateMachine extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  private readonly holdsBack: boolean;
  private readonly requeues: boolean;
  private readonly heldBackQueues = new Set<string>();

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    this.holdsBack = Object.values(props.definition.steps).some((step) => step.type === 'hold-back');
    this.requeues = Object.values(props.definition.steps).some((step) => step.type === 'requeue');
    const name = `${props.namePrefix}-${props.definition.name}`;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/vendedlogs/states/${name}`,
      retentionInDays: props.logRetentionDays,
    });
    this.role = new IamRole(this, 'role', {
      name: `${name}-workflow`,
      assumeRolePolicy: assumeRolePolicy('states.amazonaws.com', props.accountId),
    });
    const invoked = Object.values(props.functionArns);
    const statements: PolicyStatement[] = [
      { sid: 'InvokeStepFunctions', actions: ['lambda:InvokeFunction'], resources: invoked },
      ...(props.deadLetterQueue === undefined
        ? []
        : [{ sid: 'ParkInDeadLetterQueue', actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.arn] }]),
      LOG_DELIVERY,
      TRACING,
    ];
    const policy = new IamRolePolicy(this, 'policy', { name: 'least-privilege', role: this.role.id, policy: policyDocument(statements) });
    const asl = renderAsl(props.definition, {
      functionArns: props.functionArns,
      ...(props.deadLetterQueue === undefined ? {} : { deadLetterQueueUrl: props.deadLetterQueue.url }),
    });
    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name,
      type: 'EXPRESS',
      roleArn: this.role.arn,
      definition: JSON.stringify(asl),
      loggingConfiguration: { logDestination: `${this.logGroup.arn}:*`, includeExecutionData: false, level: 'ALL' },
      tracingConfiguration: { enabled: true },
      dependsOn: [policy],
    });
  }

  /**
   * Lets the workflow's hold-back steps change the visibility of the records a pipe delivers from
   * `queue` (sqs:ChangeMessageVisibility on that queue alone, in a policy of its own per queue), and its
   * requeue steps send a copy of such a record back to it (sqs:SendMessage; the queue is encrypted with
   * SSE-SQS, so no KMS grant). Grants nothing to a workflow without a hold-back step, and nothing twice.
   */
  allowHoldingBack(queue: { readonly id: string; readonly arn: string }): void {
    if (!this.holdsBack || this.heldBackQueues.has(queue.id)) return;
    this.heldBackQueues.add(queue.id);
    new IamRolePolicy(this, `hold-back-${queue.id}`, {
      name: `hold-back-${queue.id}`,
      role: this.role.id,
      policy: policyDocument([
        { sid: 'HoldBackDeliveredRecords', actions: ['sqs:ChangeMessageVisibility'], resources: [queue.arn] },
        ...(this.requeues ? [{ sid: 'RequeueDeliveredRecords', actions: ['sqs:SendMessage'], resources: [queue.arn] }] : []),
      ]),
    });
  }
}
