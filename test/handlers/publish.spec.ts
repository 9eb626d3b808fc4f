import { expect } from 'chai';
import type { HttpResponse } from '../../handlers/http/response.js';
import { createPublishHandler } from '../../handlers/publish.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { httpEvent, sampleOrderBody } from './lambda-events.js';

async function publish(fixture: PipelineFixture, event = httpEvent({ routeKey: 'POST /publish' })): Promise<HttpResponse> {
  return (await createPublishHandler(() => fixture.container)(event)) as HttpResponse;
}

const json = (response: HttpResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

describe('Function: publish handler', () => {
  it('answers 202 PUBLISHED and queues the order under the client key and correlation id', async () => {
    // Prepare
    const fixture = new PipelineFixture();

    // Act
    const response = await publish(fixture);

    // Assess
    expect(response.statusCode).to.equal(202);
    expect(json(response)).to.deep.include({
      status: 'PUBLISHED',
      orderId: 'order-0001',
      idempotencyKey: 'client-order-0001',
      correlationId: 'corr-from-client-0001',
    });
    const [queued] = fixture.orderQueue();
    expect(queued?.messageId).to.equal(json(response).messageId);
    expect(queued?.attributes).to.deep.include({ idempotencyKey: 'client-order-0001', correlationId: 'corr-from-client-0001' });
  });

  it('checks the shape only: a well-formed order with a business-rule problem is queued for the worker to judge', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    const line = (sampleOrderBody().lines as object[])[0];

    // Act
    const response = await publish(fixture, httpEvent({ body: JSON.stringify({ ...sampleOrderBody(), lines: [line, line] }) }));
    const [outcome] = (await fixture.drain()).flatMap((i) => i.result.outcomes);

    // Assess
    expect(response.statusCode).to.equal(202);
    expect(outcome).to.deep.include({ status: 'PARKED', failure: { category: 'VALIDATION', code: 'ORDER.INVALID' } });
  });
});
