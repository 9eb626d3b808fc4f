import { expect } from 'chai';
import { DEFAULT_SDK_MAX_ATTEMPTS, createAwsClients, endpointFromEnv } from '../../adapters/aws/clients.js';
import { configuredEndpoint, queueUrlOnEndpoint } from '../../adapters/aws/queue-url.js';

describe('Function: createAwsClients', () => {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  it('gives every client the endpoint of AWS_ENDPOINT_URL', async () => {
    const clients = createAwsClients({ credentials }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_REGION: 'eu-west-1' });

    for (const client of [clients.sqs, clients.dynamodb, clients.eventBridge]) {
      const endpoint = await client.config.endpoint?.();
      expect(endpoint).to.include({ hostname: '127.0.0.1', port: 4566, protocol: 'http:' });
      expect(await client.config.region()).to.equal('eu-west-1');
    }
  });

  it('prefers a per-service endpoint (AWS_ENDPOINT_URL_SQS) to the general one', async () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324' };

    const clients = createAwsClients({ credentials, region: 'us-east-1' }, env);

    expect(await configuredEndpoint(clients.sqs)).to.equal('http://127.0.0.1:9324/');
    expect((await clients.dynamodb.config.endpoint?.())?.port).to.equal(4566);
  });

  it('lets an explicit endpoint win over the environment', async () => {
    const clients = createAwsClients({ credentials, endpoint: 'http://127.0.0.1:5000' }, { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324' });

    expect(await configuredEndpoint(clients.sqs)).to.equal('http://127.0.0.1:5000/');
  });

  it("leaves the endpoint to the SDK's own resolution when none is configured", async () => {
    const clients = createAwsClients({ credentials, region: 'eu-central-1' }, {});

    expect(clients.sqs.config.endpoint).to.equal(undefined);
    expect(await configuredEndpoint(clients.sqs)).to.equal(undefined);
  });

  it('retries a failed call at the SDK layer only, with the documented number of attempts', async () => {
    const clients = createAwsClients({ credentials, region: 'us-east-1' }, {});
    const tuned = createAwsClients({ credentials, region: 'us-east-1', maxAttempts: 1 }, {});

    expect(await clients.dynamodb.config.maxAttempts()).to.equal(DEFAULT_SDK_MAX_ATTEMPTS);
    expect(await tuned.eventBridge.config.maxAttempts()).to.equal(1);
  });
});

describe('Function: endpointFromEnv', () => {
  it('ignores blank variables', () => {
    expect(endpointFromEnv('DYNAMODB', { AWS_ENDPOINT_URL_DYNAMODB: '  ', AWS_ENDPOINT_URL: 'http://localhost:4566' })).to.equal(
      'http://localhost:4566',
    );
    expect(endpointFromEnv('EVENTBRIDGE', { AWS_ENDPOINT_URL: '' })).to.equal(undefined);
  });
});

describe('Function: queueUrlOnEndpoint', () => {
  it('moves the queue path onto the configured endpoint', () => {
    expect(queueUrlOnEndpoint('http://localhost.localstack.cloud:4566/000000000000/orders', 'http://127.0.0.1:4566')).to.equal(
      'http://127.0.0.1:4566/000000000000/orders',
    );
  });

  it('keeps the URL as the service gave it when no endpoint is configured', () => {
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders';
    expect(queueUrlOnEndpoint(url, undefined)).to.equal(url);
  });
});
