import { expect } from 'chai';
import { CONSUME_WORKFLOW } from '../../application/workflows/consume-workflow.js';
import { INGEST_WORKFLOW } from '../../application/workflows/ingest-workflow.js';
import type { StepFunctionName } from '../../application/workflows/pipeline-function.js';
import type { WorkflowDefinition } from '../../application/workflows/workflow-definition.js';
import { renderAsl } from '../../terraform/asl.js';
import type { Topology } from '../../terraform/stage-config.js';
import { aliasId, drainingStage, stage, synthesize, type Synthesized } from './synthesized-stack.js';

type Props = Record<string, unknown>;

function machine(synthesized: Synthesized, name: string): Props {
  return synthesized.resources('aws_sfn_state_machine')[synthesized.idWhere('aws_sfn_state_machine', 'name', name)] as Props;
}

/** The rendering of `definition` with the references the stack must have bound: each step function's alias, the DLQ. */
function expectedDefinition(synthesized: Synthesized, definition: WorkflowDefinition): unknown {
  const functionArns: Partial<Record<StepFunctionName, string>> = {};
  for (const step of Object.values(definition.steps)) {
    if (step.type === 'task') functionArns[step.function] = synthesized.ref('aws_lambda_alias', aliasId(synthesized, step.function), 'arn');
  }
  const dlq = synthesized.idWhere('aws_sqs_queue', 'name', `${synthesized.config.namePrefix}-orders-dlq`);
  return renderAsl(definition, { functionArns, deadLetterQueueUrl: synthesized.ref('aws_sqs_queue', dlq, 'url') });
}

/** The pipes that feed order queues to the consume workflow: every pipe but the outbox's, which every topology has. */
function orderPipes(synthesized: Synthesized): Props[] {
  return Object.values(synthesized.resources('aws_pipes_pipe')).filter((pipe) => pipe.name !== `${synthesized.config.namePrefix}-outbox`);
}

function withTopology(topology: Topology): Synthesized {
  return synthesize({ ...stage('dev'), topology });
}

describe('Stack: workflows', () => {
  for (const topology of ['orchestrated', 'both'] as const) {
    describe(`Topology: ${topology}`, () => {
      const synthesized = withTopology(topology);

      for (const definition of [INGEST_WORKFLOW, CONSUME_WORKFLOW]) {
        it(`defines the ${definition.name} state machine as the rendering of the shared definition`, () => {
          const deployed = machine(synthesized, `orders-dev-${definition.name}`);
          expect(JSON.parse(String(deployed.definition))).to.deep.equal(expectedDefinition(synthesized, definition));
        });

        it(`runs ${definition.name} as an Express workflow with logging and X-Ray tracing`, () => {
          const deployed = machine(synthesized, `orders-dev-${definition.name}`);
          expect(deployed.type).to.equal('EXPRESS');
          expect(deployed.tracing_configuration).to.deep.equal({ enabled: true });
          expect(deployed.logging_configuration).to.deep.include({ level: 'ALL' });
          expect(String((deployed.logging_configuration as Props).log_destination)).to.match(
            /^\$\{aws_cloudwatch_log_group\.[^.]+\.arn\}:\*$/,
          );
        });
      }

      // Alone, the orchestrated topology consumes the order queue; beside the worker, a queue of its own.
      const source = topology === 'both' ? 'orders-dev-orders-orchestrated' : 'orders-dev-orders';

      it(`feeds ${source} to the consume workflow through a pipe, one record per synchronous execution`, () => {
        const pipes = orderPipes(synthesized);
        expect(pipes).to.have.length(1);
        expect(pipes[0]).to.deep.include({
          source: synthesized.ref('aws_sqs_queue', synthesized.idWhere('aws_sqs_queue', 'name', source), 'arn'),
          target: synthesized.ref(
            'aws_sfn_state_machine',
            synthesized.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-consume'),
            'arn',
          ),
          desired_state: 'RUNNING',
          source_parameters: { sqs_queue_parameters: { batch_size: 1, maximum_batching_window_in_seconds: 0 } },
          target_parameters: { step_function_state_machine_parameters: { invocation_type: 'REQUEST_RESPONSE' } },
        });
      });
    });
  }

  describe('Topology: both', () => {
    it('consumes the order queue with the worker only, and the orchestrated queue with the pipe only', () => {
      const synthesized = withTopology('both');
      const arn = (name: string): string => synthesized.ref('aws_sqs_queue', synthesized.idWhere('aws_sqs_queue', 'name', name), 'arn');
      const mappings = Object.values(synthesized.resources('aws_lambda_event_source_mapping')).map((mapping) => mapping.event_source_arn);
      const pipes = orderPipes(synthesized).map((pipe) => pipe.source);
      expect(mappings).to.deep.equal([arn('orders-dev-orders')]);
      expect(pipes).to.deep.equal([arn('orders-dev-orders-orchestrated')]);
    });
  });

  describe('Topology: composed', () => {
    it("creates no state machine but the fleet pause's and no pipe but the outbox's, and consumes the queue with the worker", () => {
      const synthesized = withTopology('composed');
      expect(Object.values(synthesized.resources('aws_sfn_state_machine')).map((machine) => machine.name)).to.deep.equal([
        `${synthesized.config.namePrefix}-fleet-pause`,
      ]);
      expect(orderPipes(synthesized)).to.deep.equal([]);
      expect(Object.keys(synthesized.resources('aws_lambda_event_source_mapping'))).to.have.length(1);
    });
  });

  describe('Topology: orchestrated', () => {
    it('has no worker event source: the pipe is the only consumer', () => {
      expect(withTopology('orchestrated').resources('aws_lambda_event_source_mapping')).to.deep.equal({});
    });
  });

  describe('Topology: orchestrated, draining the orchestrated queue', () => {
    const draining = synthesize(drainingStage());
    const arn = (name: string): string => draining.ref('aws_sqs_queue', draining.idWhere('aws_sqs_queue', 'name', name), 'arn');
    const pipeNamed = (name: string): [string, Props] => {
      const id = draining.idWhere('aws_pipes_pipe', 'name', name);
      return [id, draining.resources('aws_pipes_pipe')[id] as Props];
    };

    it('feeds the order queue through the consume pipe and the orchestrated queue through a pipe of its own', () => {
      const sources = orderPipes(draining).map((pipe) => [pipe.name, pipe.source]);
      expect(sources)
        .to.have.deep.members([
          ['orders-dev-consume', arn('orders-dev-orders')],
          ['orders-dev-drain-orchestrated', arn('orders-dev-orders-orchestrated')],
        ])
        .and.have.length(2);
      expect(draining.resources('aws_lambda_event_source_mapping')).to.deep.equal({});
    });

    it("gives the drain pipe the consume pipe's target and settings, under a role and a log group of its own", () => {
      const [, consume] = pipeNamed('orders-dev-consume');
      const [, drain] = pipeNamed('orders-dev-drain-orchestrated');
      const shared = ({
        name: _name,
        source: _source,
        role_arn: _role,
        log_configuration: logs,
        depends_on: _dependsOn,
        ...rest
      }: Props): Props => ({
        ...rest,
        logLevel: (logs as Props).level,
      });
      expect(shared(drain)).to.deep.equal(shared(consume));
      expect(drain.target).to.equal(
        draining.ref('aws_sfn_state_machine', draining.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-consume'), 'arn'),
      );
      expect(drain.role_arn).to.not.equal(consume.role_arn);
      expect((drain.log_configuration as Props).cloudwatch_logs_log_destination).to.not.deep.equal(
        (consume.log_configuration as Props).cloudwatch_logs_log_destination,
      );
    });

    it('keeps the consume pipe under the logical id it has without the drain, so switching the drain off removes only the drain pipe', () => {
      const [consumeId] = pipeNamed('orders-dev-consume');
      const drained = synthesize({ ...drainingStage(), migration: { phase: 4, drainOrchestratedQueue: false } });
      expect(
        Object.keys(drained.resources('aws_pipes_pipe')).filter(
          (id) => id !== drained.idWhere('aws_pipes_pipe', 'name', 'orders-dev-outbox'),
        ),
      ).to.deep.equal([consumeId]);
    });
  });
});
