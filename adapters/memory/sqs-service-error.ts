/**
 * An error shaped like the AWS SDK v3's SQS exceptions (`name` is the SQS error code, `$fault` and
 * `$metadata.httpStatusCode` are set), so `classifyError` treats the fake's refusals as it treats SQS's.
 */
export class SqsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(code: string, message: string, fault: 'client' | 'server' = 'client') {
    super(message);
    this.name = code;
    this.$fault = fault;
    this.$metadata = { httpStatusCode: fault === 'client' ? 400 : 500 };
  }
}
