import { expect } from 'chai';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { TransientError } from '../../domain/errors.js';
import type { HttpResponse } from '../../handlers/http/response.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { httpEvent, sampleOrderBody } from './lambda-events.js';

function ingest(fixture: PipelineFixture): (event: APIGatewayProxyEventV2) => Promise<HttpResponse> {
  return createIngestHandler(() => fixture.container);
}

const json = (response: HttpResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

describe('Function: ingest handler', () => {
  it('answers 202 with the totals and a location, and queues the order under the client key and correlation id', async () => {
    // Prepare
    const fixture = new PipelineFixture({ env: { TAX_RATE_BASIS_POINTS: '2000' } });

    // Act
    const response = await ingest(fixture)(httpEvent());

    // Assess
    expect(response.statusCode).to.equal(202);
    expect(response.headers.location).to.equal('/orders/client-order-0001');
    expect(json(response)).to.deep.include({
      status: 'ACCEPTED',
      orderId: 'order-0001',
      idempotencyKey: 'client-order-0001',
      correlationId: 'corr-from-client-0001',
    });
    expect(json(response).totals).to.deep.equal({ currency: 'EUR', subtotalMinor: 4_498, taxMinor: 900, totalMinor: 5_398 });
    const queued = fixture.orderQueue();
    expect(queued.map((m) => m.messageId)).to.deep.equal([json(response).messageId]);
    expect(queued[0]?.attributes).to.deep.include({
      idempotencyKey: 'client-order-0001',
      correlationId: 'corr-from-client-0001',
      orderId: 'order-0001',
    });
    expect(fixture.events(EVENT_TYPES.published), 'announced by the first claim, not by the edge').to.deep.equal([]);
    await fixture.drain();
    await fixture.relayOutbox();
    expect(fixture.events(EVENT_TYPES.published)[0]?.detail).to.deep.include({
      correlationId: 'corr-from-client-0001',
      messageId: json(response).messageId,
    });
  });

  it('derives the idempotency key from the order when no Idempotency-Key header is sent', async () => {
    const fixture = new PipelineFixture();

    const response = await ingest(fixture)(httpEvent({ headers: { 'idempotency-key': undefined } }));

    expect(response.statusCode).to.equal(202);
    expect(json(response).idempotencyKey).to.match(/^order-[0-9a-f]{40}$/);
  });

  it('answers 400 with every business-rule violation and queues nothing', async () => {
    // Prepare
    const fixture = new PipelineFixture({ env: { SUPPORTED_CURRENCIES: 'USD' } });
    const order = sampleOrderBody();
    const body = JSON.stringify({ ...order, lines: [...(order.lines as object[]), (order.lines as object[])[0]] });

    // Act
    const response = await ingest(fixture)(httpEvent({ body }));

    // Assess
    expect(response.statusCode).to.equal(400);
    expect((json(response).violations as { code: string }[]).map((v) => v.code)).to.deep.equal([
      'ORDER.CURRENCY_NOT_SUPPORTED',
      'ORDER.DUPLICATE_SKU',
    ]);
    expect(fixture.orderQueue()).to.deep.equal([]);
  });

  it('answers 200 with the stored outcome for an order already processed, and queues nothing', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    await ingest(fixture)(httpEvent());
    await fixture.drain();

    // Act
    const response = await ingest(fixture)(httpEvent());

    // Assess
    expect(response.statusCode).to.equal(200);
    expect(json(response)).to.deep.include({ status: 'SUCCEEDED', duplicate: true, idempotencyKey: 'client-order-0001' });
    expect(json(response).outcome).to.deep.include({ totalMinor: 4_498 });
    expect(fixture.orderQueue()).to.deep.equal([]);
  });

  it('answers 409 with Retry-After while the order is being worked', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    await ingest(fixture)(httpEvent({ headers: { 'x-simulate-failure': 'transient:1' } }));
    await fixture.deliver();

    // Act
    const response = await ingest(fixture)(httpEvent());

    // Assess
    expect(response.statusCode).to.equal(409);
    expect(response.headers['retry-after']).to.equal('5');
    expect(json(response)).to.deep.include({ error: 'IN_PROGRESS', idempotencyKey: 'client-order-0001' });
  });

  it('answers 422 when the Idempotency-Key was used for a different order', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    await ingest(fixture)(httpEvent());
    await fixture.drain();

    // Act
    const response = await ingest(fixture)(httpEvent({ body: JSON.stringify({ ...sampleOrderBody(), customerId: 'customer-0002' }) }));

    // Assess
    expect(response.statusCode).to.equal(422);
    expect(json(response)).to.deep.include({ error: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: 'client-order-0001' });
    expect(fixture.orderQueue()).to.deep.equal([]);
  });

  it('answers 503 with Retry-After when the queue is unavailable (its breaker open)', async () => {
    // Prepare: SQS failed five times in a row
    const fixture = new PipelineFixture();
    for (let i = 0; i < 5; i += 1) {
      await fixture.breakers
        .run('sqs', () => Promise.reject(new TransientError('down', { code: 'SQS.DOWN', cause: new Error('503') })))
        .catch(() => undefined);
    }

    // Act
    const response = await ingest(fixture)(httpEvent());

    // Assess
    expect(response.statusCode).to.equal(503);
    expect(response.headers['retry-after']).to.equal('60');
    expect(json(response)).to.deep.include({ error: 'TRANSIENT', code: 'BREAKER.OPEN', correlationId: 'corr-from-client-0001' });
    expect(fixture.orderQueue()).to.deep.equal([]);
  });

  it('carries a simulated failure to the worker where configuration allows it', async () => {
    // Prepare
    const fixture = new PipelineFixture();

    // Act
    await ingest(fixture)(httpEvent({ headers: { 'x-simulate-failure': 'permanent' } }));
    const [outcome] = (await fixture.drain()).flatMap((i) => i.result.outcomes);

    // Assess
    expect(outcome).to.deep.include({ status: 'PARKED', failure: { category: 'PERMANENT', code: 'SIMULATED.PERMANENT' } });
  });
});
