import { expect } from 'chai';
import { bareHandlerSource, composedServices } from '../../bench/init.js';

describe('The INIT bench pairs each function with a bare handler of its own clients', () => {
  describe('Function: composedServices', () => {
    it("reads each function's services from its composition, so the bare handler follows the function", async () => {
      const services = await composedServices();
      expect(services.validate).to.deep.equal([]);
      expect([...services.worker].sort()).to.deep.equal(['DYNAMODB', 'SQS']);
      expect([...services['outbox-relay']].sort()).to.deep.equal(['DYNAMODB', 'EVENTBRIDGE']);
      expect(services['orchestrated-ingest']).to.deep.equal(['SFN']);
    });
  });

  describe('Function: bareHandlerSource', () => {
    it("constructs exactly the given clients with the functions' own factories and client configuration", () => {
      const source = bareHandlerSource(['DYNAMODB', 'SQS']);
      expect(source).to.include('createDynamoDbClient(configFor("DYNAMODB"))').and.to.include('createSqsClient(configFor("SQS"))');
      expect(source).not.to.include('createEventBridgeClient').and.not.to.include('createSfnClient');
      expect(source).not.to.match(/inversify|class-validator|powertools/i);
    });

    it('constructs nothing for a function without a client', () => {
      const source = bareHandlerSource([]);
      expect(source).to.include('const clients = [];').and.not.to.include('clientConfig');
    });
  });
});
