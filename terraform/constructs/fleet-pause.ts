import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target/index.js';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine/index.js';
import { assumeRolePolicy, policyDocument, type PolicyStatement } from '../iam-policy.js';
import { LOG_DELIVERY, TRACING } from './workflow-state-machine.js';

/** The key the probe reads: any answer, item or none, says DynamoDB serves requests again. */
export const FLEET_PAUSE_PROBE_KEY = 'fleet-pause#probe';
/** A paused fleet resumes after this long whatever the probes say (fail open: the breakers take over again). */
export const FLEET_PAUSE_MAX_SECONDS = 12 * 3600;
/** Each probe round writes about 11 history events; Standard executions stop at 25 000. */
const MAX_ROUNDS_BY_HISTORY = 2_000;

export interface FleetPauseTargets {
  /** The worker's event source mappings: UUID and ARN. */
  readonly mappings: readonly { readonly uuid: string; readonly arn: string }[];
  /** The pipes that feed the consume workflow: name and ARN. */
  readonly pipes: readonly { readonly name: string; readonly arn: string }[];
}

export interface FleetPauseProps extends FleetPauseTargets {
  readonly namePrefix: string;
  /** The alarm whose move to ALARM starts the pause: DynamoDB's breaker openings. */
  readonly alarmArn: string;
  /** The probe's table and its partition key attribute. */
  readonly table: { readonly name: string; readonly arn: string; readonly partitionKey: string };
  /** One probe per this long: DynamoDB's breaker recovery period. */
  readonly probeEverySeconds: number;
  readonly logRetentionDays: number;
  readonly accountId: string;
}

/** What the fleet pause's dashboard widgets graph. */
export interface FleetPauseWidgetProps {
  readonly region: string;
  readonly metricsNamespace: string;
  readonly workerFunctionName?: string;
  readonly orderQueueName: string;
}

type Asl = Record<string, unknown>;

const RETRY_FLIP = [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 6, BackoffRate: 2 }];

/**
 * The steps of ControlFleetFlow (application/use-cases/control-fleet-flow.ts) as a Standard state machine
 * over Step Functions' AWS SDK integrations, so no function of ours runs while DynamoDB is down: disable
 * every mapping and stop every pipe; then, once per period, one GetItem; the first that answers enables
 * the mappings and starts the pipes again. After FLEET_PAUSE_MAX_SECONDS it resumes regardless (the
 * execution history is bounded, and a pause nobody ends must not outlive the queue's retention).
 */
export function fleetPauseDefinition(props: FleetPauseTargets & Pick<FleetPauseProps, 'table' | 'probeEverySeconds'>): Asl {
  const maxRounds = Math.min(MAX_ROUNDS_BY_HISTORY, Math.ceil(FLEET_PAUSE_MAX_SECONDS / props.probeEverySeconds));
  const flips = (enabled: boolean): { name: string; state: Asl }[] => [
    ...props.mappings.map((mapping, index) => ({
      name: `${enabled ? 'Enable' : 'Disable'}Mapping${index}`,
      state: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:lambda:updateEventSourceMapping',
        Parameters: { UUID: mapping.uuid, Enabled: enabled },
        ResultPath: null,
        Retry: RETRY_FLIP,
      },
    })),
    ...props.pipes.map((pipe, index) => ({
      name: `${enabled ? 'Start' : 'Stop'}Pipe${index}`,
      state: {
        Type: 'Task',
        Resource: `arn:aws:states:::aws-sdk:pipes:${enabled ? 'startPipe' : 'stopPipe'}`,
        Parameters: { Name: pipe.name },
        ResultPath: null,
        Retry: RETRY_FLIP,
      },
    })),
  ];
  const chain = (steps: { name: string; state: Asl }[], next: string): Record<string, Asl> =>
    Object.fromEntries(steps.map((step, index) => [step.name, { ...step.state, Next: steps[index + 1]?.name ?? next }]));
  const pause = flips(false);
  const resume = flips(true);
  return {
    Comment: 'Fleet pause: stop consuming while DynamoDB is down, one probe per recovery period, resume on the first answer',
    StartAt: 'Start',
    States: {
      Start: { Type: 'Pass', Parameters: { rounds: 0 }, Next: pause[0]?.name ?? 'WaitForRecovery' },
      ...chain(pause, 'WaitForRecovery'),
      WaitForRecovery: { Type: 'Wait', Seconds: props.probeEverySeconds, Next: 'CountRound' },
      CountRound: { Type: 'Pass', Parameters: { 'rounds.$': 'States.MathAdd($.rounds, 1)' }, Next: 'GiveUp?' },
      'GiveUp?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.rounds', NumericGreaterThanEquals: maxRounds, Next: resume[0]?.name ?? 'Resumed' }],
        Default: 'Probe',
      },
      Probe: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
        Parameters: {
          TableName: props.table.name,
          Key: { [props.table.partitionKey]: { S: FLEET_PAUSE_PROBE_KEY } },
          ProjectionExpression: '#k',
          ExpressionAttributeNames: { '#k': props.table.partitionKey },
        },
        ResultPath: null,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'WaitForRecovery' }],
        Next: resume[0]?.name ?? 'Resumed',
      },
      ...chain(resume, 'Resumed'),
      Resumed: { Type: 'Succeed' },
    },
  };
}

/**
 * The deployed fleet pause: an EventBridge rule on the DynamoDB breaker alarm's move to ALARM starts the
 * state machine above. Its role may flip exactly the stage's mappings and pipes and read the one table;
 * the rule's role may start exactly this state machine. Execution logs leave the data out.
 */
export class FleetPause extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly rule: CloudwatchEventRule;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: FleetPauseProps) {
    super(scope, id);
    const name = `${props.namePrefix}-fleet-pause`;
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/vendedlogs/states/${name}`,
      retentionInDays: props.logRetentionDays,
    });
    this.role = new IamRole(this, 'role', {
      name: `${name}-workflow`,
      assumeRolePolicy: assumeRolePolicy('states.amazonaws.com', props.accountId),
    });
    const statements: PolicyStatement[] = [
      ...(props.mappings.length === 0
        ? []
        : [
            {
              sid: 'FlipWorkerMappings',
              actions: ['lambda:UpdateEventSourceMapping'],
              resources: props.mappings.map((mapping) => mapping.arn),
            },
          ]),
      ...(props.pipes.length === 0
        ? []
        : [{ sid: 'FlipConsumePipes', actions: ['pipes:StopPipe', 'pipes:StartPipe'], resources: props.pipes.map((pipe) => pipe.arn) }]),
      { sid: 'ProbeTable', actions: ['dynamodb:GetItem'], resources: [props.table.arn] },
      LOG_DELIVERY,
      TRACING,
    ];
    const policy = new IamRolePolicy(this, 'policy', { name: 'least-privilege', role: this.role.id, policy: policyDocument(statements) });
    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name,
      type: 'STANDARD',
      roleArn: this.role.arn,
      definition: JSON.stringify(fleetPauseDefinition(props)),
      loggingConfiguration: { logDestination: `${logGroup.arn}:*`, includeExecutionData: false, level: 'ALL' },
      tracingConfiguration: { enabled: true },
      dependsOn: [policy],
    });
    this.rule = new CloudwatchEventRule(this, 'rule', {
      name: `${name}-on-alarm`,
      description: 'DynamoDB breakers opened: pause the consuming fleet until a probe succeeds',
      eventPattern: JSON.stringify({
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [props.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      }),
    });
    const ruleRole = new IamRole(this, 'rule-role', {
      name: `${name}-rule`,
      assumeRolePolicy: assumeRolePolicy('events.amazonaws.com', props.accountId),
    });
    new IamRolePolicy(this, 'rule-policy', {
      name: 'least-privilege',
      role: ruleRole.id,
      policy: policyDocument([{ sid: 'StartFleetPause', actions: ['states:StartExecution'], resources: [this.stateMachine.arn] }]),
    });
    new CloudwatchEventTarget(this, 'target', { rule: this.rule.name, arn: this.stateMachine.arn, roleArn: ruleRole.arn });
  }

  /**
   * Two widgets: the pause itself (executions started, running, succeeded; DynamoDB breaker openings) and
   * what it spares (worker invocations, the order queue's oldest message, which grows while paused).
   */
  widgets(props: FleetPauseWidgetProps): unknown[] {
    const machine = (metricName: string, stat: string): unknown[] => [
      'AWS/States',
      metricName,
      'StateMachineArn',
      this.stateMachine.arn,
      { stat },
    ];
    const graph = (title: string, metrics: unknown[][]): unknown => ({
      type: 'metric',
      properties: { title, region: props.region, view: 'timeSeries', stacked: false, period: 60, metrics },
    });
    return [
      graph('Fleet pause: pauses and DynamoDB breaker openings', [
        machine('ExecutionsStarted', 'Sum'),
        machine('ExecutionsSucceeded', 'Sum'),
        machine('ExecutionsFailed', 'Sum'),
        [props.metricsNamespace, 'CircuitBreakerOpened', 'service', 'dynamodb', { stat: 'Sum', label: 'dynamodb breaker openings' }],
      ]),
      graph('Fleet pause: what waits (worker invocations, oldest order)', [
        ...(props.workerFunctionName === undefined
          ? []
          : [['AWS/Lambda', 'Invocations', 'FunctionName', props.workerFunctionName, { stat: 'Sum' }]]),
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', props.orderQueueName, { stat: 'Maximum', yAxis: 'right' }],
      ]),
    ];
  }
}
