/** Injection tokens, one per port and per configured value. Symbol.for so that bundles share them. */
export const TOKENS = {
  OrderQueue: Symbol.for('OrderQueue'),
  DeadLetterQueue: Symbol.for('DeadLetterQueue'),
  /** The outbox pipe's dead-letter queue (batches the pipe gave up on). */
  OutboxDeadLetterQueue: Symbol.for('OutboxDeadLetterQueue'),
  IdempotencyStore: Symbol.for('IdempotencyStore'),
  EventBus: Symbol.for('EventBus'),
  /** Starts the ingest workflow and waits for its end (the orchestrated edge). */
  WorkflowStarter: Symbol.for('WorkflowStarter'),
  Clock: Symbol.for('Clock'),
  Random: Symbol.for('Random'),
  Logger: Symbol.for('Logger'),
  Metrics: Symbol.for('Metrics'),
  CircuitBreakers: Symbol.for('CircuitBreakers'),
  PipelineConfig: Symbol.for('PipelineConfig'),
  /** Pauses and resumes a fleet's consumption of its queue (fleet flow control). */
  ConsumptionSwitch: Symbol.for('ConsumptionSwitch'),
  DependencyProbe: Symbol.for('DependencyProbe'),
  FleetFlowSettings: Symbol.for('FleetFlowSettings'),
} as const;

/**
 * The unguarded adapters, bound by each function's composition (handlers/composition/) or by the harness;
 * the guarded-ports module binds TOKENS.<port> to each wrapped in its service's circuit breaker.
 */
export const ADAPTERS = {
  OrderQueue: Symbol.for('adapter.OrderQueue'),
  DeadLetterQueue: Symbol.for('adapter.DeadLetterQueue'),
  OutboxDeadLetterQueue: Symbol.for('adapter.OutboxDeadLetterQueue'),
  IdempotencyStore: Symbol.for('adapter.IdempotencyStore'),
  EventBus: Symbol.for('adapter.EventBus'),
} as const;
