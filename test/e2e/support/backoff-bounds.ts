import { backoffPolicyOf, type PipelineConfig } from '../../../application/config/pipeline-config.js';
import { backoffEnvelope } from '../../../domain/backoff.js';

/**
 * The least and the most time, in ms, that the worker's backoff holds an order back over its failed
 * attempts `1..failedAttempts`: the sums of the smallest and the largest delay the configured policy can
 * draw for each (the same domain function both topologies draw from).
 */
export function backoffBoundsMs(config: PipelineConfig, failedAttempts: number): { readonly min: number; readonly max: number } {
  const policy = backoffPolicyOf(config);
  let min = 0;
  let max = 0;
  for (let attempt = 1; attempt <= failedAttempts; attempt += 1) {
    const envelope = backoffEnvelope(policy, attempt, undefined);
    min += envelope.min * 1_000;
    max += envelope.max * 1_000;
  }
  return { min, max };
}

/** The settings the harness logged when it started (the visibility timeout it derived, among others). */
export function startedWith(logs: readonly string[]): { readonly visibilityTimeoutSeconds: number } {
  const line = logs.find((candidate) => candidate.includes('"harness started"'));
  if (line === undefined) throw new Error('the harness logged no start');
  return JSON.parse(line) as { visibilityTimeoutSeconds: number };
}
