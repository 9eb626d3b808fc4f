import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule/index.js';
import { assumeRolePolicy, policyDocument } from '../iam-policy.js';
import type { PipelineFunction } from './pipeline-function.js';

export interface RedriveScheduleProps {
  readonly name: string;
  readonly scheduleExpression: string;
  readonly redrive: PipelineFunction;
  readonly accountId: string;
  /** The event the redrive is invoked with; the DLQ run's `{ source: 'schedule' }` when left out. */
  readonly input?: Readonly<Record<string, unknown>>;
}

/**
 * EventBridge Scheduler invokes the redrive's `live` alias at the configured rate, with a fixed input (the
 * DLQ run, or another of the redrive's actions). A failed run is not retried by the scheduler: the next run
 * picks up whatever is still left.
 */
export class RedriveSchedule extends Construct {
  readonly schedule: SchedulerSchedule;
  readonly role: IamRole;

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
    this.schedule = new SchedulerSchedule(this, 'schedule', {
      name: props.name,
      scheduleExpression: props.scheduleExpression,
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.redrive.alias.arn,
        roleArn: this.role.arn,
        input: JSON.stringify(props.input ?? { source: 'schedule' }),
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      },
    });
  }
}
