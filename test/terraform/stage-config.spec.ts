import { expect } from 'chai';
import { OrdersStack } from '../../terraform/orders-stack.js';
import { stageConfigProblems } from '../../terraform/stage-config-problems.js';
import { MIGRATION_PHASES, STAGES, type StageConfig, type VersionCanary } from '../../terraform/stage-config.js';
import { Testing } from '../support/cdktf-testing.js';
import { aliasId, drainingStage, dummyBundles, functionId, stage, synthesize } from './synthesized-stack.js';

function withCanary(newVersionWeight: number, previousVersions: VersionCanary['previousVersions']): StageConfig {
  return { ...stage('dev'), migration: { phase: 2, canary: { newVersionWeight, previousVersions } } };
}

describe('Stage configuration', () => {
  describe('Constant: STAGES', () => {
    it('has dev and prod, both deployable', () => {
      expect(Object.keys(STAGES)).to.include.members(['dev', 'prod']);
      for (const config of Object.values(STAGES)) expect(stageConfigProblems(config), config.stage).to.deep.equal([]);
    });
  });

  describe('Constant: MIGRATION_PHASES', () => {
    it('sends 0, 10, 50 and 100 % of orders to the orchestrated topology in phases 1 to 4', () => {
      // Each phase only adds orders to the new path (domain/traffic-split.ts routes buckets below the share).
      const shares = ([1, 2, 3, 4] as const).map((phase) => MIGRATION_PHASES[phase].orchestratedSharePercent);
      expect(shares).to.deep.equal([0, 10, 50, 100]);
    });
  });

  describe('Function: stageConfigProblems', () => {
    it('refuses fewer than 5 receives before the DLQ', () => {
      expect(stageConfigProblems({ ...stage('dev'), queue: { ...stage('dev').queue, maxReceiveCount: 4 } })).to.include(
        'queue.maxReceiveCount must be a whole number from 5 to 1000',
      );
    });

    it('refuses a batch above 10 without a batching window, and a worker reserving less than the mapping may use', () => {
      const config = stage('prod');
      expect(stageConfigProblems({ ...config, worker: { ...config.worker, batchSize: 50, batchingWindowSeconds: 0 } })).to.include(
        'worker.batchSize above 10 needs a batching window of at least 1 s',
      );
      const functions = { ...config.functions, worker: { ...config.functions.worker, reservedConcurrency: 2 } };
      expect(stageConfigProblems({ ...config, functions })).to.include(
        'functions.worker.reservedConcurrency must be at least worker.maximumConcurrency',
      );
    });

    it('refuses breaker settings that could never open, naming the block', () => {
      const problems = stageConfigProblems({ ...stage('dev'), breakers: { dynamodb: { volume: { minimumCalls: 80 } } } });
      expect(problems.join('; ')).to.match(/^breakers: .*dynamodb.*windowCalls/);
    });

    it('refuses a source queue that keeps messages as long as the DLQ', () => {
      expect(stageConfigProblems({ ...stage('dev'), queue: { ...stage('dev').queue, retentionSeconds: 14 * 24 * 3600 } })).to.have.length(
        1,
      );
    });

    it('refuses a permanence threshold that would park every message SQS moves at its first read from the DLQ', () => {
      const config = stage('prod');
      const at = (threshold: number): StageConfig => ({
        ...config,
        application: { ...config.application, permanenceReceiveThreshold: threshold },
      });
      expect(stageConfigProblems(at(config.queue.maxReceiveCount + 1))).to.deep.equal([
        'application.permanenceReceiveThreshold must be above queue.maxReceiveCount + 1 (the receive count of a message SQS moved, on its first read from the DLQ)',
      ]);
      expect(stageConfigProblems(at(config.queue.maxReceiveCount + 2))).to.deep.equal([]);
    });

    it('refuses an existing topic that is not an SNS topic ARN, an email that is not an address, a negative threshold, an S3 state without a bucket', () => {
      const dev = stage('dev');
      const notifications = (value: StageConfig['operations']['notifications']): StageConfig => ({
        ...dev,
        operations: { ...dev.operations, notifications: value },
      });
      expect(stageConfigProblems(notifications({ existingTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:oncall' }))).to.deep.equal([
        'operations.notifications.existingTopicArn must be an SNS topic ARN',
      ]);
      expect(stageConfigProblems(notifications({ existingTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' }))).to.deep.equal([]);
      expect(stageConfigProblems(notifications({ emails: ['oncall'] }))).to.deep.equal([
        'operations.notifications.emails: oncall is not an email address',
      ]);
      const failures = { ...dev.alarms.failuresPerFiveMinutes, UNKNOWN: -1 };
      expect(stageConfigProblems({ ...dev, alarms: { ...dev.alarms, failuresPerFiveMinutes: failures } })).to.deep.equal([
        'alarms.failuresPerFiveMinutes must not be negative',
      ]);
      const state = { backend: 's3', bucket: '', key: 'orders/dev.tfstate', region: 'eu-west-1' } as const;
      expect(stageConfigProblems({ ...dev, operations: { ...dev.operations, state } })).to.deep.equal([
        'operations.state needs a bucket, a key and a region for the s3 backend',
      ]);
    });

    it('refuses a canary weight outside 0–1', () => {
      expect(stageConfigProblems(withCanary(1.5, {}))).to.deep.equal(['migration.canary.newVersionWeight must be from 0 to 1']);
      expect(stageConfigProblems(withCanary(0.25, { worker: '3' }))).to.deep.equal([]);
    });

    it('accepts draining the orchestrated queue after the switch to the orchestrated topology', () => {
      expect(stageConfigProblems(drainingStage())).to.deep.equal([]);
      expect(stageConfigProblems({ ...drainingStage(), migration: { phase: 4, drainOrchestratedQueue: false } })).to.deep.equal([]);
    });

    for (const topology of ['composed', 'both'] as const) {
      it(`refuses draining the orchestrated queue when the topology is ${topology}`, () => {
        // In both the queue is in use (draining it would stop the split); composed never had one.
        const [problem, ...others] = stageConfigProblems({ ...drainingStage(), topology });
        expect(problem).to.match(/^migration\.drainOrchestratedQueue applies only to topology 'orchestrated'/);
        expect(others).to.deep.equal([]);
        expect(() => new OrdersStack(Testing.app(), 'bad', { config: { ...drainingStage(), topology }, code: dummyBundles() })).to.throw(
          /misconfigured: migration\.drainOrchestratedQueue/,
        );
      });
    }

    it('stops the stack from synthesizing a misconfigured stage', () => {
      const config = { ...stage('dev'), queue: { ...stage('dev').queue, maxReceiveCount: 1 } };
      expect(() => new OrdersStack(Testing.app(), 'bad', { config, code: dummyBundles() })).to.throw(
        /misconfigured: queue.maxReceiveCount/,
      );
    });
  });

  describe('Method: live alias routing', () => {
    const aliasOf = (config: StageConfig, name: 'ingest' | 'worker'): Record<string, unknown> => {
      const synthesized = synthesize(config);
      return synthesized.resources('aws_lambda_alias')[aliasId(synthesized, name)] as Record<string, unknown>;
    };
    const newest = (config: StageConfig, name: 'ingest' | 'worker'): string => {
      const synthesized = synthesize(config);
      return synthesized.ref('aws_lambda_function', functionId(synthesized, name), 'version');
    };

    it('follows the newest version without a canary, or for a function the canary records no previous version of', () => {
      const plain = stage('dev');
      expect(aliasOf(plain, 'ingest')).to.deep.include({ name: 'live', function_version: newest(plain, 'ingest') });
      expect(aliasOf(plain, 'ingest').routing_config).to.equal(undefined);
      const config = withCanary(0.1, { worker: '3' });
      expect(aliasOf(config, 'ingest').function_version).to.equal(newest(config, 'ingest'));
      expect(aliasOf(config, 'ingest').routing_config).to.equal(undefined);
    });

    it('keeps all traffic on the previous version at weight 0', () => {
      const config = withCanary(0, { ingest: '7' });
      expect(aliasOf(config, 'ingest').function_version).to.equal('7');
      expect(aliasOf(config, 'ingest').routing_config).to.equal(undefined);
    });

    for (const weight of [0.1, 0.5]) {
      it(`sends ${weight} of the invocations to the newest version and the rest to the previous one`, () => {
        const config = withCanary(weight, { ingest: '7', worker: '3' });
        expect(aliasOf(config, 'ingest')).to.deep.include({
          function_version: '7',
          routing_config: { additional_version_weights: { [newest(config, 'ingest')]: weight } },
        });
        expect(aliasOf(config, 'worker').function_version).to.equal('3');
      });
    }

    it('moves everything to the newest version at weight 1', () => {
      const config = withCanary(1, { ingest: '7' });
      expect(aliasOf(config, 'ingest').function_version).to.equal(newest(config, 'ingest'));
      expect(aliasOf(config, 'ingest').routing_config).to.equal(undefined);
    });

    it('does not tie the canary to the migration phase', () => {
      const early = {
        ...stage('dev'),
        migration: { phase: 1 as const, canary: { newVersionWeight: 0.5, previousVersions: { ingest: '7' } } },
      };
      expect(aliasOf(early, 'ingest').routing_config).to.deep.equal({ additional_version_weights: { [newest(early, 'ingest')]: 0.5 } });
    });
  });
});
