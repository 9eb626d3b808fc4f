export { WORKFLOWS } from './all-workflows.js';
export { CLAIM_DECISION_FIELD, CLAIM_ROUTES, CONSUME_WORKFLOW, RELEASE_DELAY_PATH } from './consume-workflow.js';
export { EXECUTION_INPUT_FIELDS, requestExecutionInput } from './execution-input.js';
export { INGEST_WORKFLOW } from './ingest-workflow.js';
export {
  isStepFunctionName,
  PIPELINE_FUNCTION_NAMES,
  STEP_FUNCTION_NAMES,
  type PipelineFunctionName,
  type StepFunctionName,
} from './pipeline-function.js';
export {
  catchEverythingAfterClaim,
  catchNonRetryable,
  HOLD_BACK_RETRY,
  INVOCATION_RETRY,
  IDEMPOTENCY_STEP_RETRY,
  REQUEUE_RETRY,
} from './step-policies.js';
export {
  categoryOfInvocationError,
  categoryOfStepError,
  failureOfStepError,
  INVOCATION_ERRORS,
  messageOfCause,
  stepErrorName,
  type StepFailure,
} from './step-error.js';
export {
  CAUGHT_ERROR_KEY,
  EXECUTION_KEY,
  MAX_REQUEUE_DELAY_SECONDS,
  successorsOf,
  type CatchRule,
  type CaughtError,
  type ChoiceCase,
  type ChoiceStep,
  type FailStep,
  type HoldBackStep,
  type ParkStep,
  type RequeueStep,
  type RetryRule,
  type RetrySchedule,
  type SucceedStep,
  type TaskStep,
  type WorkflowDefinition,
  type WorkflowInput,
  type WorkflowStep,
} from './workflow-definition.js';
export { assertSoundWorkflow, workflowProblems } from './workflow-integrity.js';
