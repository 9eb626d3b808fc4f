import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { SqsOrderQueue } from '../../adapters/aws/sqs-order-queue.js';
import { prepareMotoAccount, useMotoServer } from '../../tools/moto/moto.js';

/*
 * SQS fair queues on moto: the order queue adapter sends each order with its customer as MessageGroupId
 * on the standard queue; moto 5.2.1 stores it and returns it as a system attribute. It models no
 * fairness (neither does the in-memory broker): what fairness changes is AWS's, documented in the README.
 */
const moto = useMotoServer();

describe('SqsOrderQueue on moto: MessageGroupId per customer (fair queues)', () => {
  beforeEach(async () => {
    await moto.server.reset();
  });

  it('sends each order with its customer as MessageGroupId, and keeps a group the caller named', async () => {
    const { clients, resources } = await prepareMotoAccount(moto.server);
    const queue = new SqsOrderQueue({ client: clients.sqs, queueUrl: resources.orderQueueUrl, clock: { sleep: async () => undefined } });

    await queue.send([
      { id: 'a', body: JSON.stringify({ order: { customerId: 'cust-a' } }), attributes: {} },
      { id: 'b', body: JSON.stringify({ order: { customerId: 'cust-b' } }), attributes: {} },
      { id: 'c', body: 'not an order', attributes: {}, groupId: 'chosen' },
    ]);
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: resources.orderQueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );

    const groups: Record<string, string | undefined> = Object.fromEntries(
      (received.Messages ?? []).map((message) => [message.Body ?? '', message.Attributes?.MessageGroupId]),
    );
    expect(groups).to.deep.equal({
      '{"order":{"customerId":"cust-a"}}': 'cust-a',
      '{"order":{"customerId":"cust-b"}}': 'cust-b',
      'not an order': 'chosen',
    });
  });
});
