import { visibilityTimeoutSeconds } from '../domain/visibility-timeout.js';
import type { PipelineFunctionName, StepFunctionName } from '../application/workflows/pipeline-function.js';
import type { WorkflowDefinition } from '../application/workflows/workflow-definition.js';
import type { ApiRoute } from './constructs/orders-http-api.js';
import type { PipelineFunction } from './constructs/pipeline-function.js';
import { FUNCTION_ACCESS, type PipelineResource, type ResourceArns } from './function-access.js';
import type { PolicyStatement } from './iam-policy.js';
import type { StageConfig, Topology } from './stage-config.js';

/*
 * What a stage's topology decides, apart from the constructs: which functions exist, what the orchestrated
 * queue is for, the queues' visibility timeout, each function's grants, and where the API routes.
 */

/**
 * Which functions a topology deploys. validate, publish and status always exist: the API exposes them; so does
 * events, the outbox relay both topologies' committed events go through.
 */
export function functionsFor(topology: Topology): readonly PipelineFunctionName[] {
  const always: PipelineFunctionName[] = ['validate', 'publish', 'redrive', 'outbox-relay', 'status'];
  const composed: PipelineFunctionName[] = ['ingest', 'worker'];
  const orchestrated: PipelineFunctionName[] = ['idempotency', 'processor', 'orchestrated-ingest'];
  if (topology === 'composed') return [...always, ...composed];
  if (topology === 'orchestrated') return [...always, ...orchestrated];
  return [...always, ...composed, ...orchestrated];
}

/**
 * What the stage keeps the orchestrated queue for: `split` while both topologies run (the publishers send
 * the phase's share of orders to it and the pipe consumes it), `drain` after the switch to `orchestrated`
 * with `migration.drainOrchestratedQueue` (nobody sends to it; a pipe of its own empties it), or nothing
 * (there is no such queue).
 */
export function orchestratedQueueUse(config: StageConfig): 'split' | 'drain' | undefined {
  if (config.topology === 'both') return 'split';
  if (config.topology === 'orchestrated' && config.migration.drainOrchestratedQueue === true) return 'drain';
  return undefined;
}

/**
 * The visibility timeout of the order queue, and of the orchestrated queue while it exists (each is a
 * consumer's source): the domain's answer for the worker's timeout and batching window.
 */
export function orderQueueVisibilityTimeout(config: StageConfig): number {
  return visibilityTimeoutSeconds({
    functionTimeoutSeconds: config.functions.worker.timeoutSeconds,
    batchingWindowSeconds: config.worker.batchingWindowSeconds,
  }).seconds;
}

/** The reserved concurrency of each function the stage deploys. */
export function reservations(config: StageConfig): Record<string, number> {
  return Object.fromEntries(
    functionsFor(config.topology).flatMap((name) => {
      const reserved = config.functions[name].reservedConcurrency;
      return reserved === undefined ? [] : [[name, reserved]];
    }),
  );
}

export function accessStatements(name: PipelineFunctionName, arns: ResourceArns): PolicyStatement[] {
  return Object.entries(FUNCTION_ACCESS[name]).flatMap(([resource, actions]) => {
    const arn = arns[resource as PipelineResource];
    // The publishers know the orchestrated queue only while both topologies run; elsewhere its grant has nothing to name.
    if (arn === undefined) return [];
    return [{ sid: `Use${resource.charAt(0).toUpperCase()}${resource.slice(1)}`, actions: actions ?? [], resources: [arn] }];
  });
}

export function stepFunctionArns(
  definition: WorkflowDefinition,
  functions: Partial<Record<PipelineFunctionName, PipelineFunction>>,
): Partial<Record<StepFunctionName, string>> {
  const arns: Partial<Record<StepFunctionName, string>> = {};
  for (const step of Object.values(definition.steps)) {
    if (step.type === 'task') arns[step.function] = required(functions[step.function], step.function).alias.arn;
  }
  return arns;
}

/**
 * POST /orders goes to the composed ingest unless the stage is orchestrated only, where the orchestrated
 * edge (which starts the ingest workflow) answers it; with both topologies the edge answers on POST
 * /orchestrated/orders. POST /validate and POST /publish always reach their single-purpose functions.
 * Every route is a function: the one HTTP contract is code, not an integration's mapping.
 */
export function apiRoutes(topology: Topology, functions: Partial<Record<PipelineFunctionName, PipelineFunction>>): ApiRoute[] {
  const fn = (name: PipelineFunctionName): ApiRoute['target'] => ({ kind: 'function', fn: required(functions[name], name) });
  const routes: ApiRoute[] = [
    { routeKey: 'POST /orders', target: fn(topology === 'orchestrated' ? 'orchestrated-ingest' : 'ingest') },
    { routeKey: 'POST /validate', target: fn('validate') },
    { routeKey: 'POST /publish', target: fn('publish') },
    { routeKey: 'GET /orders/{idempotencyKey}', target: fn('status') },
  ];
  if (topology === 'both') routes.push({ routeKey: 'POST /orchestrated/orders', target: fn('orchestrated-ingest') });
  return routes;
}

export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not part of this topology`);
  return value;
}
