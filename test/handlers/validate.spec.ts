import { expect } from 'chai';
import type { HttpResponse } from '../../handlers/http/response.js';
import { createValidateHandler } from '../../handlers/validate.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { httpEvent, sampleOrderBody } from './lambda-events.js';

async function validate(fixture: PipelineFixture, event = httpEvent({ routeKey: 'POST /validate' })): Promise<HttpResponse> {
  return (await createValidateHandler(() => fixture.container)(event)) as HttpResponse;
}

const json = (response: HttpResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

describe('Function: validate handler', () => {
  it('answers 200 with the order and its totals, and publishes nothing', async () => {
    // Prepare
    const fixture = new PipelineFixture();

    // Act
    const response = await validate(fixture);

    // Assess
    expect(response.statusCode).to.equal(200);
    expect(json(response)).to.deep.include({ valid: true, order: sampleOrderBody(), correlationId: 'corr-from-client-0001' });
    expect(json(response).priced).to.deep.include({ totalMinor: 4_498 });
    expect(fixture.orderQueue()).to.deep.equal([]);
    expect(fixture.events()).to.deep.equal([]);
  });

  it('answers 400 with every business-rule violation at once', async () => {
    // Prepare: duplicate SKU and a total above the maximum
    const fixture = new PipelineFixture({ env: { MAX_ORDER_TOTAL_MINOR: '1000' } });
    const body = JSON.stringify({
      ...sampleOrderBody(),
      lines: [
        { sku: 'A', quantity: 1, unitPriceMinor: 900 },
        { sku: 'A', quantity: 1, unitPriceMinor: 900 },
      ],
    });

    // Act
    const response = await validate(fixture, httpEvent({ body }));

    // Assess
    expect(response.statusCode).to.equal(400);
    expect((json(response).violations as { path: string; code: string }[]).map((v) => [v.path, v.code])).to.deep.equal([
      ['lines[1].sku', 'ORDER.DUPLICATE_SKU'],
      ['lines', 'ORDER.TOTAL_ABOVE_MAXIMUM'],
    ]);
  });

  it('answers 400 SIMULATED.VALIDATION when a validation failure is simulated', async () => {
    const fixture = new PipelineFixture();

    const response = await validate(fixture, httpEvent({ headers: { 'x-simulate-failure': 'validation' } }));

    expect(response.statusCode).to.equal(400);
    expect((json(response).violations as { code: string }[]).map((v) => v.code)).to.deep.equal(['SIMULATED.VALIDATION']);
  });
});
