import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The queue URL on the configured endpoint. Emulators answer with their own idea of the host (moto
 * uses the request's Host header; LocalStack its configured hostname), and the SQS client sends each
 * request to its QueueUrl's host when no endpoint is set: rebuilding the URL on the endpoint we were
 * given keeps every request on that endpoint. Without an endpoint (a real account) the URL is kept.
 */
export function queueUrlOnEndpoint(queueUrl: string, endpoint: string | undefined): string {
  if (endpoint === undefined) return queueUrl;
  const { pathname } = new URL(queueUrl);
  return new URL(pathname, endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
}

/** The endpoint an SQS client was configured with (`endpoint` option), or undefined for AWS's own. */
export async function configuredEndpoint(client: SQSClient): Promise<string | undefined> {
  const provider = client.config.endpoint;
  if (provider === undefined) return undefined;
  const { protocol, hostname, port, path } = await provider();
  return `${protocol}//${hostname}${port === undefined ? '' : `:${port}`}${path}`;
}
