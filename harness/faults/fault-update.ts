import { SERVICE_NAMES } from '../../application/config/breaker-defaults.js';
import { parseDuration } from '../cli/durations.js';
import type { FaultSettings } from './faults.js';
import { parseProbability } from '../cli/key-values.js';
import { CRASH_POINTS, FAULT_FUNCTION_NAMES } from './fault-vocabulary.js';

/**
 * Reads the body of PUT /admin/faults: `{ "faults": { "dynamodb": 0.5 }, "latency": { "sqs": "50ms" },
 * "crashAfter": { "process": 0.1 }, "functions": ["worker"], "operations": ["ChangeMessageVisibilityBatch"] }`.
 * Each field given replaces the current one ({} clears a map, null lets faults reach every function, or
 * every operation, again). An empty body `{}` clears every fault, as the README says.
 */
export function parseFaultUpdate(body: unknown): { readonly update: Partial<FaultSettings> } | { readonly problems: readonly string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problems: ['the body must be a JSON object'] };
  const input = body as Record<string, unknown>;
  if (Object.keys(input).length === 0)
    return { update: { failureRate: {}, latencyMs: {}, crashAfter: {}, functions: undefined, operations: undefined } };
  const problems: string[] = [];
  for (const key of Object.keys(input)) {
    if (!['faults', 'latency', 'crashAfter', 'functions', 'operations'].includes(key))
      problems.push(`unknown field "${key}" (faults, latency, crashAfter, functions, operations)`);
  }
  const failureRate = readMap(input.faults, 'faults', SERVICE_NAMES, (value) => parseProbability(String(value)), problems);
  const latencyMs = readMap(
    input.latency,
    'latency',
    SERVICE_NAMES,
    (value) => (typeof value === 'number' && value >= 0 ? value : parseDuration(String(value))),
    problems,
  );
  const crashAfter = readMap(input.crashAfter, 'crashAfter', CRASH_POINTS, (value) => parseProbability(String(value)), problems);
  const functions = input.functions;
  if (functions !== undefined && functions !== null && !(Array.isArray(functions) && functions.every((name) => typeof name === 'string'))) {
    problems.push('functions must be a list of function names, or null for all');
  } else if (Array.isArray(functions)) {
    const unknown = functions.filter((name) => !FAULT_FUNCTION_NAMES.includes(name));
    if (unknown.length > 0)
      problems.push(`functions: unknown function(s) ${unknown.join(', ')} (one of ${FAULT_FUNCTION_NAMES.join(', ')})`);
  }
  const operations = input.operations;
  if (
    operations !== undefined &&
    operations !== null &&
    !(Array.isArray(operations) && operations.every((name) => typeof name === 'string' && name !== ''))
  ) {
    problems.push('operations must be a list of API operation names, or null for all');
  }
  if (problems.length > 0) return { problems };
  return {
    update: {
      ...(failureRate === undefined ? {} : { failureRate }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(crashAfter === undefined ? {} : { crashAfter }),
      ...(functions === undefined ? {} : { functions: functions === null ? undefined : (functions as string[]) }),
      ...(operations === undefined ? {} : { operations: operations === null ? undefined : (operations as string[]) }),
    },
  };
}

function readMap<K extends string>(
  value: unknown,
  field: string,
  keys: readonly K[],
  parse: (value: unknown) => number | string,
  problems: string[],
): Partial<Record<K, number>> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${field} must be an object`);
    return undefined;
  }
  const result: Partial<Record<K, number>> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!(keys as readonly string[]).includes(key)) {
      problems.push(`${field}: unknown key "${key}" (one of ${keys.join(', ')})`);
      continue;
    }
    const parsed = parse(raw);
    if (typeof parsed === 'string') problems.push(`${field}.${key}: ${parsed}`);
    else result[key as K] = parsed;
  }
  return result;
}
