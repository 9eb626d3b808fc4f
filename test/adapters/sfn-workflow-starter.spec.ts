import { expect } from 'chai';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig } from '../../application/config/pipeline-config.js';
import { INGEST_WORKFLOW } from '../../application/workflows/ingest-workflow.js';
import { clientConfig } from '../../adapters/aws/client-config.js';
import { createSfnClient, SYNC_EXECUTION_REQUEST_TIMEOUT_MS } from '../../adapters/aws/sfn-client.js';
import { SfnWorkflowStarter } from '../../adapters/aws/sfn-workflow-starter.js';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import { classifyError } from '../../domain/error-classifier.js';
import { orchestratedIngestComposition } from '../../handlers/composition/functions/orchestrated-ingest.js';
import { composeFunction } from '../../handlers/composition/function-container.js';
import { createOrchestratedIngestHandler } from '../../handlers/orchestrated-ingest.js';
import { httpEvent, sampleOrderBody } from '../handlers/lambda-events.js';
import { STATE_MACHINE_ARN, CREDENTIALS, ended, FakeStepFunctions, thrownBy } from './sfn-workflow-starter.fixtures.js';

describe('Class: SfnWorkflowStarter (StartSyncExecution over its JSON protocol, on 127.0.0.1)', () => {
  const service = new FakeStepFunctions();
  let starter: SfnWorkflowStarter;

  before(async () => {
    await service.start();
    const client = createSfnClient(clientConfig({ endpoint: service.endpoint, region: 'eu-west-1', credentials: CREDENTIALS })('SFN'));
    starter = new SfnWorkflowStarter({ client, stateMachineArn: STATE_MACHINE_ARN, definition: INGEST_WORKFLOW });
  });

  after(() => service.stop());

  describe('Method: startSync', () => {
    it("starts the state machine by name with the body beside the client's key and simulation, and returns the parsed output", async () => {
      // Prepare
      const output = {
        request: { orderId: 'o-1' },
        validated: { order: { orderId: 'o-1' } },
        published: { kind: 'PUBLISHED', messageId: 'm-1' },
      };
      service.answer((request) => ended(request, 'SUCCEEDED', { output: JSON.stringify(output), outputDetails: { included: true } }));

      // Act
      const result = await starter.startSync(
        { orderId: 'o-1' },
        { name: 'req-1', idempotencyKey: 'client-key-1', simulation: { kind: 'transient', times: 1 } },
      );

      // Assess
      expect(result).to.deep.equal({ status: 'SUCCEEDED', output });
      const [request] = service.seen;
      expect(request?.target).to.equal('AWSStepFunctions.StartSyncExecution');
      expect(request?.contentType).to.equal('application/x-amz-json-1.0');
      // An explicit endpoint is used as it is: no `sync-` host prefix in front of 127.0.0.1.
      expect(request?.host).to.equal(service.endpoint.replace('http://', ''));
      expect(request?.body).to.deep.include({ stateMachineArn: STATE_MACHINE_ARN, name: 'req-1' });
      expect(JSON.parse(String(request?.body.input))).to.deep.equal({
        request: { orderId: 'o-1' },
        idempotencyKey: 'client-key-1',
        simulation: { kind: 'transient', times: 1 },
      });
    });

    it('sends only the body when the client gave no key', async () => {
      service.answer((request) => ended(request, 'SUCCEEDED', { output: '{}' }));

      await starter.startSync({ orderId: 'o-2' }, { name: 'req-2' });

      expect(JSON.parse(String(service.seen[0]?.body.input))).to.deep.equal({ request: { orderId: 'o-2' } });
    });

    it('returns a failed execution as FAILED with its error and cause, as a Catch sees them', async () => {
      const cause = JSON.stringify({
        errorType: 'Pipeline.VALIDATION',
        errorMessage: 'IDEMPOTENCY.KEY_REUSED: used for a different payload',
      });
      service.answer((request) => ended(request, 'FAILED', { error: 'Pipeline.VALIDATION', cause }));

      const result = await starter.startSync({ orderId: 'o-1' }, { name: 'req-3', idempotencyKey: 'k' });

      expect(result).to.deep.equal({ status: 'FAILED', error: { Error: 'Pipeline.VALIDATION', Cause: cause } });
    });

    it('returns a timed-out execution as FAILED with States.Timeout, which the edge answers 503', async () => {
      service.answer((request) => ended(request, 'TIMED_OUT', {}));

      const result = await starter.startSync({ orderId: 'o-1' }, { name: 'req-4' });

      expect(result).to.deep.include({ status: 'FAILED' });
      expect(result.status === 'FAILED' ? result.error.Error : undefined).to.equal('States.Timeout');
    });

    it("throws a throttled start after the SDK's own retry, classified TRANSIENT and throttling", async () => {
      service.answer(() => ({
        status: 400,
        body: { __type: 'com.amazonaws.swf.service.v2.model#ThrottlingException', message: 'Rate exceeded' },
      }));

      const error = await thrownBy(() => starter.startSync({ orderId: 'o-1' }, { name: 'req-5' }));

      expect(classifyError(error)).to.deep.include({
        category: 'TRANSIENT',
        code: 'AWS.ThrottlingException',
        throttling: true,
        sdkAttempts: 2,
      });
      // The SDK is the one layer that retries a call (DEFAULT_SDK_MAX_ATTEMPTS): two attempts, no more.
      expect(service.seen).to.have.length(2);
    });

    it("throws a server error as TRANSIENT once the SDK's retry is spent, and succeeds when the retry does", async () => {
      service.answer(() => ({ status: 500, body: { __type: 'InternalFailure', message: 'boom' } }));
      const error = await thrownBy(() => starter.startSync({ orderId: 'o-1' }, { name: 'req-6' }));
      expect(classifyError(error)).to.deep.include({ category: 'TRANSIENT', throttling: false });

      service.answer(
        () => ({ status: 503, body: { __type: 'ServiceUnavailable' } }),
        (request) => ended(request, 'SUCCEEDED', { output: '{"ok":true}' }),
      );
      expect(await starter.startSync({ orderId: 'o-1' }, { name: 'req-7' })).to.deep.equal({ status: 'SUCCEEDED', output: { ok: true } });
    });

    it('throws a refused start (the state machine is gone) as a client error, not to be retried', async () => {
      service.answer(() => ({ status: 400, body: { __type: 'StateMachineDoesNotExist', message: 'State Machine Does Not Exist' } }));

      const error = await thrownBy(() => starter.startSync({ orderId: 'o-1' }, { name: 'req-8' }));

      expect((error as { name?: string }).name).to.equal('StateMachineDoesNotExist');
      expect(classifyError(error).category).to.not.be.oneOf(['TRANSIENT', 'TIMEOUT']);
      expect(service.seen).to.have.length(1);
    });
  });

  describe('Function: createSfnClient', () => {
    it('sends StartSyncExecution to the sync- host in AWS, and gives it more time per attempt than the other services', async () => {
      // Prepare: a client with no endpoint, stopped just before the request leaves.
      const config = clientConfig({ region: 'eu-west-1', credentials: CREDENTIALS }, {})('SFN');
      const client = createSfnClient(config);
      let hostname: string | undefined;
      client.middlewareStack.add(
        (_next) => async (args) => {
          hostname = (args.request as { hostname?: string }).hostname;
          throw new Error('stopped before sending');
        },
        { step: 'finalizeRequest', name: 'captureHost' },
      );

      // Act
      await thrownBy(() =>
        new SfnWorkflowStarter({ client, stateMachineArn: STATE_MACHINE_ARN, definition: INGEST_WORKFLOW }).startSync({}, { name: 'n' }),
      );

      // Assess
      expect(hostname).to.equal('sync-states.eu-west-1.amazonaws.com');
      expect(config.requestHandler.requestTimeout).to.be.below(SYNC_EXECUTION_REQUEST_TIMEOUT_MS);
      const handler = client.config.requestHandler as unknown as { configProvider: Promise<{ requestTimeout?: number }> };
      expect((await handler.configProvider).requestTimeout).to.equal(SYNC_EXECUTION_REQUEST_TIMEOUT_MS);
    });
  });

  describe('Function: the deployed orchestrated-ingest container over this server', () => {
    const handlerOver = (): ((
      event: APIGatewayProxyEventV2,
    ) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>) => {
      const config = loadConfig({
        PIPELINE_BACKEND: 'aws',
        ORDER_QUEUE_URL: 'q',
        DEAD_LETTER_QUEUE_URL: 'd',
        IDEMPOTENCY_TABLE_NAME: 't',
        EVENT_BUS_NAME: 'b',
        INGEST_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
      });
      const services = {
        clock: new ManualClock(),
        random: new SeededRandom(1),
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
      };
      const container = composeFunction(orchestratedIngestComposition, config, services, {
        endpoint: service.endpoint,
        region: 'eu-west-1',
        credentials: CREDENTIALS,
      });
      return createOrchestratedIngestHandler(() => container);
    };

    it("answers 202 for an order the workflow published, having started it with the client's key", async () => {
      const priced = { currency: 'EUR', subtotalMinor: 4_498, taxMinor: 0, totalMinor: 4_498 };
      const published = { kind: 'PUBLISHED', messageId: 'm-9', idempotencyKey: 'client-order-0001', payloadHash: 'h' };
      service.answer((request) =>
        ended(request, 'SUCCEEDED', { output: JSON.stringify({ validated: { order: { orderId: 'order-0001' }, priced }, published }) }),
      );

      const response = await handlerOver()(httpEvent());

      expect(response.statusCode).to.equal(202);
      expect(JSON.parse(response.body)).to.deep.include({ status: 'ACCEPTED', messageId: 'm-9', idempotencyKey: 'client-order-0001' });
      expect(JSON.parse(String(service.seen[0]?.body.input))).to.deep.equal({
        request: sampleOrderBody(),
        idempotencyKey: 'client-order-0001',
      });
      expect(service.seen[0]?.body.name).to.equal('JKJaXmPLvHcESHA=');
    });

    it('answers 503 with Retry-After when Step Functions throttles the start', async () => {
      service.answer(() => ({ status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }));

      const response = await handlerOver()(httpEvent());

      expect(response.statusCode).to.equal(503);
      expect(response.headers['retry-after']).to.equal('1');
      expect(JSON.parse(response.body)).to.include({ error: 'TRANSIENT', code: 'AWS.ThrottlingException' });
    });
  });
});
