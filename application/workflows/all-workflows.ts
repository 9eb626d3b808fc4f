import { CONSUME_WORKFLOW } from './consume-workflow.js';
import { INGEST_WORKFLOW } from './ingest-workflow.js';
import type { WorkflowDefinition } from './workflow-definition.js';

/** Both workflows, for the renderer and the harness. */
export const WORKFLOWS: readonly WorkflowDefinition[] = [INGEST_WORKFLOW, CONSUME_WORKFLOW];
