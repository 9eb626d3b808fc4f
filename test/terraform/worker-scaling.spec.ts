import { expect } from 'chai';
import { stageConfigProblems } from '../../terraform/stage-config-problems.js';
import { type StageConfig, type WorkerScaling } from '../../terraform/stage-config.js';
import { stage, synthesize } from './synthesized-stack.js';

type Props = Record<string, unknown>;

function withScaling(scaling: WorkerScaling): StageConfig {
  return { ...stage('prod'), worker: { ...stage('prod').worker, scaling } };
}

function workerMapping(config: StageConfig): Props {
  const [mapping] = Object.values(synthesize(config).resources('aws_lambda_event_source_mapping'));
  return mapping as Props;
}

describe('Stage option: worker.scaling (the event source mapping)', () => {
  it('defaults to standard mode capped by worker.maximumConcurrency', () => {
    const mapping = workerMapping(stage('prod'));
    expect(mapping.scaling_config).to.deep.equal({ maximum_concurrency: stage('prod').worker.maximumConcurrency });
    expect(mapping).to.not.have.property('provisioned_poller_config');
  });

  it('provisioned: minimum and maximum pollers, and no MaximumConcurrency (AWS refuses both together)', () => {
    const mapping = workerMapping(withScaling({ mode: 'provisioned', minimumPollers: 2, maximumPollers: 50 }));
    expect(mapping.provisioned_poller_config).to.deep.equal({ minimum_pollers: 2, maximum_pollers: 50 });
    expect(mapping).to.not.have.property('scaling_config');
  });

  for (const [scaling, problem] of [
    [{ mode: 'provisioned', minimumPollers: 1, maximumPollers: 10 }, 'worker.scaling.minimumPollers must be 2-200'],
    [{ mode: 'provisioned', minimumPollers: 2, maximumPollers: 2_001 }, 'worker.scaling.maximumPollers must be 2-2000'],
    [
      { mode: 'provisioned', minimumPollers: 20, maximumPollers: 10 },
      'worker.scaling.minimumPollers must not exceed worker.scaling.maximumPollers',
    ],
  ] as const) {
    it(`refuses ${JSON.stringify(scaling)}`, () => {
      expect(stageConfigProblems(withScaling(scaling))).to.include(problem);
    });
  }
});
