import { expect } from 'chai';
import { Testing } from '../support/cdktf-testing.js';
import { resolveBreakerSettings } from '../../application/config/breaker-overrides.js';
import { loadConfig, type PipelineEnvironment } from '../../application/config/pipeline-config.js';
import { PIPELINE_FUNCTION_NAMES, type PipelineFunctionName } from '../../application/workflows/pipeline-function.js';
import { functionsFor } from '../../terraform/stack-topology.js';
import { functionEnvironment, type RuntimeEnvironment } from '../../terraform/function-environment.js';
import type { MigrationPhase, StageConfig, Topology } from '../../terraform/stage-config.js';
import { drainingStage, functionId, stage, synthesize, type Synthesized } from './synthesized-stack.js';

type Props = Record<string, unknown>;

function lambda(synthesized: Synthesized, name: PipelineFunctionName): Props {
  return synthesized.resources('aws_lambda_function')[functionId(synthesized, name)] as Props;
}

function variables(synthesized: Synthesized, name: PipelineFunctionName): Record<string, string> {
  return (lambda(synthesized, name).environment as { variables: Record<string, string> }).variables;
}

function variant(topology: Topology, phase: MigrationPhase): StageConfig {
  return { ...stage('dev'), topology, migration: { phase } };
}

// Every name a function's environment may carry: the pipeline's own (validated by loadConfig) and the runtime's.
const KNOWN_VARIABLES: readonly (keyof PipelineEnvironment | keyof RuntimeEnvironment)[] = [
  'PIPELINE_BACKEND',
  'SERVICE_NAME',
  'ORDER_QUEUE_URL',
  'ORCHESTRATED_QUEUE_URL',
  'ORCHESTRATED_SHARE_PERCENT',
  'DEAD_LETTER_QUEUE_URL',
  'IDEMPOTENCY_TABLE_NAME',
  'EVENT_BUS_NAME',
  'EVENT_SOURCE',
  'ALLOW_FAILURE_SIMULATION',
  'SUPPORTED_CURRENCIES',
  'MAX_ORDER_TOTAL_MINOR',
  'TAX_RATE_BASIS_POINTS',
  'MAX_BODY_BYTES',
  'IDEMPOTENCY_TTL_SECONDS',
  'WORKER_CONCURRENCY',
  'BACKOFF_STRATEGY',
  'BACKOFF_BASE_SECONDS',
  'BACKOFF_CAP_SECONDS',
  'REDRIVE_MAX_ATTEMPTS',
  'REDRIVE_MESSAGE_BUDGET',
  'REDRIVE_TIME_BUDGET_MS',
  'PERMANENCE_RECEIVE_THRESHOLD',
  'OUTBOX_DEAD_LETTER_QUEUE_URL',
  'OUTBOX_SWEEP_AGE_SECONDS',
  'BREAKER_SETTINGS',
  'INGEST_STATE_MACHINE_ARN',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
];

describe('Stack: functions', () => {
  const dev = synthesize(stage('dev'));
  const prod = synthesize(stage('prod'));

  describe('Function: functionsFor', () => {
    it('deploys every function when both topologies run, and only the composed or the step functions otherwise', () => {
      expect([...functionsFor('both')].sort()).to.deep.equal([...PIPELINE_FUNCTION_NAMES].sort());
      expect(functionsFor('composed'))
        .to.include.members(['ingest', 'worker', 'validate', 'publish', 'redrive'])
        .and.not.include('processor');
      expect(functionsFor('orchestrated')).to.include.members(['idempotency', 'processor', 'redrive']).and.not.include('worker');
    });

    it('deploys the orchestrated edge wherever the ingest workflow runs, and only there', () => {
      expect(functionsFor('orchestrated')).to.include('orchestrated-ingest');
      expect(functionsFor('both')).to.include('orchestrated-ingest');
      expect(functionsFor('composed')).to.not.include('orchestrated-ingest');
    });

    it('deploys the outbox-relay function in every topology: both deliver their events through the outbox', () => {
      for (const topology of ['composed', 'orchestrated', 'both'] as const)
        expect(functionsFor(topology), topology).to.include('outbox-relay');
    });
  });

  for (const synthesized of [dev, prod]) {
    const { config } = synthesized;
    describe(`Stage: ${config.stage}`, () => {
      it('creates exactly the functions of its topology', () => {
        const names = Object.values(synthesized.resources('aws_lambda_function')).map((fn) => fn.function_name);
        expect(names).to.have.members(functionsFor(config.topology).map((name) => `${config.namePrefix}-${name}`));
      });

      for (const name of functionsFor(config.topology)) {
        describe(`Function: ${name}`, () => {
          it('runs on Node 22 or newer, arm64, with X-Ray tracing and a published version', () => {
            const fn = lambda(synthesized, name);
            expect(fn.runtime).to.match(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
            expect(fn.architectures).to.deep.equal(['arm64']);
            expect(fn.tracing_config).to.deep.equal({ mode: 'Active' });
            expect(fn.publish).to.equal(true);
            expect(fn.handler).to.equal('index.handler');
          });

          it('takes memory, timeout and reserved concurrency from the stage configuration', () => {
            const fn = lambda(synthesized, name);
            const settings = config.functions[name];
            expect(fn.memory_size).to.equal(settings.memoryMb);
            expect(fn.timeout).to.equal(settings.timeoutSeconds);
            expect(fn.reserved_concurrent_executions).to.equal(settings.reservedConcurrency);
          });

          it('logs JSON into a log group of its own, with the stage retention', () => {
            const fn = lambda(synthesized, name);
            const logging = fn.logging_config as Props;
            expect(logging.log_format).to.equal('JSON');
            const groupId = /^\$\{aws_cloudwatch_log_group\.([^.]+)\.name\}$/.exec(String(logging.log_group))?.[1] ?? '';
            const group = synthesized.resources('aws_cloudwatch_log_group')[groupId];
            expect(group, 'log group').to.not.equal(undefined);
            expect(group?.name).to.equal(`/aws/lambda/${config.namePrefix}-${name}`);
            expect(group?.retention_in_days).to.equal(config.logRetentionDays);
          });

          it('has an environment that the composition root accepts and whose names all belong to the shared type', () => {
            const environment = variables(synthesized, name);
            expect(Object.keys(environment).filter((key) => !(KNOWN_VARIABLES as readonly string[]).includes(key))).to.deep.equal([]);
            expect(() => loadConfig(environment)).to.not.throw();
            expect(environment.POWERTOOLS_METRICS_NAMESPACE).to.equal(config.application.metricsNamespace);
            expect(environment.PIPELINE_BACKEND).to.equal('aws');
            expect(loadConfig(environment).breakers, "the stage's breakers, resolved").to.deep.equal(
              resolveBreakerSettings(config.breakers),
            );
          });
        });
      }

      it("gives every function the outbox DLQ's URL and the stage's sweep age, which the redrive's redeliver-outbox run reads", () => {
        const url = synthesized.ref(
          'aws_sqs_queue',
          synthesized.idWhere('aws_sqs_queue', 'name', `${config.namePrefix}-outbox-dlq`),
          'url',
        );
        for (const name of functionsFor(config.topology)) {
          const environment = variables(synthesized, name);
          expect(environment, name).to.deep.include({
            OUTBOX_DEAD_LETTER_QUEUE_URL: url,
            OUTBOX_SWEEP_AGE_SECONDS: String(config.outbox.sweepAgeSeconds),
          });
          expect(loadConfig(environment), name).to.deep.include({
            outboxDeadLetterQueueUrl: url,
            outboxSweepAgeSeconds: config.outbox.sweepAgeSeconds,
          });
        }
      });

      it('gives every function the same environment, and only the orchestrated edge the ingest state machine it starts', () => {
        const environments = functionsFor(config.topology).map((name) => {
          const { INGEST_STATE_MACHINE_ARN: arn, ...shared } = variables(synthesized, name);
          if (name === 'orchestrated-ingest') {
            expect(arn).to.equal(
              synthesized.ref(
                'aws_sfn_state_machine',
                synthesized.idWhere('aws_sfn_state_machine', 'name', `${config.namePrefix}-ingest`),
                'arn',
              ),
            );
          } else {
            expect(arn, name).to.equal(undefined);
          }
          return JSON.stringify(shared);
        });
        expect(new Set(environments).size).to.equal(1);
      });

      it('gives every function its own role', () => {
        const roles = Object.values(synthesized.resources('aws_lambda_function')).map((fn) => fn.role);
        expect(new Set(roles).size).to.equal(roles.length);
      });

      it('gives every function and workflow its own log group, each with a retention', () => {
        const groups = Object.values(synthesized.resources('aws_cloudwatch_log_group'));
        expect(groups.every((group) => group.retention_in_days === config.logRetentionDays)).to.equal(true);
        expect(new Set(groups.map((group) => group.name)).size).to.equal(groups.length);
      });

      it('invokes every function through its live alias', () => {
        expect(Testing.toHaveResourceWithProperties(synthesized.json, 'aws_lambda_alias', { name: 'live' })).to.equal(true);
        expect(Object.keys(synthesized.resources('aws_lambda_alias'))).to.have.length(functionsFor(config.topology).length);
      });
    });
  }

  describe('Method: traffic split environment', () => {
    const queueUrl = (synthesized: Synthesized, name: string): string =>
      synthesized.ref('aws_sqs_queue', synthesized.idWhere('aws_sqs_queue', 'name', name), 'url');

    for (const [phase, share] of [
      [1, '0'],
      [2, '10'],
      [3, '50'],
      [4, '100'],
    ] as const) {
      it(`gives every function the orchestrated queue and the phase ${phase} share (${share} %) when both topologies run`, () => {
        const synthesized = synthesize(variant('both', phase));
        for (const name of functionsFor('both')) {
          const environment = variables(synthesized, name);
          expect(environment, name).to.deep.include({
            ORDER_QUEUE_URL: queueUrl(synthesized, 'orders-dev-orders'),
            ORCHESTRATED_QUEUE_URL: queueUrl(synthesized, 'orders-dev-orders-orchestrated'),
            ORCHESTRATED_SHARE_PERCENT: share,
          });
          expect(loadConfig(environment), name).to.deep.include({ orchestratedSharePercent: Number(share) });
        }
      });
    }

    for (const topology of ['composed', 'orchestrated'] as const) {
      it(`leaves the split out when the stage is ${topology}: the one order queue carries every order`, () => {
        const synthesized = synthesize(variant(topology, 3));
        for (const name of functionsFor(topology)) {
          const environment = variables(synthesized, name);
          expect(environment, name).to.not.have.any.keys('ORCHESTRATED_QUEUE_URL', 'ORCHESTRATED_SHARE_PERCENT');
          expect(loadConfig(environment), name).to.deep.include({ orchestratedQueueUrl: undefined, orchestratedSharePercent: 0 });
        }
      });
    }

    it('sends nothing to the orchestrated queue while it drains: no function has the split variables or the queue in its environment', () => {
      const synthesized = synthesize(drainingStage());
      const orchestratedQueue = `aws_sqs_queue.${synthesized.idWhere('aws_sqs_queue', 'name', 'orders-dev-orders-orchestrated')}.`;
      for (const name of functionsFor('orchestrated')) {
        const environment = variables(synthesized, name);
        expect(environment, name).to.not.have.any.keys('ORCHESTRATED_QUEUE_URL', 'ORCHESTRATED_SHARE_PERCENT');
        expect(
          Object.values(environment).filter((value) => value.includes(orchestratedQueue)),
          name,
        ).to.deep.equal([]);
        expect(environment.ORDER_QUEUE_URL, name).to.equal(queueUrl(synthesized, 'orders-dev-orders'));
        expect(loadConfig(environment), name).to.deep.include({ orchestratedQueueUrl: undefined, orchestratedSharePercent: 0 });
      }
    });

    it('refuses to build the environment of a stage running both topologies without an orchestrated queue', () => {
      const resources = {
        orderQueueUrl: 'q',
        deadLetterQueueUrl: 'd',
        idempotencyTableName: 't',
        eventBusName: 'b',
        outboxDeadLetterQueueUrl: 'o',
      };
      expect(() => functionEnvironment(variant('both', 2), resources)).to.throw(/runs both topologies but has no orchestrated queue/);
      expect(functionEnvironment(variant('composed', 2), resources)).to.not.have.any.keys(
        'ORCHESTRATED_QUEUE_URL',
        'ORCHESTRATED_SHARE_PERCENT',
      );
    });
  });
});
