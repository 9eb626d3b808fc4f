import 'reflect-metadata';
import type { Context } from 'aws-lambda';
import type { Container } from 'inversify';
import type { Logger } from '../application/ports/logger.js';
import type { Metrics } from '../application/ports/metrics.js';
import { TOKENS } from '../application/tokens.js';
import { RelayOutboxEvents } from '../application/use-cases/relay-outbox-events.js';
import { parseStreamRecords } from '../adapters/aws/outbox-stream-records.js';
import { outboxRelayComposition } from './composition/functions/outbox-relay.js';
import { containerAtInit } from './composition/function-container.js';

/**
 * The outbox relay: target of the EventBridge Pipe on the idempotency table's stream (filtered to images
 * with undelivered events). Delivers them and answers with the records to retry.
 */
export const handler = createOutboxRelayHandler(containerAtInit(outboxRelayComposition));

/** What the relay reads of Lambda's context: its time left. */
export type RelayContext = Pick<Context, 'getRemainingTimeInMillis'>;

export interface StreamBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createOutboxRelayHandler(
  containerOf: () => Container,
): (event: unknown, context?: RelayContext) => Promise<StreamBatchResponse> {
  return async (event, context) => {
    const root = containerOf();
    const { changes, unreadable } = parseStreamRecords(event);
    try {
      for (const { id, reason } of unreadable) {
        // Retrying cannot make it readable: logged and counted (alarmed), not reported, so the shard moves on.
        root.get<Logger>(TOKENS.Logger).error('unreadable outbox stream record skipped', { streamRecord: id, reason });
        root.get<Metrics>(TOKENS.Metrics).add('OutboxRecordsUnreadable', 1, 'Count');
      }
      // The time left lets the relay wait out its open EventBridge breaker instead of spending the pipe's retries.
      const result = await root
        .get(RelayOutboxEvents)
        .execute(changes, context === undefined ? {} : { remainingTimeMs: () => context.getRemainingTimeInMillis() });
      return { batchItemFailures: result.failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
    } catch (error) {
      root.get<Logger>(TOKENS.Logger).error('outbox relay failed unexpectedly; the whole batch is retried', { error: String(error) });
      return { batchItemFailures: changes.map((change) => ({ itemIdentifier: change.id })) };
    } finally {
      root.get<Metrics>(TOKENS.Metrics).flush();
    }
  };
}
