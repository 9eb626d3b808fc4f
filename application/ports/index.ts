export type { Clock } from './clock.js';
export type { DeadLetterQueue } from './dead-letter-queue.js';
export type { EventBus, EventFailure, PipelineEvent, PublishEventsResult } from './event-bus.js';
export type { IdempotencyStore } from './idempotency-store.js';
export type { LogContext, Logger, LogLevel } from './logger.js';
export type { MetricUnit, Metrics } from './metrics.js';
export type { OrderQueue } from './order-queue.js';
export type { OutboundMessage, QueueMessage, SendFailure, SendResult, VisibilityChange } from './queue-message.js';
export type { Random } from './random.js';
