import { IngestOrderByWorkflow } from '../../../application/use-cases/ingest-order-by-workflow.js';
import { SFN_ADAPTERS } from '../aws-bindings/sfn.js';
import type { FunctionComposition } from '../function-container.js';

/** orchestrated-ingest: the edge of the orchestrated topology, which only starts the ingest workflow (Step Functions). */
export const orchestratedIngestComposition: FunctionComposition = {
  services: [SFN_ADAPTERS],
  useCases: [IngestOrderByWorkflow],
};
