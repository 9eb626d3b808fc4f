/**
 * The pipeline's Lambda functions, one handler each (`handlers/<name>.ts`). The first five are the
 * single-responsibility steps the workflows invoke; `ingest` and `worker` compose them in one process,
 * `redrive` works the dead-letter queue on a schedule, `status` answers GET /orders/{idempotencyKey}, and
 * `orchestrated-ingest` is the orchestrated topology's HTTP edge, which starts the ingest workflow and
 * answers the one contract.
 */
export const STEP_FUNCTION_NAMES = ['validate', 'publish', 'idempotency', 'processor', 'outbox-relay'] as const;
export const PIPELINE_FUNCTION_NAMES = [...STEP_FUNCTION_NAMES, 'redrive', 'ingest', 'worker', 'status', 'orchestrated-ingest'] as const;

export type StepFunctionName = (typeof STEP_FUNCTION_NAMES)[number];
export type PipelineFunctionName = (typeof PIPELINE_FUNCTION_NAMES)[number];

export function isStepFunctionName(value: string): value is StepFunctionName {
  return (STEP_FUNCTION_NAMES as readonly string[]).includes(value);
}
