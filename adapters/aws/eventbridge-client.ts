import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { ClientConfig } from './client-config.js';

/** The one EventBridgeClient of an execution environment (a function that does not call this service never imports this file). */
export function createEventBridgeClient(config: ClientConfig): EventBridgeClient {
  return new EventBridgeClient(config);
}
