import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { MOTO_INSTALL_HINT, startMotoServer } from '../../tools/moto/moto.js';

describe('Function: startMotoServer', () => {
  it('fails, saying how to install moto, when its Python cannot be found', async () => {
    const error = await startMotoServer({ python: '/nonexistent/python3' }).then(
      async (server) => {
        await server.stop();
        return undefined;
      },
      (thrown: unknown) => thrown,
    );

    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message)
      .to.include('/nonexistent/python3')
      .and.to.include(MOTO_INSTALL_HINT);
    expect(MOTO_INSTALL_HINT).to.include('npm run test:setup').and.to.include('moto[server]==5.2.1');
  });

  it('answers on its endpoint until stopped, and forgets resources on reset', async function () {
    this.timeout(30_000);
    const server = await startMotoServer();
    try {
      const { sqs } = createAwsClients({ endpoint: server.endpoint, maxAttempts: 1 });
      await sqs.send(new CreateQueueCommand({ QueueName: 'before-reset' }));
      const before = await sqs.send(new ListQueuesCommand({}));

      await server.reset();
      const after = await sqs.send(new ListQueuesCommand({}));

      expect(before.QueueUrls).to.have.length(1);
      expect(after.QueueUrls ?? []).to.deep.equal([]);
    } finally {
      await server.stop();
    }
    const afterStop = await fetch(`${server.endpoint}/moto-api/`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(afterStop).to.equal('refused');
  });
});
