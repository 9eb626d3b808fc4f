import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { ManualClock } from './manual-clock.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import type { RuntimeServices } from '../../handlers/composition/runtime-module.js';

/**
 * A deployed function's environment whose AWS resources sit behind a closed port: building a container
 * from it calls nothing, and any call it made would fail at once.
 */
export const CLOSED_AWS_ENV: Readonly<Record<string, string>> = Object.freeze({
  PIPELINE_BACKEND: 'aws',
  AWS_REGION: 'eu-west-1',
  ORDER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders',
  DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders-dlq',
  IDEMPOTENCY_TABLE_NAME: 'orders-idempotency',
  EVENT_BUS_NAME: 'orders-bus',
  OUTBOX_DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/outbox-dlq',
  INGEST_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders-ingest',
});

/** Runtime services that record instead of writing, on a manual clock and a seeded random source. */
export function recordingServices(): RuntimeServices {
  return { clock: new ManualClock(), random: new SeededRandom(1), logger: new RecordingLogger(), metrics: new RecordingMetrics() };
}
