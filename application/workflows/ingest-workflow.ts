import { catchNonRetryable, INVOCATION_RETRY } from './step-policies.js';
import type { WorkflowDefinition } from './workflow-definition.js';

/**
 * Orchestrated ingest, reached by the HTTP API: validate the request body, then publish the order to
 * the order queue. A rejected order fails the execution with the caught error, which the caller sees.
 */
export const INGEST_WORKFLOW: WorkflowDefinition = {
  name: 'ingest',
  comment: 'Validate an order, then publish it to the order queue',
  input: { kind: 'request-body', key: 'request' },
  startAt: 'ValidateOrder',
  steps: {
    ValidateOrder: {
      type: 'task',
      function: 'validate',
      resultKey: 'validated',
      next: 'PublishOrder',
      retry: [INVOCATION_RETRY],
      catch: [catchNonRetryable('Rejected')],
    },
    PublishOrder: {
      type: 'task',
      function: 'publish',
      resultKey: 'published',
      next: 'Accepted',
      retry: [INVOCATION_RETRY],
      catch: [catchNonRetryable('Rejected')],
    },
    Accepted: { type: 'succeed', comment: 'The order is on the order queue' },
    Rejected: { type: 'fail', error: { source: 'caught' } },
  },
};
