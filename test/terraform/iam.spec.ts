import { expect } from 'chai';
import type { PipelineFunctionName } from '../../application/workflows/pipeline-function.js';
import { RESOURCELESS_ACTIONS } from '../../terraform/iam-policy.js';
import { functionsFor } from '../../terraform/stack-topology.js';
import {
  aliasId,
  asList,
  drainingStage,
  functionId,
  roleStatements,
  stage,
  stageTitle,
  statementsOf,
  synthesize,
} from './synthesized-stack.js';
import { grants, expectedGrants, allPolicies } from './iam.fixtures.js';

describe('Stack: IAM', () => {
  const orchestratedOnly = synthesize({ ...stage('dev'), topology: 'orchestrated' });
  const draining = synthesize(drainingStage());
  for (const synthesized of [synthesize(stage('dev')), synthesize(stage('prod')), orchestratedOnly, draining]) {
    describe(stageTitle(synthesized.config), () => {
      it('has no policy statement with a wildcard action', () => {
        for (const { where, statements } of allPolicies(synthesized)) {
          for (const statement of statements) {
            expect(
              asList(statement.Action).filter((action) => action.includes('*')),
              where,
            ).to.deep.equal([]);
          }
        }
      });

      it('grants a * resource only to actions that AWS offers no narrower resource for', () => {
        for (const { where, statements } of allPolicies(synthesized)) {
          for (const statement of statements.filter((s) => asList(s.Resource ?? []).includes('*'))) {
            expect(
              asList(statement.Action).filter((action) => !RESOURCELESS_ACTIONS.has(action)),
              where,
            ).to.deep.equal([]);
          }
        }
      });

      for (const name of functionsFor(synthesized.config.topology)) {
        it(`grants ${name} exactly the actions its adapters call, on the resources it uses`, () => {
          const fn = synthesized.resources('aws_lambda_function')[functionId(synthesized, name)];
          expect(grants(roleStatements(synthesized, String(fn?.role)))).to.deep.equal(expectedGrants(synthesized, name));
        });
      }

      it('lets the outbox pipe read only the table stream, invoke only the relay, and note only to the outbox DLQ', () => {
        const prefix = synthesized.config.namePrefix;
        const pipe = synthesized.resources('aws_pipes_pipe')[synthesized.idWhere('aws_pipes_pipe', 'name', `${prefix}-outbox`)];
        const table = synthesized.idWhere('aws_dynamodb_table', 'name', `${prefix}-idempotency`);
        const logs = synthesized.idWhere('aws_cloudwatch_log_group', 'name', `/aws/vendedlogs/pipes/${prefix}-outbox`);
        const relay = synthesized.ref('aws_lambda_alias', aliasId(synthesized, 'outbox-relay'), 'arn');
        expect(grants(roleStatements(synthesized, String(pipe?.role_arn)))).to.deep.equal({
          [synthesized.ref('aws_dynamodb_table', table, 'stream_arn')]: [
            'dynamodb:DescribeStream',
            'dynamodb:GetRecords',
            'dynamodb:GetShardIterator',
          ],
          '*': ['dynamodb:ListStreams'],
          [relay]: ['lambda:InvokeFunction'],
          [synthesized.ref('aws_sqs_queue', synthesized.idWhere('aws_sqs_queue', 'name', `${prefix}-outbox-dlq`), 'arn')]: [
            'sqs:SendMessage',
          ],
          [`${synthesized.ref('aws_cloudwatch_log_group', logs, 'arn')}:*`]: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        });
        const [trust] = statementsOf(
          synthesized.resources('aws_iam_role')[/aws_iam_role\.([^.]+)\./.exec(String(pipe?.role_arn))?.[1] ?? '']?.assume_role_policy,
        );
        expect(trust?.Principal).to.deep.equal({ Service: 'pipes.amazonaws.com' });
      });

      it("lets no workflow invoke the outbox-relay function: the outbox relay is the pipe's alone", () => {
        const relay = synthesized.ref('aws_lambda_alias', aliasId(synthesized, 'outbox-relay'), 'arn');
        for (const machine of Object.values(synthesized.resources('aws_sfn_state_machine'))) {
          expect(grants(roleStatements(synthesized, String(machine.role_arn)))[relay], String(machine.name)).to.equal(undefined);
        }
      });

      it('lets only Lambda assume the function roles', () => {
        for (const fn of Object.values(synthesized.resources('aws_lambda_function'))) {
          const roleId = /aws_iam_role\.([^.]+)\./.exec(String(fn.role))?.[1] ?? '';
          const [trust] = statementsOf(synthesized.resources('aws_iam_role')[roleId]?.assume_role_policy);
          expect(trust?.Principal).to.deep.equal({ Service: 'lambda.amazonaws.com' });
        }
      });
    });
  }

  describe('Stage: dev (both topologies)', () => {
    const dev = synthesize(stage('dev'));
    const pipeRole = (name: string): string =>
      String(dev.resources('aws_pipes_pipe')[dev.idWhere('aws_pipes_pipe', 'name', name)]?.role_arn);

    it('lets each workflow invoke exactly its own step functions, and the consume workflow park in the DLQ', () => {
      const machines = Object.values(dev.resources('aws_sfn_state_machine'));
      const byName = Object.fromEntries(
        machines.map((machine) => [String(machine.name), grants(roleStatements(dev, String(machine.role_arn)))]),
      );
      const alias = (fn: PipelineFunctionName) =>
        dev.ref(
          'aws_lambda_alias',
          dev.idWhere('aws_lambda_alias', 'function_name', dev.ref('aws_lambda_function', functionId(dev, fn), 'function_name')),
          'arn',
        );
      const dlq = dev.ref('aws_sqs_queue', dev.idWhere('aws_sqs_queue', 'name', 'orders-dev-orders-dlq'), 'arn');
      expect(byName['orders-dev-ingest']?.[alias('validate')]).to.deep.equal(['lambda:InvokeFunction']);
      expect(byName['orders-dev-ingest']?.[alias('publish')]).to.deep.equal(['lambda:InvokeFunction']);
      expect(byName['orders-dev-ingest']?.[dlq]).to.equal(undefined);
      for (const fn of ['idempotency', 'processor'] as const) {
        expect(byName['orders-dev-consume']?.[alias(fn)]).to.deep.equal(['lambda:InvokeFunction']);
      }
      expect(byName['orders-dev-consume']?.[alias('outbox-relay')]).to.equal(undefined);
      expect(byName['orders-dev-consume']?.[dlq]).to.deep.equal(['sqs:SendMessage']);
    });

    it('lets the consume workflow hold back, or re-send, the records of the queue its pipe feeds it (the orchestrated queue), and of no other', () => {
      const consumeRole = String(
        dev.resources('aws_sfn_state_machine')[dev.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-consume')]?.role_arn,
      );
      const ingestRole = String(
        dev.resources('aws_sfn_state_machine')[dev.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-ingest')]?.role_arn,
      );
      const queue = (name: string): string => dev.ref('aws_sqs_queue', dev.idWhere('aws_sqs_queue', 'name', name), 'arn');
      const heldBack = (role: string): string[] =>
        Object.entries(grants(roleStatements(dev, role)))
          .filter(([, actions]) => actions.includes('sqs:ChangeMessageVisibility'))
          .map(([resource]) => resource);
      expect(heldBack(consumeRole)).to.deep.equal([queue('orders-dev-orders-orchestrated')]);
      expect(grants(roleStatements(dev, consumeRole))[queue('orders-dev-orders-orchestrated')]).to.deep.equal([
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
      ]);
      expect(heldBack(ingestRole), 'the ingest workflow holds nothing back').to.deep.equal([]);
    });

    it('lets the pipe consume the orchestrated queue, not the order queue, and start only the consume workflow', () => {
      const pipe = grants(roleStatements(dev, pipeRole('orders-dev-consume')));
      const queue = (name: string): string => dev.ref('aws_sqs_queue', dev.idWhere('aws_sqs_queue', 'name', name), 'arn');
      const consume = dev.ref('aws_sfn_state_machine', dev.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-consume'), 'arn');
      expect(pipe[queue('orders-dev-orders-orchestrated')]).to.deep.equal([
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ]);
      expect(pipe[queue('orders-dev-orders')]).to.equal(undefined);
      expect(pipe[consume]).to.deep.equal(['states:StartSyncExecution']);
    });

    it('lets the schedule (outbox redelivery and DLQ redrive) invoke only the redrive alias', () => {
      const schedules = Object.values(dev.resources('aws_scheduler_schedule'));
      expect(schedules.map((schedule) => schedule.name)).to.have.members(['orders-dev-redrive']);
      for (const schedule of schedules) {
        const scheduler = grants(roleStatements(dev, String((schedule.target as { role_arn: string }).role_arn)));
        expect(Object.values(scheduler)).to.deep.equal([['lambda:InvokeFunction']]);
        expect(Object.keys(scheduler)[0]).to.equal(dev.ref('aws_lambda_alias', aliasId(dev, 'redrive'), 'arn'));
      }
    });
  });

  describe('Stage: orchestrated only', () => {
    it('lets only the orchestrated edge start the ingest workflow, and no role of the API at all (the API invokes functions only)', () => {
      const ingest = orchestratedOnly.ref(
        'aws_sfn_state_machine',
        orchestratedOnly.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-ingest'),
        'arn',
      );
      const starting = allPolicies(orchestratedOnly).flatMap(({ where, statements }) =>
        statements
          .filter((statement) => asList(statement.Resource ?? []).includes(ingest))
          .map((statement) => ({ where, actions: asList(statement.Action) })),
      );
      const edge = orchestratedOnly.resources('aws_lambda_function')[functionId(orchestratedOnly, 'orchestrated-ingest')];
      const edgeRoleId = /aws_iam_role\.([^.]+)\./.exec(String(edge?.role))?.[1];
      const edgePolicyId = orchestratedOnly.idWhere(
        'aws_iam_role_policy',
        'role',
        orchestratedOnly.ref('aws_iam_role', String(edgeRoleId), 'id'),
      );
      expect(starting).to.deep.equal([{ where: `aws_iam_role_policy.${edgePolicyId}.policy`, actions: ['states:StartSyncExecution'] }]);
      const apiTrusted = Object.values(orchestratedOnly.resources('aws_iam_role')).filter((role) =>
        JSON.stringify(role.assume_role_policy).includes('apigateway.amazonaws.com'),
      );
      expect(apiTrusted).to.deep.equal([]);
    });

    it('lets the pipe consume the order queue, the only one there is', () => {
      const pipeRole = String(
        orchestratedOnly.resources('aws_pipes_pipe')[orchestratedOnly.idWhere('aws_pipes_pipe', 'name', 'orders-dev-consume')]?.role_arn,
      );
      const pipe = grants(roleStatements(orchestratedOnly, pipeRole));
      const order = orchestratedOnly.ref('aws_sqs_queue', orchestratedOnly.idWhere('aws_sqs_queue', 'name', 'orders-dev-orders'), 'arn');
      expect(pipe[order]).to.deep.equal(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
    });

    it('lets the consume workflow hold back, or re-send, the records of the order queue, which its pipe feeds it', () => {
      const consumeRole = String(
        orchestratedOnly.resources('aws_sfn_state_machine')[orchestratedOnly.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-consume')]
          ?.role_arn,
      );
      const order = orchestratedOnly.ref('aws_sqs_queue', orchestratedOnly.idWhere('aws_sqs_queue', 'name', 'orders-dev-orders'), 'arn');
      expect(grants(roleStatements(orchestratedOnly, consumeRole))[order]).to.deep.equal([
        'sqs:ChangeMessageVisibility',
        'sqs:SendMessage',
      ]);
    });
  });

  describe('Stage: orchestrated, draining the orchestrated queue', () => {
    const queueId = (name: string): string => draining.idWhere('aws_sqs_queue', 'name', name);
    const pipeRole = (name: string): string =>
      String(draining.resources('aws_pipes_pipe')[draining.idWhere('aws_pipes_pipe', 'name', name)]?.role_arn);

    it("lets nothing but the drain pipe's role reach the orchestrated queue, and that role only read it; the consume workflow only holds back, or re-sends, what the pipe delivered", () => {
      // Any statement naming the queue, by ARN or URL, in any policy of the stack.
      const mention = `aws_sqs_queue.${queueId('orders-dev-orders-orchestrated')}.`;
      const reaching = allPolicies(draining).flatMap(({ where, statements }) =>
        statements
          .filter((statement) => asList(statement.Resource ?? []).some((resource) => resource.includes(mention)))
          .map((statement) => ({ where, actions: asList(statement.Action).sort() })),
      );
      const drainRoleId = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(pipeRole('orders-dev-drain-orchestrated'))?.[1];
      const drainPolicyId = draining.idWhere('aws_iam_role_policy', 'role', draining.ref('aws_iam_role', String(drainRoleId), 'id'));
      const holdBackPolicyId = draining.idWhere('aws_iam_role_policy', 'name', 'hold-back-orders-dev-drain-orchestrated');
      const consumeRole = String(
        draining.resources('aws_sfn_state_machine')[draining.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-consume')]?.role_arn,
      );
      expect(draining.resources('aws_iam_role_policy')[holdBackPolicyId]?.role).to.equal(consumeRole.replace(/\.arn\}$/, '.id}'));
      expect(reaching).to.have.deep.members([
        {
          where: `aws_iam_role_policy.${drainPolicyId}.policy`,
          actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        },
        { where: `aws_iam_role_policy.${holdBackPolicyId}.policy`, actions: ['sqs:ChangeMessageVisibility'] },
        { where: `aws_iam_role_policy.${holdBackPolicyId}.policy`, actions: ['sqs:SendMessage'] },
      ]);
    });

    it('lets the drain pipe start only the consume workflow, and the consume pipe read only the order queue', () => {
      const consume = draining.ref('aws_sfn_state_machine', draining.idWhere('aws_sfn_state_machine', 'name', 'orders-dev-consume'), 'arn');
      const queueArn = (name: string): string => draining.ref('aws_sqs_queue', queueId(name), 'arn');
      const read = ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];
      const withoutLogs = (role: string): Record<string, string[]> =>
        Object.fromEntries(
          Object.entries(grants(roleStatements(draining, role))).filter(
            ([, actions]) => !actions.every((action) => action.startsWith('logs:')),
          ),
        );
      expect(withoutLogs(pipeRole('orders-dev-drain-orchestrated'))).to.deep.equal({
        [queueArn('orders-dev-orders-orchestrated')]: read,
        [consume]: ['states:StartSyncExecution'],
      });
      expect(withoutLogs(pipeRole('orders-dev-consume'))).to.deep.equal({
        [queueArn('orders-dev-orders')]: read,
        [consume]: ['states:StartSyncExecution'],
      });
    });
  });
});
