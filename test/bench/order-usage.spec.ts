import { expect } from 'chai';
import { NO_USAGE, orchestratedExtras, orchestratedUsage, priceUsage, type OrderUsage } from '../../bench/order-usage.js';
import { PRICES } from '../../bench/prices.js';

describe('Order usage, priced (bench/order-usage)', () => {
  describe('Function: priceUsage', () => {
    it('prices each line per million orders from the one price table, index writes as writes', () => {
      const usage: OrderUsage = { ...NO_USAGE, httpRequests: 1, events: 2, dynamodbWriteUnits: 7, dynamodbIndexWriteUnits: 6 };
      const priced = priceUsage(usage);
      expect(priced.httpApi).to.equal(PRICES.httpApiRequest);
      expect(priced.eventBridge).to.equal(2 * PRICES.eventBridgeEvent);
      expect(priced.dynamodbWrites).to.equal(13 * PRICES.dynamodbWriteRequestUnit);
      expect(priced.total).to.equal(PRICES.httpApiRequest + 2 * PRICES.eventBridgeEvent + 13 * PRICES.dynamodbWriteRequestUnit);
    });
  });

  describe('Function: orchestratedUsage', () => {
    it("keeps the composed run's DynamoDB, SQS and event work and swaps the edge's and worker's invocations for the workflows'", () => {
      const composed: OrderUsage = {
        ...NO_USAGE,
        httpRequests: 1,
        lambdaInvocations: 1.4,
        streamReads: 0.3,
        pipeRequests: 3,
        sqsRequests: 1.2,
        events: 2,
        dynamodbWriteUnits: 7,
      };
      const orchestrated = orchestratedUsage(composed, '1-line order');
      expect(orchestrated).to.deep.include({ sqsRequests: 1.2, events: 2, dynamodbWriteUnits: 7, expressExecutions: 2 });
      // The relay's 0.3 stay; orchestrated-ingest, validate, publish, idempotency and processor replace the edge and the worker.
      expect(orchestrated.lambdaInvocations).to.equal(0.3 + 5);
      expect(orchestrated.pipeRequests).to.equal(4);
    });

    it('runs the ingest workflow again for a duplicate POST, and only the consume workflow for a redelivery', () => {
      expect(orchestratedExtras('duplicate POST')).to.deep.include({ expressExecutions: 1, pipeRequests: 0 });
      expect(orchestratedExtras('duplicate delivery')).to.deep.include({ expressExecutions: 1, pipeRequests: 1, lambdaInvocations: 1 });
      expect(orchestratedExtras('transient failure, then success').expressExecutions).to.equal(3);
    });
  });
});
