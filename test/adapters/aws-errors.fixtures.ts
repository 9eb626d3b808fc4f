import { createServer } from 'node:net';
import { expect } from 'chai';
import { classifyError, type Classification } from '../../domain/error-classifier.js';
import { useMotoServer } from '../../tools/moto/moto.js';

export const moto = useMotoServer();
export const NOW = Date.UTC(2026, 0, 1);
export const event = { eventId: 'evt-1', source: 'orders.pipeline', detailType: 'OrderProcessed', detail: { orderId: 'o-1' }, time: NOW };
export const message = { id: 'm1', body: '{"orderId":"o-1"}', attributes: { correlationId: 'c-1' } };

export async function thrownBy(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to throw');
}

export async function classified(call: () => Promise<unknown>): Promise<Classification & { readonly name: unknown }> {
  const error = await thrownBy(call);
  return { ...classifyError(error), name: (error as { name?: unknown }).name };
}

/** Creates an IAM user without any policy over moto's IAM query API, and an access key for it. */
export async function createPolicylessUser(endpoint: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const call = async (params: Record<string, string>): Promise<string> => {
    const response = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        host: 'iam.amazonaws.com',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
    });
    return response.text();
  };
  await call({ Action: 'CreateUser', UserName: 'no-policy' });
  const key = await call({ Action: 'CreateAccessKey', UserName: 'no-policy' });
  const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(key)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(key)?.[1];
  if (accessKeyId === undefined || secretAccessKey === undefined) throw new Error(`moto did not create an access key: ${key}`);
  return { accessKeyId, secretAccessKey };
}

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no address');
  return address.port;
}
