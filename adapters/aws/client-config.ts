import type { AgentOptions as HttpAgentOptions } from 'node:http';
import type { AgentOptions as HttpsAgentOptions } from 'node:https';

export interface AwsClientOptions {
  /** Defaults to AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1. */
  readonly region?: string;
  /** One endpoint for every service (moto, LocalStack). Overrides AWS_ENDPOINT_URL and the per-service variables. */
  readonly endpoint?: string;
  /** HTTP attempts per SDK call, first one included. See DEFAULT_SDK_MAX_ATTEMPTS. */
  readonly maxAttempts?: number;
  /** Time allowed for one HTTP attempt once the request is sent. */
  readonly requestTimeoutMs?: number;
  /** Time allowed to open a connection. */
  readonly connectionTimeoutMs?: number;
  /** Defaults to the SDK's provider chain (the Lambda role's credentials in AWS). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

/**
 * The SDK retries a whole call that failed with throttling, a 5xx or a network error, with full jitter and
 * its retry-quota token bucket. That is the only layer that retries a failed call: the adapters never
 * retry a thrown error (they only re-send entries a successful batch response reported failed, which the
 * SDK cannot see), the circuit breaker never retries (it counts one failure per exhausted SDK call), and the
 * queue's redelivery is the slow, per-message retry that the error category budgets. Two attempts keep
 * the worst case inside a Lambda invocation short (one retry, at most ~1 s of backoff for throttling)
 * and let a breaker with threshold N open after 2N requests instead of 3N.
 */
export const DEFAULT_SDK_MAX_ATTEMPTS = 2;
export const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 1_000;

/** As the SDK names them in its per-service endpoint variables (AWS_ENDPOINT_URL_SFN is Step Functions'). */
export type ServiceId = 'SQS' | 'DYNAMODB' | 'EVENTBRIDGE' | 'SFN';

/** What every service's client constructor takes from here. */
export interface ClientConfig {
  readonly region: string;
  readonly maxAttempts: number;
  readonly retryMode: string;
  readonly requestHandler: {
    readonly requestTimeout: number;
    readonly throwOnRequestTimeout: boolean;
    readonly connectionTimeout: number;
    /** Options, not agents: the SDK's handler builds each agent, the http one only when an http endpoint is first called. */
    readonly httpAgent: HttpAgentOptions;
    readonly httpsAgent: HttpsAgentOptions;
  };
  readonly endpoint?: string;
  readonly credentials?: AwsClientOptions['credentials'];
}

/**
 * The configuration of one service's client (region, endpoint, retries, timeouts, keep-alive agents).
 * A single-purpose function builds only the clients it calls from it, so its bundle carries no other
 * service's SDK (this file imports only node's agents; the client classes come from the caller).
 */
export function clientConfig(
  options: AwsClientOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): (service: ServiceId) => ClientConfig {
  const region = options.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1';
  const requestHandler = {
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // Without it, smithy's handler only logs a warning when requestTimeout passes and keeps waiting.
    throwOnRequestTimeout: true,
    connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    // Agent options rather than agents: constructing agents here loaded node:http at INIT in every function
    // (the SDK itself loads it only for an http endpoint, which a deployed function never calls) and
    // node:http and node:https in a function with no client at all (validate); bench/init.ts measures it.
    httpAgent: { keepAlive: true, maxSockets: 50 },
    httpsAgent: { keepAlive: true, maxSockets: 50 },
  };
  const common = (service: ServiceId): ClientConfig => {
    const endpoint = options.endpoint ?? endpointFromEnv(service, env);
    return {
      region,
      maxAttempts: options.maxAttempts ?? DEFAULT_SDK_MAX_ATTEMPTS,
      retryMode: 'standard',
      requestHandler,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    };
  };
  return common;
}

/** The SDK's own precedence: AWS_ENDPOINT_URL_<SERVICE> before AWS_ENDPOINT_URL. */
export function endpointFromEnv(service: ServiceId, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return nonEmpty(env[`AWS_ENDPOINT_URL_${service}`]) ?? nonEmpty(env.AWS_ENDPOINT_URL);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
