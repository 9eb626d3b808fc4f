import { expect } from 'chai';
import { loadConfig } from '../../application/config/pipeline-config.js';
import { TOKENS } from '../../application/tokens.js';
import type { PipelineFunctionName } from '../../application/workflows/pipeline-function.js';
import { ADAPTERS } from '../../application/tokens.js';
import { outboxRelayComposition } from '../../handlers/composition/functions/outbox-relay.js';
import { idempotencyComposition } from '../../handlers/composition/functions/idempotency.js';
import { ingestComposition } from '../../handlers/composition/functions/ingest.js';
import { orchestratedIngestComposition } from '../../handlers/composition/functions/orchestrated-ingest.js';
import { processorComposition } from '../../handlers/composition/functions/processor.js';
import { publishComposition } from '../../handlers/composition/functions/publish.js';
import { redriveComposition } from '../../handlers/composition/functions/redrive.js';
import { validateComposition } from '../../handlers/composition/functions/validate.js';
import { workerComposition } from '../../handlers/composition/functions/worker.js';
import { statusComposition } from '../../handlers/composition/functions/status.js';
import { composeFunction, type FunctionComposition } from '../../handlers/composition/function-container.js';
import { CLOSED_AWS_ENV, recordingServices } from '../support/closed-aws-env.js';

const COMPOSITIONS: Record<PipelineFunctionName, FunctionComposition> = {
  validate: validateComposition,
  publish: publishComposition,
  ingest: ingestComposition,
  idempotency: idempotencyComposition,
  processor: processorComposition,
  'outbox-relay': outboxRelayComposition,
  redrive: redriveComposition,
  worker: workerComposition,
  status: statusComposition,
  'orchestrated-ingest': orchestratedIngestComposition,
};

/** The adapters (one per client) each function's container binds. */
const ADAPTERS_BOUND: Record<PipelineFunctionName, readonly symbol[]> = {
  validate: [],
  // The edge binds no event bus: the worker's first claim commits OrderPublished to the outbox.
  publish: [ADAPTERS.OrderQueue, ADAPTERS.IdempotencyStore],
  ingest: [ADAPTERS.OrderQueue, ADAPTERS.IdempotencyStore],
  idempotency: [ADAPTERS.IdempotencyStore],
  processor: [ADAPTERS.IdempotencyStore],
  'outbox-relay': [ADAPTERS.IdempotencyStore, ADAPTERS.EventBus],
  redrive: [ADAPTERS.OrderQueue, ADAPTERS.IdempotencyStore, ADAPTERS.EventBus],
  worker: [ADAPTERS.OrderQueue, ADAPTERS.IdempotencyStore],
  status: [ADAPTERS.IdempotencyStore],
  // Only the workflow starter (TOKENS.WorkflowStarter): the steps behind it call the other services.
  'orchestrated-ingest': [],
};

describe('Function: composeFunction', () => {
  const config = loadConfig(CLOSED_AWS_ENV);
  const closedPort = { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1' };

  for (const [name, composition] of Object.entries(COMPOSITIONS) as [PipelineFunctionName, FunctionComposition][]) {
    it(`binds for ${name} only the adapters of the services it calls, and resolves each of its use cases once`, () => {
      // Prepare & Act
      const root = composeFunction(composition, config, recordingServices(), closedPort);

      // Assess
      for (const token of [ADAPTERS.OrderQueue, ADAPTERS.IdempotencyStore, ADAPTERS.EventBus]) {
        expect(root.isBound(token), `${name} ${String(token)}`).to.equal(ADAPTERS_BOUND[name].includes(token));
      }
      for (const useCase of composition.useCases) {
        const resolved = root.get(useCase);
        expect(resolved, useCase.name).to.be.instanceOf(useCase);
        expect(root.get(useCase), `${useCase.name} is a singleton`).to.equal(resolved);
      }
      expect(root.get(TOKENS.PipelineConfig)).to.equal(config);
      expect(root.isBound(TOKENS.WorkflowStarter), `${name} WorkflowStarter`).to.equal(name === 'orchestrated-ingest');
    });
  }

  it('refuses to build the orchestrated edge without the ingest state machine it starts, naming the variable', () => {
    const { INGEST_STATE_MACHINE_ARN: _arn, ...withoutArn } = CLOSED_AWS_ENV;
    expect(() => composeFunction(orchestratedIngestComposition, loadConfig(withoutArn), recordingServices(), closedPort)).to.throw(
      /INGEST_STATE_MACHINE_ARN/,
    );
  });

  it('refuses the memory backend: a deployed function carries no in-memory fake', () => {
    expect(() => composeFunction(validateComposition, loadConfig({ PIPELINE_BACKEND: 'memory' }), recordingServices())).to.throw(
      /PIPELINE_BACKEND must be aws/,
    );
  });
});
