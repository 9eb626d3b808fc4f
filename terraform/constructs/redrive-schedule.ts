import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config/index.js';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SQS_MAX_PAYLOAD_BYTES } from '../../domain/batch-packing.js';
import { assumeRolePolicy, policyDocument } from '../iam-policy.js';
import type { PipelineFunction } from './pipeline-function.js';

/** A run that could not start within a minute is dropped: the next scheduled run is as good. */

/**
 * The input of the redrive's one scheduled run: the outbox redelivery, then the DLQ redrive, in one
 * invocation (handlers/redrive.ts). Two schedules on the same function, whose reserved concurrency is 1
 * (overlapping redrives would move the same messages twice), would fire together: the second invocation
 * throttled, its event dropped once older than a minute into `redrive-failures`, a false `redrive-failed`
 * alarm and a skipped run. One schedule cannot collide with itself, and needs no offset that a rate()
 * expression cannot express; the alternative, a concurrency of 2, would let two DLQ redrives overlap.
 */
export const SCHEDULED_RUN_INPUT = { action: 'scheduled' } as const;
const REDRIVE_EVENT_MAX_AGE_SECONDS = 60;

export interface RedriveScheduleProps {
  readonly name: string;
  readonly scheduleExpression: string;
  readonly redrive: PipelineFunction;
  readonly accountId: string;
  /** The event the redrive is invoked with; SCHEDULED_RUN_INPUT (outbox redelivery, then DLQ redrive) when left out. */
  readonly input?: Readonly<Record<string, unknown>>;
  /** The failures queue and the alias' asynchronous invocation settings, made by the function's first schedule. */
  readonly invocation?: RedriveInvocation;
}

/** What a second schedule of the same function shares with the first. */
export interface RedriveInvocation {
  readonly failures: SqsQueue;
}

/**
 * EventBridge Scheduler invokes the redrive's `live` alias at the configured rate, asynchronously, with a
 * fixed input (SCHEDULED_RUN_INPUT, or another of the redrive's actions). A failed run is retried neither by the
 * scheduler nor by Lambda (whose default is 2 more tries, which with the redrive's concurrency of 1 would
 * queue behind, and overlap, the next scheduled runs): the next run picks up whatever is still left.
 * Lambda records each failed run in the `redrive-failures` queue (its on-failure destination), which the
 * `redrive-failed` alarm watches. The asynchronous invocation settings belong to the function's alias, so
 * only the first schedule of a function configures them (`configuresInvocation`); the others share them.
 */
export class RedriveSchedule extends Construct {
  readonly schedule: SchedulerSchedule;
  readonly role: IamRole;
  readonly failures: SqsQueue;

  /** Shared with a later schedule of the same function (one invocation config per alias). */
  get invocation(): RedriveInvocation {
    return { failures: this.failures };
  }

  constructor(scope: Construct, id: string, props: RedriveScheduleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: `${props.name}-scheduler`,
      assumeRolePolicy: assumeRolePolicy('scheduler.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: this.role.id,
      policy: policyDocument([{ sid: 'InvokeRedrive', actions: ['lambda:InvokeFunction'], resources: [props.redrive.alias.arn] }]),
    });
    if (props.invocation !== undefined) {
      this.failures = props.invocation.failures;
    } else {
      this.failures = new SqsQueue(this, 'failures', {
        name: `${props.name}-failures`,
        messageRetentionSeconds: 14 * 24 * 3600,
        maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
        sqsManagedSseEnabled: true,
      });
      // Lambda sends to an on-failure destination with the function's own role.
      const destinationPolicy = new IamRolePolicy(this, 'destination-policy', {
        name: 'on-failure-destination',
        role: props.redrive.role.id,
        policy: policyDocument([{ sid: 'RecordFailedRuns', actions: ['sqs:SendMessage'], resources: [this.failures.arn] }]),
      });
      new LambdaFunctionEventInvokeConfig(this, 'invoke-config', {
        functionName: props.redrive.function.functionName,
        qualifier: props.redrive.alias.name,
        maximumRetryAttempts: 0,
        maximumEventAgeInSeconds: REDRIVE_EVENT_MAX_AGE_SECONDS,
        destinationConfig: { onFailure: { destination: this.failures.arn } },
        dependsOn: [destinationPolicy],
      });
    }
    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: props.name,
      scheduleExpression: props.scheduleExpression,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.redrive.alias.arn,
        roleArn: this.role.arn,
        input: JSON.stringify(props.input ?? SCHEDULED_RUN_INPUT),
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: REDRIVE_EVENT_MAX_AGE_SECONDS },
      },
    });
  }
}
