/** The unguarded adapters; the core module wraps each in its service's circuit breaker. */
export const ADAPTERS = {
  OrderQueue: Symbol.for('adapter.OrderQueue'),
  DeadLetterQueue: Symbol.for('adapter.DeadLetterQueue'),
  OutboxDeadLetterQueue: Symbol.for('adapter.OutboxDeadLetterQueue'),
  IdempotencyStore: Symbol.for('adapter.IdempotencyStore'),
  EventBus: Symbol.for('adapter.EventBus'),
} as const;
