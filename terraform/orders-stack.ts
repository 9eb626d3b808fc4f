import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { CONSUME_WORKFLOW } from '../application/workflows/consume-workflow.js';
import { INGEST_WORKFLOW } from '../application/workflows/ingest-workflow.js';
import type { PipelineFunctionName } from '../application/workflows/pipeline-function.js';
import type { WorkflowDefinition } from '../application/workflows/workflow-definition.js';
import { resolveBreakerSettings } from '../application/config/breaker-overrides.js';
import { AlarmNotifications } from './constructs/alarm-notifications.js';
import { FleetPause, type FleetPauseTargets } from './constructs/fleet-pause.js';
import { IDEMPOTENCY_PARTITION_KEY, IdempotencyTable } from './constructs/idempotency-table.js';
import { OrderQueuePipe } from './constructs/order-queue-pipe.js';
import { addOutboxAlarms } from './constructs/outbox-observability.js';
import { OutboxRelay, outboxDeadLetterQueue, outboxNames } from './constructs/outbox-relay.js';
import { OrdersHttpApi } from './constructs/orders-http-api.js';
import { PipelineEventBus } from './constructs/pipeline-event-bus.js';
import { PipelineFunction } from './constructs/pipeline-function.js';
import { PipelineObservability } from './constructs/pipeline-observability.js';
import { QueueWithDlq } from './constructs/queue-with-dlq.js';
import { RedriveSchedule } from './constructs/redrive-schedule.js';
import type { StageAlarms } from './constructs/stage-alarms.js';
import { workerEventSource } from './constructs/worker-event-source.js';
import { WorkflowStateMachine } from './constructs/workflow-state-machine.js';
import type { ResourceArns } from './function-access.js';
import { functionEnvironment, orchestratedEdgeEnvironment, type FunctionEnvironment } from './function-environment.js';
import { addPipelineAlarms } from './pipeline-alarms.js';
import { assertDeployable } from './stage-config-problems.js';
import { type StageConfig } from './stage-config.js';
import { addStackOutputs } from './stack-outputs.js';
import {
  accessStatements,
  apiRoutes,
  functionsFor,
  orchestratedQueueUse,
  orderQueueVisibilityTimeout,
  required,
  stepFunctionArns,
} from './stack-topology.js';
import { configureStateBackend } from './state-backend.js';

export interface OrdersStackProps {
  readonly config: StageConfig;
  /** The bundle folder of every function (see bundle.ts); specs pass folders of dummy bundles. */
  readonly code: Readonly<Record<PipelineFunctionName, string>>;
}

/** One stage of the pipeline: queues, table, bus, functions, API, workflows, the outbox's pipe, schedules, alarms, dashboard. */
export class OrdersStack extends TerraformStack {
  readonly functions: Readonly<Partial<Record<PipelineFunctionName, PipelineFunction>>>;
  readonly workflows: Readonly<Partial<Record<'ingest' | 'consume', WorkflowStateMachine>>>;
  readonly orders: QueueWithDlq;
  readonly idempotency: IdempotencyTable;
  readonly events: PipelineEventBus;
  readonly api: OrdersHttpApi;
  /** Every alarm of the stage is made here: `alarms.add({...})` (see StageAlarms). */
  readonly alarms: StageAlarms;

  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id);
    const { config } = props;
    assertDeployable(config);
    configureStateBackend(this, id, config.operations.state);
    const prefix = config.namePrefix;
    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [{ tags: { application: 'resilient-order-pipeline', stage: config.stage, 'managed-by': 'cdktf' } }],
    });
    const accountId = new DataAwsCallerIdentity(this, 'account').accountId;

    // Both topologies consume side by side only from queues of their own: the publishers split orders between them.
    // After the switch to `orchestrated` the same queue (same construct, so Terraform keeps it) stays until drained.
    const orchestratedQueueUsage = orchestratedQueueUse(config);
    const orchestratedQueueName = orchestratedQueueUsage === undefined ? undefined : `${prefix}-orders-orchestrated`;
    this.orders = new QueueWithDlq(this, 'orders', {
      name: `${prefix}-orders`,
      visibilityTimeoutSeconds: orderQueueVisibilityTimeout(config),
      retentionSeconds: config.queue.retentionSeconds,
      maxReceiveCount: config.queue.maxReceiveCount,
      ...(orchestratedQueueName === undefined ? {} : { orchestratedQueueName }),
    });
    const orchestratedQueue = this.orders.orchestratedQueue;
    // The queue the publishers split orders to: none while the orchestrated queue drains, so nothing new reaches it.
    const splitQueue = orchestratedQueueUsage === 'split' ? orchestratedQueue : undefined;
    this.idempotency = new IdempotencyTable(this, 'idempotency', {
      name: `${prefix}-idempotency`,
      deletionProtection: config.deletionProtection,
    });
    this.events = new PipelineEventBus(this, 'events', {
      namePrefix: prefix,
      eventSource: config.application.eventSource,
      archiveRetentionDays: config.eventArchiveRetentionDays,
    });

    const outboxDlq = outboxDeadLetterQueue(this, 'outbox-dlq', prefix);

    const environment = functionEnvironment(config, {
      orderQueueUrl: this.orders.queue.url,
      ...(splitQueue === undefined ? {} : { orchestratedQueueUrl: splitQueue.url }),
      deadLetterQueueUrl: this.orders.deadLetterQueue.url,
      idempotencyTableName: this.idempotency.table.name,
      eventBusName: this.events.bus.name,
      outboxDeadLetterQueueUrl: outboxDlq.url,
    });
    const resourceArns: ResourceArns = {
      orderQueue: this.orders.queue.arn,
      ...(splitQueue === undefined ? {} : { orchestratedQueue: splitQueue.arn }),
      deadLetterQueue: this.orders.deadLetterQueue.arn,
      idempotencyTable: this.idempotency.table.arn,
      awaitingSendIndex: this.idempotency.awaitingSendIndexArn,
      eventBus: this.events.bus.arn,
      outboxDeadLetterQueue: outboxDlq.arn,
    };
    const canary = config.migration.canary;
    const functions: Partial<Record<PipelineFunctionName, PipelineFunction>> = {};
    const addFunction = (name: PipelineFunctionName, env: FunctionEnvironment, arns: ResourceArns): PipelineFunction => {
      const previousVersion = canary?.previousVersions[name];
      const fn = new PipelineFunction(this, `${name}-function`, {
        name,
        namePrefix: prefix,
        codeDirectory: props.code[name],
        settings: config.functions[name],
        environment: env,
        logRetentionDays: config.logRetentionDays,
        logLevel: config.logLevel,
        statements: accessStatements(name, arns),
        routing: { newVersionWeight: canary?.newVersionWeight ?? 1, ...(previousVersion === undefined ? {} : { previousVersion }) },
      });
      functions[name] = fn;
      return fn;
    };
    // The orchestrated edge starts the ingest workflow, whose tasks are the other functions: it comes after the workflows.
    const deployed = functionsFor(config.topology);
    for (const name of deployed.filter((candidate) => candidate !== 'orchestrated-ingest')) addFunction(name, environment, resourceArns);
    this.functions = functions;

    const worker = functions.worker;
    // What the fleet pause disables and enables again (terraform/constructs/fleet-pause.ts).
    const pausable: { mappings: FleetPauseTargets['mappings'][number][]; pipes: FleetPauseTargets['pipes'][number][] } = {
      mappings: [],
      pipes: [],
    };
    if (worker !== undefined) {
      const workerSource = workerEventSource(this, {
        queueArn: this.orders.queue.arn,
        functionArn: worker.alias.arn,
        settings: config.worker,
      });
      pausable.mappings.push({ uuid: workerSource.uuid, arn: workerSource.arn });
    }

    const workflows: Partial<Record<'ingest' | 'consume', WorkflowStateMachine>> = {};
    if (config.topology !== 'composed') {
      const machine = (definition: WorkflowDefinition, withDlq: boolean): WorkflowStateMachine =>
        new WorkflowStateMachine(this, `${definition.name}-workflow`, {
          namePrefix: prefix,
          definition,
          functionArns: stepFunctionArns(definition, functions),
          ...(withDlq ? { deadLetterQueue: { url: this.orders.deadLetterQueue.url, arn: this.orders.deadLetterQueue.arn } } : {}),
          logRetentionDays: config.logRetentionDays,
          accountId,
        });
      workflows.ingest = machine(INGEST_WORKFLOW, false);
      workflows.consume = machine(CONSUME_WORKFLOW, true);
      const consume = workflows.consume.stateMachine.arn;
      const consumeWorkflow = workflows.consume;
      const pipe = (id: string, name: string, queue: { readonly arn: string }): OrderQueuePipe => {
        // The workflow may hold back (change the visibility of) the records this pipe feeds it, and no others.
        consumeWorkflow.allowHoldingBack({ id: name, arn: queue.arn });
        const made = new OrderQueuePipe(this, id, {
          name,
          queueArn: queue.arn,
          stateMachineArn: consume,
          logRetentionDays: config.logRetentionDays,
          accountId,
        });
        pausable.pipes.push({ name, arn: made.pipe.arn });
        return made;
      };
      pipe('consume-pipe', `${prefix}-consume`, splitQueue ?? this.orders.queue);
      if (orchestratedQueueUsage === 'drain') {
        // Its own pipe and role, so that turning the drain off deletes just these with the queue.
        pipe('drain-pipe', `${prefix}-drain-orchestrated`, required(orchestratedQueue, 'orchestrated queue'));
      }
    }
    this.workflows = workflows;
    if (deployed.includes('orchestrated-ingest')) {
      const ingestWorkflow = required(workflows.ingest, 'ingest workflow').stateMachine.arn;
      addFunction('orchestrated-ingest', orchestratedEdgeEnvironment(environment, ingestWorkflow), { ...resourceArns, ingestWorkflow });
    }

    this.api = new OrdersHttpApi(this, 'http', {
      namePrefix: prefix,
      routes: apiRoutes(config.topology, functions),
      authorization: config.api.authorization,
      throttlingRateLimit: config.api.throttlingRateLimit,
      throttlingBurstLimit: config.api.throttlingBurstLimit,
      logRetentionDays: config.logRetentionDays,
      accountId,
    });

    const redrive = required(functions.redrive, 'redrive');
    const redriveSchedule = new RedriveSchedule(this, 'redrive-schedule', {
      name: `${prefix}-redrive`,
      scheduleExpression: config.redriveSchedule,
      redrive,
      accountId,
    });
    new OutboxRelay(this, 'outbox', {
      namePrefix: prefix,
      streamArn: this.idempotency.table.streamArn,
      relay: required(functions['outbox-relay'], 'outbox-relay'),
      deadLetterQueue: outboxDlq,
      settings: config.outbox,
      logRetentionDays: config.logRetentionDays,
      accountId,
    });

    const notifications = new AlarmNotifications(this, 'notifications', {
      namePrefix: prefix,
      notifications: config.operations.notifications,
      accountId,
    });
    const watched = {
      namePrefix: prefix,
      metricsNamespace: config.application.metricsNamespace,
      serviceName: config.application.serviceName,
      orderQueueName: `${prefix}-orders`,
      ...(orchestratedQueueName === undefined ? {} : { orchestratedQueueName }),
      deadLetterQueueName: `${prefix}-orders-dlq`,
      functionNames: Object.values(functions).map((fn) => fn.functionName),
    };
    const observability = new PipelineObservability(this, 'observability', {
      ...watched,
      region: config.region,
      topicArn: notifications.topicArn,
      runbookBaseUrl: config.operations.runbookBaseUrl,
    });
    this.alarms = observability.alarms;
    addPipelineAlarms(this.alarms, {
      ...watched,
      workerDeployed: worker !== undefined,
      stateMachineArns: Object.values(workflows).map((workflow) => workflow.stateMachine.arn),
      apiId: this.api.api.id,
      pipelineEventsQueueName: this.events.operatorQueue.name,
      pipelineEventsDeadLetterQueueName: this.events.deadLetterQueue.name,
      redriveFailuresQueueName: redriveSchedule.failures.name,
      thresholds: config.alarms,
    });
    const dynamodbBreakerAlarm = this.alarms.alarms.find((alarm) => alarm.alarmNameInput === `${prefix}-breaker-open-dynamodb`);
    if (dynamodbBreakerAlarm !== undefined && (pausable.mappings.length > 0 || pausable.pipes.length > 0)) {
      const fleetPause = new FleetPause(this, 'fleet-pause', {
        namePrefix: prefix,
        ...pausable,
        alarmArn: dynamodbBreakerAlarm.arn,
        table: { name: this.idempotency.table.name, arn: this.idempotency.table.arn, partitionKey: IDEMPOTENCY_PARTITION_KEY },
        probeEverySeconds: Math.ceil(resolveBreakerSettings(config.breakers).dynamodb.recoveryTimeoutMs / 1_000),
        logRetentionDays: config.logRetentionDays,
        accountId,
      });
      observability.extraWidgets.push(
        ...fleetPause.widgets({
          region: config.region,
          metricsNamespace: config.application.metricsNamespace,
          orderQueueName: `${prefix}-orders`,
          ...(worker === undefined ? {} : { workerFunctionName: worker.functionName }),
        }),
      );
    }
    addOutboxAlarms(this.alarms, {
      pipeName: outboxNames(prefix).pipe,
      deadLetterQueueName: outboxNames(prefix).deadLetterQueue,
      metricsNamespace: config.application.metricsNamespace,
      serviceName: config.application.serviceName,
      thresholds: config.alarms,
    });

    addStackOutputs(this, {
      api: this.api,
      orders: this.orders,
      orchestratedQueueUsage,
      idempotency: this.idempotency,
      events: this.events,
      outboxDlq,
      workflows,
    });
  }
}
