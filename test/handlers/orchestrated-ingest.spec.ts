import { expect } from 'chai';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Container } from 'inversify';
import { loadConfig, type PipelineConfig } from '../../application/config/pipeline-config.js';
import type { Logger } from '../../application/ports/logger.js';
import type { SyncExecutionRequest, SyncExecutionResult, WorkflowStarter } from '../../application/ports/workflow-starter.js';
import { TOKENS } from '../../application/tokens.js';
import { IngestOrderByWorkflow } from '../../application/use-cases/ingest-order-by-workflow.js';
import { stepErrorName } from '../../application/workflows/step-error.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import type { HttpResponse } from '../../handlers/http/response.js';
import { createOrchestratedIngestHandler } from '../../handlers/orchestrated-ingest.js';
import { httpEvent, sampleOrderBody } from './lambda-events.js';

/*
 * The orchestrated edge over a fake WorkflowStarter: what a finished ingest execution (or a failed start)
 * looks like is given, and the spec checks the answer is the one contract of POST /orders (the cases of
 * test/e2e/http-contract.spec.ts, which runs the same handler over the harness' workflow runner).
 */

const PRICED = { currency: 'EUR', subtotalMinor: 4_498, taxMinor: 0, totalMinor: 4_498 };
const RECORD: IdempotencyRecord = {
  key: 'client-order-0001',
  status: 'SUCCEEDED',
  payloadHash: 'h',
  attempts: 1,
  expiresAt: 2_000_000_000,
  createdAt: 1,
  updatedAt: 2,
};

/** A FAILED result as a Catch sees a step error: `Pipeline.<CATEGORY>` and the Lambda error JSON. */
function stepFailure(category: string, message: string): SyncExecutionResult {
  const name = stepErrorName(category as Parameters<typeof stepErrorName>[0]);
  return { status: 'FAILED', error: { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message }) } };
}

function succeeded(published: Record<string, unknown>): SyncExecutionResult {
  return {
    status: 'SUCCEEDED',
    output: { request: sampleOrderBody(), validated: { order: { orderId: 'order-0001' }, priced: PRICED }, published },
  };
}

class FakeStarter implements WorkflowStarter {
  readonly calls: { input: unknown; execution: SyncExecutionRequest }[] = [];
  constructor(private readonly answer: () => Promise<SyncExecutionResult>) {}
  async startSync(input: unknown, execution: SyncExecutionRequest): Promise<SyncExecutionResult> {
    this.calls.push({ input, execution });
    return this.answer();
  }
}

function edge(starter: WorkflowStarter, env: Record<string, string> = {}): (event: APIGatewayProxyEventV2) => Promise<HttpResponse> {
  const container = new Container();
  container.bind<PipelineConfig>(TOKENS.PipelineConfig).toConstantValue(loadConfig({ PIPELINE_BACKEND: 'memory', ...env }));
  container.bind<Logger>(TOKENS.Logger).toConstantValue(new RecordingLogger());
  container.bind<WorkflowStarter>(TOKENS.WorkflowStarter).toConstantValue(starter);
  container.bind(IngestOrderByWorkflow).toSelf().inSingletonScope();
  return createOrchestratedIngestHandler(() => container);
}

const body = (response: HttpResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

describe('Function: orchestrated-ingest handler (the orchestrated edge)', () => {
  describe('Method: a finished execution', () => {
    it("starts the workflow with the body, the request id as its name and the client's key, and answers 202 with the totals and a location", async () => {
      // Prepare
      const starter = new FakeStarter(async () =>
        succeeded({ kind: 'PUBLISHED', messageId: 'm-1', idempotencyKey: 'client-order-0001', payloadHash: 'h' }),
      );

      // Act
      const response = await edge(starter)(httpEvent());

      // Assess
      expect(starter.calls).to.deep.equal([
        { input: sampleOrderBody(), execution: { name: 'JKJaXmPLvHcESHA=', idempotencyKey: 'client-order-0001' } },
      ]);
      expect(response.statusCode).to.equal(202);
      expect(response.headers.location).to.equal('/orders/client-order-0001');
      expect(response.headers['x-correlation-id']).to.equal('corr-from-client-0001');
      expect(body(response)).to.deep.include({
        status: 'ACCEPTED',
        orderId: 'order-0001',
        idempotencyKey: 'client-order-0001',
        messageId: 'm-1',
        correlationId: 'corr-from-client-0001',
      });
      expect(body(response).totals).to.deep.equal(PRICED);
    });

    it('passes no key when the client sent none, and a failure simulation where the configuration allows one', async () => {
      const starter = new FakeStarter(async () =>
        succeeded({ kind: 'PUBLISHED', messageId: 'm-1', idempotencyKey: 'order-abc', payloadHash: 'h' }),
      );

      await edge(starter, { ALLOW_FAILURE_SIMULATION: 'true' })(
        httpEvent({ headers: { 'idempotency-key': undefined, 'x-simulate-failure': 'transient:2' } }),
      );

      expect(starter.calls[0]?.execution).to.deep.equal({ name: 'JKJaXmPLvHcESHA=', simulation: { kind: 'transient', times: 2 } });
    });

    it('answers 200 with the stored state for a duplicate of a finished order', async () => {
      const starter = new FakeStarter(async () =>
        succeeded({ kind: 'KNOWN', idempotencyKey: 'client-order-0001', payloadHash: 'h', known: { kind: 'DUPLICATE', record: RECORD } }),
      );

      const response = await edge(starter)(httpEvent());

      expect(response.statusCode).to.equal(200);
      expect(body(response)).to.deep.include({
        status: 'SUCCEEDED',
        duplicate: true,
        orderId: 'order-0001',
        idempotencyKey: 'client-order-0001',
      });
    });

    it('answers 409 with Retry-After for a copy of an order still being worked', async () => {
      const starter = new FakeStarter(async () =>
        succeeded({
          kind: 'KNOWN',
          idempotencyKey: 'client-order-0001',
          payloadHash: 'h',
          known: { kind: 'IN_PROGRESS', record: { ...RECORD, status: 'ACCEPTED' }, retryAfterMs: 1_000 },
        }),
      );

      const response = await edge(starter)(httpEvent());

      expect(response.statusCode).to.equal(409);
      expect(Number(response.headers['retry-after'])).to.be.greaterThan(0);
      expect(body(response)).to.include({ error: 'IN_PROGRESS', idempotencyKey: 'client-order-0001' });
    });

    it('answers 500 when the execution ends without a validated and published order, rather than guessing', async () => {
      const response = await edge(new FakeStarter(async () => ({ status: 'SUCCEEDED', output: { validated: {} } })))(httpEvent());

      expect(response.statusCode).to.equal(500);
      expect(body(response)).to.include({ code: 'WORKFLOW.OUTPUT_INVALID' });
    });
  });

  describe('Method: a failed execution', () => {
    it('answers 400 with every violation the validate step rejected the order for', async () => {
      const violations = [
        { path: 'currency', code: 'ORDER.CURRENCY_NOT_SUPPORTED', message: 'no' },
        { path: 'lines[1].sku', code: 'ORDER.DUPLICATE_SKU', message: 'twice' },
      ];
      const starter = new FakeStarter(async () => stepFailure('VALIDATION', `ORDER.INVALID: ${JSON.stringify(violations)}`));

      const response = await edge(starter)(httpEvent());

      expect(response.statusCode).to.equal(400);
      expect(body(response)).to.deep.include({ error: 'VALIDATION', violations });
    });

    it('answers 422 when the key was used for another payload', async () => {
      const starter = new FakeStarter(async () =>
        stepFailure('VALIDATION', 'IDEMPOTENCY.KEY_REUSED: this Idempotency-Key was used for a different payload'),
      );

      const response = await edge(starter)(httpEvent());

      expect(response.statusCode).to.equal(422);
      expect(body(response)).to.include({ error: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: 'client-order-0001' });
    });

    for (const [title, result] of [
      ['a step that failed transiently after its retries', stepFailure('TRANSIENT', 'AWS.ThrottlingException: slow down')],
      ['an execution that timed out', { status: 'FAILED', error: { Error: 'States.Timeout', Cause: 'the execution timed out' } }],
      [
        'a step invocation Lambda throttled',
        { status: 'FAILED', error: { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate exceeded' } },
      ],
    ] as const) {
      it(`answers 503 with Retry-After for ${title}`, async () => {
        const response = await edge(new FakeStarter(async () => result))(httpEvent());

        expect(response.statusCode).to.equal(503);
        expect(response.headers['retry-after']).to.equal('1');
      });
    }

    it('answers 500 without Retry-After for a permanent step failure', async () => {
      const response = await edge(new FakeStarter(async () => stepFailure('PERMANENT', 'AWS.AccessDeniedException: no')))(httpEvent());

      expect(response.statusCode).to.equal(500);
      expect(response.headers['retry-after']).to.equal(undefined);
      expect(body(response)).to.include({ error: 'PERMANENT', code: 'AWS.AccessDeniedException' });
    });
  });

  describe('Method: a start that fails', () => {
    it('answers 503 with Retry-After when Step Functions throttles the start', async () => {
      const throttled = Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, attempts: 2 },
      });

      const response = await edge(new FakeStarter(async () => Promise.reject(throttled)))(httpEvent());

      expect(response.statusCode).to.equal(503);
      expect(response.headers['retry-after']).to.equal('1');
      expect(body(response)).to.include({ error: 'TRANSIENT', code: 'AWS.ThrottlingException' });
    });
  });

  describe('Method: the edge checks', () => {
    it('answers 415 for a body that is not JSON, and starts nothing', async () => {
      const starter = new FakeStarter(async () => Promise.reject(new Error('not reached')));

      const response = await edge(starter)(httpEvent({ headers: { 'content-type': 'text/plain' } }));

      expect(response.statusCode).to.equal(415);
      expect(starter.calls).to.deep.equal([]);
    });

    it('answers 400 for a malformed body or a bad Idempotency-Key, and starts nothing', async () => {
      const starter = new FakeStarter(async () => Promise.reject(new Error('not reached')));

      const malformed = await edge(starter)(httpEvent({ body: '{"orderId":' }));
      const badKey = await edge(starter)(httpEvent({ headers: { 'idempotency-key': 'has spaces' } }));

      expect(malformed.statusCode).to.equal(400);
      expect((body(malformed).violations as { code: string }[]).map((v) => v.code)).to.deep.equal(['BODY.MALFORMED_JSON']);
      expect(badKey.statusCode).to.equal(400);
      expect((body(badKey).violations as { code: string }[]).map((v) => v.code)).to.deep.equal(['HEADER.INVALID']);
      expect(starter.calls).to.deep.equal([]);
    });

    it('refuses a failure simulation where the configuration does not allow one', async () => {
      const starter = new FakeStarter(async () => Promise.reject(new Error('not reached')));

      const response = await edge(starter)(httpEvent({ headers: { 'x-simulate-failure': 'transient' } }));

      expect(response.statusCode).to.equal(400);
      expect((body(response).violations as { code: string }[]).map((v) => v.code)).to.deep.equal(['SIMULATION.DISABLED']);
    });
  });
});
