import { expect } from 'chai';
import { bareHandlerSource, composedServices, stackFloorSource } from '../../bench/init.js';

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

  describe('Function: stackFloorSource', () => {
    it('is the bare handler of the same clients plus the kept stack: inversify, class-validator, class-transformer, reflect-metadata', () => {
      const source = stackFloorSource(['DYNAMODB', 'SQS']);
      expect(source).to.include(bareHandlerSource(['DYNAMODB', 'SQS']));
      for (const stack of ["'inversify'", "'class-validator'", "'class-transformer'", "'reflect-metadata'"])
        expect(source).to.include(stack);
      expect(source).to.include('container.load(').and.to.include('@inject(').and.to.include('@Type(');
      expect(source).not.to.match(/powertools/i);
    });
  });
});
