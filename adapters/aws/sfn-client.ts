import { SFNClient } from '@aws-sdk/client-sfn';
import type { ClientConfig } from './client-config.js';

/**
 * A synchronous execution holds the call open until the workflow ends (validate → publish, each a Lambda
 * invocation, retried by the state machine): far longer than the other services' 3 s per attempt. The
 * HTTP API gives its integration 30 s, so one attempt may take most of that.
 */
export const SYNC_EXECUTION_REQUEST_TIMEOUT_MS = 25_000;

/**
 * The one SFNClient of an execution environment (only the orchestrated edge imports this file).
 * StartSyncExecution goes to the `sync-` host (`sync-states.<region>.amazonaws.com`), a host prefix the
 * SDK adds; an explicit endpoint (a local server in the tests) is used as it is.
 */
export function createSfnClient(config: ClientConfig): SFNClient {
  return new SFNClient({
    ...config,
    requestHandler: {
      ...config.requestHandler,
      requestTimeout: Math.max(config.requestHandler.requestTimeout, SYNC_EXECUTION_REQUEST_TIMEOUT_MS),
    },
    ...(config.endpoint === undefined ? {} : { disableHostPrefix: true }),
  });
}
