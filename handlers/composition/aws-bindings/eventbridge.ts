import type { ContainerModuleLoadOptions } from 'inversify';
import type { PipelineConfig } from '../../../application/config/pipeline-config.js';
import type { EventBus } from '../../../application/ports/event-bus.js';
import type { ClientConfig } from '../../../adapters/aws/client-config.js';
import type { AwsClients } from '../../../adapters/aws/clients.js';
import { createEventBridgeClient } from '../../../adapters/aws/eventbridge-client.js';
import { EventBridgeEventBus } from '../../../adapters/aws/eventbridge-event-bus.js';
import { ADAPTERS } from '../../../application/tokens.js';
import type { AwsServiceAdapters, RetryTools } from './service-adapters.js';

/** The EventBridge adapter: the event bus. */
export function bindEventBridgeAdapters(
  bind: ContainerModuleLoadOptions['bind'],
  config: PipelineConfig,
  retryTools: RetryTools,
  client: AwsClients['eventBridge'],
): void {
  bind<EventBus>(ADAPTERS.EventBus).toConstantValue(new EventBridgeEventBus({ client, eventBusName: config.eventBusName, ...retryTools }));
}

export const EVENTBRIDGE_ADAPTERS: AwsServiceAdapters = {
  service: 'EVENTBRIDGE',
  bind: (bind, config, retryTools, clientConfig: ClientConfig) =>
    bindEventBridgeAdapters(bind, config, retryTools, createEventBridgeClient(clientConfig)),
};
