import { createServer, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { NOW, classified, closedPort } from './aws-errors.fixtures.js';

describe('Function: classifyError, on errors the AWS SDK raised from real responses', () => {
  describe('timeouts and the network', () => {
    let hanging: Server;
    const sockets = new Set<Socket>();

    before(async () => {
      // Accepts connections and never answers.
      hanging = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    });

    after(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    });

    it('returns TIMEOUT when the request timeout elapses without an answer', async () => {
      const address = hanging.address();
      if (address === null || typeof address === 'string') throw new Error('no address');
      const clients = createAwsClients({ endpoint: `http://127.0.0.1:${address.port}`, maxAttempts: 1, requestTimeoutMs: 200 });
      const store = new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: 'idempotency' });

      const result = await classified(() => store.get('k', NOW));

      expect(result).to.include({ name: 'TimeoutError', category: 'TIMEOUT' });
    });

    it('returns TRANSIENT when nothing listens on the endpoint', async () => {
      const port = await closedPort();
      const clients = createAwsClients({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
      const store = new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: 'idempotency' });

      const result = await classified(() => store.get('k', NOW));

      expect(result).to.include({ category: 'TRANSIENT', code: 'NODE.ECONNREFUSED' });
    });
  });
});
