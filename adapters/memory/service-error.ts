/**
 * An error shaped like the AWS SDK v3's service exceptions (`name` is the service's error code, `$fault`
 * and `$metadata.httpStatusCode` are set), so `classifyError` treats a fake's refusal of a whole call as
 * it treats the service's.
 */
export class ServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };

  constructor(code: string, message: string, fault: 'client' | 'server' = 'client') {
    super(message);
    this.name = code;
    this.$fault = fault;
    this.$metadata = { httpStatusCode: fault === 'client' ? 400 : 500 };
  }
}

/** What DynamoDB and EventBridge answer for a table or bus that does not exist (or was deleted). */
export function resourceNotFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', message);
}
