import type { SyncExecutionRequest } from '../ports/workflow-starter.js';
import type { WorkflowDefinition } from './workflow-definition.js';

/**
 * What the edge read from the request besides its body, carried in a `request-body` workflow's start
 * input next to the body. The state machine's first state moves them into the workflow state's
 * `execution` (terraform/asl.ts), exactly where the harness' runner puts them, so the publish step reads
 * `execution.idempotencyKey` and `execution.simulation` the same way in both.
 */
export const EXECUTION_INPUT_FIELDS = ['idempotencyKey', 'simulation'] as const;

/** `{ <input key>: body, idempotencyKey?, simulation? }`: the input a deployed execution is started with. */
export function requestExecutionInput(
  definition: WorkflowDefinition,
  body: unknown,
  execution: SyncExecutionRequest,
): Record<string, unknown> {
  if (definition.input.kind !== 'request-body') throw new Error(`workflow ${definition.name} is not started with a request body`);
  return {
    [definition.input.key]: body,
    ...(execution.idempotencyKey === undefined ? {} : { idempotencyKey: execution.idempotencyKey }),
    ...(execution.simulation === undefined ? {} : { simulation: execution.simulation }),
  };
}
