import { expect } from 'chai';
import { OrdersStack } from '../../terraform/orders-stack.js';
import { MIGRATION_PHASES, STAGES, stageConfigProblems, type MigrationPhase, type StageConfig } from '../../terraform/stage-config.js';
import { Testing } from '../../terraform/testing.js';
import { aliasId, dummyBundles, functionId, stage, synthesize } from './synthesized-stack.js';

function inPhase(phase: MigrationPhase, previousVersions: StageConfig['migration']['previousVersions']): StageConfig {
  return { ...stage('dev'), migration: { phase, previousVersions } };
}

describe('Stage configuration', () => {
  describe('Constant: STAGES', () => {
    it('has dev and prod, both deployable', () => {
      expect(Object.keys(STAGES)).to.include.members(['dev', 'prod']);
      for (const config of Object.values(STAGES)) expect(stageConfigProblems(config), config.stage).to.deep.equal([]);
    });
  });

  describe('Constant: MIGRATION_PHASES', () => {
    it('moves traffic to the new versions from none (phase 1) to all (phase 4), never backwards', () => {
      const weights = ([1, 2, 3, 4] as const).map((phase) => MIGRATION_PHASES[phase].newVersionWeight);
      expect(weights[0]).to.equal(0);
      expect(weights[3]).to.equal(1);
      for (let index = 1; index < weights.length; index += 1) expect(weights[index]).to.be.greaterThan(weights[index - 1] as number);
    });

    it('sends 0, 10, 50 and 100 % of orders to the orchestrated topology in phases 1 to 4', () => {
      // Each phase only adds orders to the new path (domain/traffic-split.ts routes buckets below the share).
      const shares = ([1, 2, 3, 4] as const).map((phase) => MIGRATION_PHASES[phase].orchestratedSharePercent);
      expect(shares).to.deep.equal([0, 10, 50, 100]);
    });

    it('keeps the code-version canary weights of 0, 0.1, 0.5 and 1 beside the share', () => {
      expect(([1, 2, 3, 4] as const).map((phase) => MIGRATION_PHASES[phase].newVersionWeight)).to.deep.equal([0, 0.1, 0.5, 1]);
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
      expect(stageConfigProblems({ ...config, functions })).to.include('functions.worker.reservedConcurrency must be at least worker.maximumConcurrency');
    });

    it('refuses a source queue that keeps messages as long as the DLQ', () => {
      expect(stageConfigProblems({ ...stage('dev'), queue: { ...stage('dev').queue, retentionSeconds: 14 * 24 * 3600 } })).to.have.length(1);
    });

    it('stops the stack from synthesizing a misconfigured stage', () => {
      const config = { ...stage('dev'), queue: { ...stage('dev').queue, maxReceiveCount: 1 } };
      expect(() => new OrdersStack(Testing.app(), 'bad', { config, code: dummyBundles() })).to.throw(/misconfigured: queue.maxReceiveCount/);
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

    it('follows the newest version when no previous version is recorded', () => {
      const config = inPhase(2, {});
      expect(aliasOf(config, 'ingest')).to.deep.include({ name: 'live', function_version: newest(config, 'ingest') });
      expect(aliasOf(config, 'ingest').routing_config).to.equal(undefined);
    });

    it('keeps all traffic on the previous version in phase 1', () => {
      const config = inPhase(1, { ingest: '7' });
      expect(aliasOf(config, 'ingest').function_version).to.equal('7');
      expect(aliasOf(config, 'ingest').routing_config).to.equal(undefined);
    });

    for (const phase of [2, 3] as const) {
      it(`sends the phase ${phase} share to the newest version and the rest to the previous one`, () => {
        const config = inPhase(phase, { ingest: '7', worker: '3' });
        expect(aliasOf(config, 'ingest')).to.deep.include({
          function_version: '7',
          routing_config: { additional_version_weights: { [newest(config, 'ingest')]: MIGRATION_PHASES[phase].newVersionWeight } },
        });
        expect(aliasOf(config, 'worker').function_version).to.equal('3');
      });
    }

    it('moves everything to the newest version in phase 4', () => {
      const config = inPhase(4, { ingest: '7' });
      expect(aliasOf(config, 'ingest').function_version).to.equal(newest(config, 'ingest'));
      expect(aliasOf(config, 'ingest').routing_config).to.equal(undefined);
    });
  });
});
