import { expect } from 'chai';
import { CONSUME_WORKFLOW } from '../../application/workflows/consume-workflow.js';
import { requestExecutionInput } from '../../application/workflows/execution-input.js';
import { INGEST_WORKFLOW } from '../../application/workflows/ingest-workflow.js';
import { stepErrorName } from '../../application/workflows/step-error.js';
import { type StepFunctions, type WorkflowState } from '../../harness/emulation/step-functions/workflow-runner.js';
import { renderAsl } from '../../terraform/asl.js';
import { BINDINGS, EXECUTION, changedQueueUrls, requeuedQueueUrls, stepError, runAsl } from './asl-execution.fixtures.js';
import { runHarness, RECORD, consumeSteps, TRANSIENT_PROCESSOR, SCENARIOS } from './asl-execution.scenarios.js';

describe('The rendered state machines, executed', () => {
  const consume = renderAsl(CONSUME_WORKFLOW, BINDINGS);

  for (const scenario of SCENARIOS) {
    it(`consume: ${scenario.title}, exactly as the harness runs it`, async () => {
      const steps = consumeSteps(scenario.steps);

      const deployed = await runAsl(consume, [RECORD], steps, scenario.holdBack, scenario.requeue);
      const local = await runHarness(CONSUME_WORKFLOW, [RECORD], steps, {
        holdBack: scenario.holdBack,
        ...(scenario.requeue === undefined ? {} : { requeue: scenario.requeue }),
      });

      expect(deployed).to.deep.include(scenario.expected);
      // The rendering adds one state of its own in front, which shapes the input.
      expect({ ...deployed, path: deployed.path.slice(1) }).to.deep.equal(local);
    });
  }

  it("consume: holds the record back on the queue it came from, whose URL the state machine builds from the record's source ARN", async () => {
    changedQueueUrls.length = 0;

    await runAsl(consume, [RECORD], consumeSteps(TRANSIENT_PROCESSOR));

    expect(changedQueueUrls).to.deep.equal(['https://sqs.eu-west-1.amazonaws.com/111122223333/orders']);
  });

  it('consume: re-sends a record it cannot hold back to the queue it came from', async () => {
    requeuedQueueUrls.length = 0;

    await runAsl(consume, [RECORD], consumeSteps(TRANSIENT_PROCESSOR), 'refuses');

    expect(requeuedQueueUrls).to.deep.equal(['https://sqs.eu-west-1.amazonaws.com/111122223333/orders']);
  });

  it("ingest: a rejected order fails the execution with the validate step's error, as the harness does", async () => {
    const steps: StepFunctions = {
      ...consumeSteps({}),
      validate: async () => Promise.reject(stepError(stepErrorName('VALIDATION'), 'ORDER.INVALID: [...]')),
      publish: async () => ({ messageId: 'm', idempotencyKey: 'k' }),
    };
    const ingest = renderAsl(INGEST_WORKFLOW, BINDINGS);

    const deployed = await runAsl(ingest, requestExecutionInput(INGEST_WORKFLOW, { orderId: 'o-1' }, EXECUTION), steps);
    const local = await runHarness(INGEST_WORKFLOW, { orderId: 'o-1' }, steps);

    expect(deployed).to.deep.include({ status: 'FAILED', error: stepErrorName('VALIDATION') });
    expect({ ...deployed, path: deployed.path.slice(1) }).to.deep.equal(local);
  });

  for (const carried of [
    {},
    { idempotencyKey: 'client-key-1' },
    { idempotencyKey: 'client-key-2', simulation: { kind: 'transient', times: 1 } as const },
  ]) {
    it(`ingest: the steps see the body and the execution ${JSON.stringify(carried)} the edge started with, exactly as the harness passes them`, async () => {
      // Prepare: steps that record the state each receives.
      const seen = (): { states: WorkflowState[]; steps: StepFunctions } => {
        const states: WorkflowState[] = [];
        return {
          states,
          steps: {
            ...consumeSteps({}),
            validate: async (state) => {
              states.push(state);
              return { order: { orderId: 'o-1' } };
            },
            publish: async (state) => {
              states.push(state);
              return { kind: 'PUBLISHED', messageId: 'm', idempotencyKey: 'k' };
            },
          },
        };
      };
      const deployedSeen = seen();
      const localSeen = seen();
      const body = { orderId: 'o-1', items: [] };

      // Act
      const deployed = await runAsl(
        renderAsl(INGEST_WORKFLOW, BINDINGS),
        requestExecutionInput(INGEST_WORKFLOW, body, { ...EXECUTION, ...carried }),
        deployedSeen.steps,
      );
      const local = await runHarness(INGEST_WORKFLOW, body, localSeen.steps, { carried });

      // Assess
      expect(deployed).to.deep.include({ status: 'SUCCEEDED' });
      expect({ ...deployed, path: deployed.path.slice(1) }).to.deep.equal(local);
      expect(deployedSeen.states).to.deep.equal(localSeen.states);
      expect(deployedSeen.states[1]).to.deep.include({ request: body, execution: { ...EXECUTION, ...carried } });
    });
  }
});
