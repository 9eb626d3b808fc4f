import { expect } from 'chai';
import type { SyncExecutionRequest, SyncExecutionResult, WorkflowStarter } from '../../application/ports/workflow-starter.js';
import { IngestOrderByWorkflow } from '../../application/use-cases/ingest-order-by-workflow.js';
import { PermanentError, TimeoutError, TransientError } from '../../domain/errors.js';

const PRICED = { currency: 'EUR', subtotalMinor: 100, taxMinor: 0, totalMinor: 100 };

function starterAnswering(result: SyncExecutionResult): WorkflowStarter & { readonly seen: SyncExecutionRequest[] } {
  const seen: SyncExecutionRequest[] = [];
  return {
    seen,
    startSync: async (_input, execution) => {
      seen.push(execution);
      return result;
    },
  };
}

function lambdaError(name: string, message: string): SyncExecutionResult {
  return { status: 'FAILED', error: { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message }) } };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected a rejection');
}

describe('Class: IngestOrderByWorkflow', () => {
  describe('Method: execute', () => {
    it("names the execution and passes the client's key and simulation, and gives ACCEPTED for a published order", async () => {
      // Prepare
      const starter = starterAnswering({
        status: 'SUCCEEDED',
        output: {
          validated: { order: { orderId: 'o-1' }, priced: PRICED },
          published: { kind: 'PUBLISHED', messageId: 'm', idempotencyKey: 'k', payloadHash: 'h' },
        },
      });

      // Act
      const result = await new IngestOrderByWorkflow(starter).execute({
        body: {},
        correlationId: 'c',
        executionName: 'req-1',
        idempotencyKey: 'k',
        simulation: { kind: 'timeout', times: 1 },
      });

      // Assess
      expect(starter.seen).to.deep.equal([{ name: 'req-1', idempotencyKey: 'k', simulation: { kind: 'timeout', times: 1 } }]);
      expect(result).to.deep.equal({ kind: 'ACCEPTED', orderId: 'o-1', idempotencyKey: 'k', messageId: 'm', priced: PRICED });
    });

    it('gives INVALID with the violations a rejected validate step carried, and KEY_REUSED for a reused key', async () => {
      const violations = [{ path: 'lines', code: 'ORDER.NO_LINES', message: 'none' }];
      const invalid = await new IngestOrderByWorkflow(
        starterAnswering(lambdaError('Pipeline.VALIDATION', `ORDER.INVALID: ${JSON.stringify(violations)}`)),
      ).execute({ body: {}, correlationId: 'c', executionName: 'e' });
      const reused = await new IngestOrderByWorkflow(
        starterAnswering(lambdaError('Pipeline.VALIDATION', 'IDEMPOTENCY.KEY_REUSED: other payload')),
      ).execute({ body: {}, correlationId: 'c', executionName: 'e', idempotencyKey: 'k' });

      expect(invalid).to.deep.equal({ kind: 'INVALID', violations });
      expect(reused).to.deep.equal({ kind: 'KEY_REUSED', idempotencyKey: 'k' });
    });

    it("throws any other failed execution as the error of its category, with the step's code", async () => {
      const transient = await rejectionOf(
        new IngestOrderByWorkflow(starterAnswering(lambdaError('Pipeline.TRANSIENT', 'AWS.ThrottlingException: slow'))).execute({
          body: {},
          correlationId: 'c',
          executionName: 'e',
        }),
      );
      const timedOut = await rejectionOf(
        new IngestOrderByWorkflow(starterAnswering({ status: 'FAILED', error: { Error: 'States.Timeout', Cause: 'timed out' } })).execute({
          body: {},
          correlationId: 'c',
          executionName: 'e',
        }),
      );

      expect(transient).to.be.instanceOf(TransientError).and.to.include({ code: 'AWS.ThrottlingException' });
      expect(timedOut).to.be.instanceOf(TimeoutError);
    });

    it('refuses an output without a validated and published order rather than answering from it', async () => {
      const error = await rejectionOf(
        new IngestOrderByWorkflow(
          starterAnswering({ status: 'SUCCEEDED', output: { validated: { order: { orderId: 'o-1' }, priced: PRICED } } }),
        ).execute({ body: {}, correlationId: 'c', executionName: 'e' }),
      );

      expect(error).to.be.instanceOf(PermanentError).and.to.include({ code: 'WORKFLOW.OUTPUT_INVALID' });
    });
  });
});
