import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { type ClaimDecision, type ClaimRequest, type IdempotencyRecord } from '../../domain/idempotency.js';
import { toItem } from '../../adapters/aws/idempotency-item.js';
import { createOutboxRelayHandler } from '../../handlers/outbox-relay.js';
import type { PipelineFixture } from '../support/pipeline-fixture.js';

/** Counts the store calls; `failClaims` makes claims throw what DynamoDB throws when it is throttled. */
export class SpyStore extends MemoryIdempotencyStore {
  claims = 0;
  failClaims = false;

  override async claim(request: ClaimRequest): Promise<ClaimDecision> {
    this.claims += 1;
    if (this.failClaims) {
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $retryable: { throttling: true },
        $metadata: { httpStatusCode: 400 },
      });
    }
    return super.claim(request);
  }
}

/** The relay invoked with one stream record carrying `record`'s new image, as the pipe retries it. */
export function createEventsHandlerFor(fixture: PipelineFixture) {
  return (record: IdempotencyRecord) =>
    createOutboxRelayHandler(() => fixture.container)([
      {
        eventID: 'retried-1',
        eventName: 'MODIFY',
        dynamodb: { Keys: { pk: { S: record.key } }, NewImage: toItem(record), SequenceNumber: '1', ApproximateCreationDateTime: 1 },
      },
    ]);
}
