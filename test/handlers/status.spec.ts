import { expect } from 'chai';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { TransientError } from '../../domain/errors.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import type { HttpResponse } from '../../handlers/http/response.js';
import { createStatusHandler } from '../../handlers/status.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { httpEvent } from './lambda-events.js';

function getOrder(key: string | undefined): APIGatewayProxyEventV2 {
  const event = httpEvent({ routeKey: `GET /orders/{idempotencyKey}`, body: null, headers: { 'content-type': undefined } });
  return {
    ...event,
    rawPath: `/orders/${key ?? ''}`,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'GET' } },
    ...(key === undefined ? {} : { pathParameters: { idempotencyKey: key } }),
  };
}

async function status(fixture: PipelineFixture, event: APIGatewayProxyEventV2): Promise<HttpResponse> {
  return createStatusHandler(() => fixture.container)(event);
}

const json = (response: HttpResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

describe('Function: status handler (GET /orders/{idempotencyKey})', () => {
  it('answers where an accepted order is, then that it succeeded, with its committed events and their delivery', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    await createIngestHandler(() => fixture.container)(httpEvent());

    // Act
    const queued = await status(fixture, getOrder('client-order-0001'));
    await fixture.drain();
    const done = await status(fixture, getOrder('client-order-0001'));

    // Assess
    expect(queued.statusCode).to.equal(200);
    expect(json(queued)).to.deep.include({
      idempotencyKey: 'client-order-0001',
      orderId: 'order-0001',
      status: 'ACCEPTED',
      attempts: 0,
      lastError: null,
      outcome: null,
    });
    expect(json(done)).to.deep.include({ status: 'SUCCEEDED', attempts: 1, lastErrorCategory: null });
    expect((json(done).outbox as { detailType: string }[]).map((entry) => entry.detailType)).to.include('OrderProcessed');
    expect(queued.headers['x-correlation-id']).to.be.a('string');
  });

  it('answers 404 for a key never accepted, and for a path without one', async () => {
    const fixture = new PipelineFixture();

    const unknown = await status(fixture, getOrder('never-seen'));
    const missing = await status(fixture, getOrder(undefined));

    expect(unknown.statusCode).to.equal(404);
    expect(json(unknown).message).to.match(/never-seen/);
    expect(missing.statusCode).to.equal(404);
  });

  it('answers 400 with the reason for a query parameter (it takes none), with the correlation id', async () => {
    const fixture = new PipelineFixture();
    const event = getOrder('client-order-0001');

    const response = await status(fixture, {
      ...event,
      rawQueryString: 'verbose=true',
      queryStringParameters: { verbose: 'true' },
      headers: { ...event.headers, 'x-correlation-id': 'corr-status-1' },
    });

    expect(response.statusCode).to.equal(400);
    expect(json(response).violations).to.deep.equal([
      { path: 'query.verbose', code: 'QUERY.UNKNOWN_PARAMETER', message: 'this route takes no query parameter' },
    ]);
    expect(response.headers['x-correlation-id']).to.equal('corr-status-1');
  });

  it('answers 503 with Retry-After while the table is unavailable (its breaker open), not a crash', async () => {
    // Prepare: DynamoDB failed five times in a row
    const fixture = new PipelineFixture();
    for (let i = 0; i < 5; i += 1) {
      await fixture.breakers
        .run('dynamodb', () => Promise.reject(new TransientError('down', { code: 'DYNAMODB.DOWN', cause: new Error('503') })))
        .catch(() => undefined);
    }

    // Act
    const response = await status(fixture, getOrder('client-order-0001'));

    // Assess
    expect(response.statusCode).to.equal(503);
    expect(Number(response.headers['retry-after'])).to.be.greaterThan(0);
  });
});
