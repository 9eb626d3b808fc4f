import { resolveBreakerSettings } from '../application/config/breaker-overrides.js';
import { concurrencyProblem, operationsProblems } from './operations-config.js';
import { reservations } from './stack-topology.js';
import { outboxProblems } from './outbox-settings.js';
import { DEAD_LETTER_RETENTION_SECONDS, PROVISIONED_POLLER_LIMITS, type StageConfig, type WorkerScaling } from './stage-config.js';

/* The checks a stage's configuration must pass before it is synthesized (orders-stack.ts runs them). */

/** Refuses a stage that cannot be deployed as configured, naming every reason at once. */
export function assertDeployable(config: StageConfig): void {
  const problems = stageConfigProblems(config);
  const concurrency = concurrencyProblem(config.stage, config.operations.concurrencyQuota, reservations(config));
  if (concurrency !== undefined) problems.push(concurrency);
  if (problems.length > 0) throw new Error(`stage ${config.stage} is misconfigured: ${problems.join('; ')}`);
}

/** Every reason `config` cannot be deployed as it is (empty when it can). */
export function stageConfigProblems(config: StageConfig): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{1,30}$/.test(config.namePrefix)) problems.push('namePrefix must be 2-31 lowercase letters, digits or dashes');
  if (!Number.isInteger(config.queue.maxReceiveCount) || config.queue.maxReceiveCount < 5 || config.queue.maxReceiveCount > 1000) {
    problems.push('queue.maxReceiveCount must be a whole number from 5 to 1000');
  }
  if (config.queue.retentionSeconds >= DEAD_LETTER_RETENTION_SECONDS || config.queue.retentionSeconds < 60) {
    problems.push('queue.retentionSeconds must be from 60 s to less than the DLQ retention (14 days)');
  }
  const { batchSize, batchingWindowSeconds, maximumConcurrency } = config.worker;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) problems.push('worker.batchSize must be 1-10000');
  if (batchSize > 10 && batchingWindowSeconds < 1) problems.push('worker.batchSize above 10 needs a batching window of at least 1 s');
  if (!Number.isInteger(maximumConcurrency) || maximumConcurrency < 2 || maximumConcurrency > 1000) {
    problems.push('worker.maximumConcurrency must be 2-1000');
  }
  problems.push(...workerScalingProblems(config.worker.scaling));
  const reserved = config.functions.worker.reservedConcurrency;
  if (reserved !== undefined && reserved < maximumConcurrency) {
    problems.push('functions.worker.reservedConcurrency must be at least worker.maximumConcurrency');
  }
  for (const [name, settings] of Object.entries(config.functions)) {
    if (settings.memoryMb < 128 || settings.memoryMb > 10_240) problems.push(`functions.${name}.memoryMb must be 128-10240`);
    if (!Number.isInteger(settings.timeoutSeconds) || settings.timeoutSeconds < 1 || settings.timeoutSeconds > 900) {
      problems.push(`functions.${name}.timeoutSeconds must be 1-900`);
    }
  }
  if (config.api.authorization.type === 'jwt' && config.api.authorization.audience.length === 0)
    problems.push('api.authorization.audience must not be empty');
  if (!(config.application.permanenceReceiveThreshold > config.queue.maxReceiveCount + 1)) {
    problems.push(
      'application.permanenceReceiveThreshold must be above queue.maxReceiveCount + 1 (the receive count of a message SQS moved, on its first read from the DLQ)',
    );
  }
  const canary = config.migration.canary;
  if (canary !== undefined && !(canary.newVersionWeight >= 0 && canary.newVersionWeight <= 1))
    problems.push('migration.canary.newVersionWeight must be from 0 to 1');
  if (config.migration.drainOrchestratedQueue === true && config.topology !== 'orchestrated') {
    problems.push(
      "migration.drainOrchestratedQueue applies only to topology 'orchestrated' (in 'both' the orchestrated queue is in use; 'composed' has none)",
    );
  }
  if (!/^(rate|cron)\(.+\)$/.test(config.redriveSchedule)) problems.push('redriveSchedule must be a rate() or cron() expression');
  problems.push(...outboxProblems(config.outbox));
  problems.push(...operationsProblems(config.operations, config.alarms));
  problems.push(...breakerProblems(config));
  return problems;
}

function breakerProblems(config: StageConfig): string[] {
  try {
    resolveBreakerSettings(config.breakers);
    return [];
  } catch (error) {
    return [`breakers: ${error instanceof Error ? error.message : String(error)}`];
  }
}

function workerScalingProblems(scaling: WorkerScaling | undefined): string[] {
  if (scaling === undefined || scaling.mode === 'maximum-concurrency') return [];
  const problems: string[] = [];
  const { minimum, maximum } = PROVISIONED_POLLER_LIMITS;
  const within = (value: number, range: { from: number; to: number }): boolean =>
    Number.isInteger(value) && value >= range.from && value <= range.to;
  if (!within(scaling.minimumPollers, minimum)) problems.push(`worker.scaling.minimumPollers must be ${minimum.from}-${minimum.to}`);
  if (!within(scaling.maximumPollers, maximum)) problems.push(`worker.scaling.maximumPollers must be ${maximum.from}-${maximum.to}`);
  if (scaling.minimumPollers > scaling.maximumPollers)
    problems.push('worker.scaling.minimumPollers must not exceed worker.scaling.maximumPollers');
  return problems;
}
