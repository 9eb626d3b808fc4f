import { Testing } from '../support/cdktf-testing.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PIPELINE_FUNCTION_NAMES, type PipelineFunctionName } from '../../application/workflows/pipeline-function.js';
import { BUNDLE_FILE } from '../../terraform/bundle.js';
import { OrdersStack } from '../../terraform/orders-stack.js';
import { STAGES, type StageConfig } from '../../terraform/stage-config.js';

/** What the specs read from a synthesized stack: Terraform JSON, plus lookups by resource type and name. */
export interface Synthesized {
  readonly config: StageConfig;
  readonly json: string;
  readonly stack: OrdersStack;
  resources(type: string): Record<string, Record<string, unknown>>;
  /** The logical id of the one resource of `type` whose `field` equals `value`. */
  idWhere(type: string, field: string, value: unknown): string;
  /** A Terraform reference, as cdktf writes it into the JSON. */
  ref(type: string, id: string, attribute: string): string;
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

let dummyCode: Record<PipelineFunctionName, string> | undefined;

/** One folder per function holding a stand-in bundle, so the stack synthesizes without building. */
export function dummyBundles(): Record<PipelineFunctionName, string> {
  if (dummyCode === undefined) {
    const root = mkdtempSync(join(tmpdir(), 'orders-bundles-'));
    const code: Partial<Record<PipelineFunctionName, string>> = {};
    for (const name of PIPELINE_FUNCTION_NAMES) {
      const directory = join(root, name);
      mkdirSync(directory);
      writeFileSync(join(directory, BUNDLE_FILE), `export const handler = async () => ({ fn: '${name}' });\n`);
      code[name] = directory;
    }
    dummyCode = code as Record<PipelineFunctionName, string>;
  }
  return dummyCode;
}

export function stage(name: 'dev' | 'prod' | 'sandbox'): StageConfig {
  const config = STAGES[name];
  if (config === undefined) throw new Error(`no stage ${name}`);
  return config;
}

/** dev after the last migration step: phase 4 in `both`, then `orchestrated` keeping the orchestrated queue until it has drained. */
export function drainingStage(): StageConfig {
  return { ...stage('dev'), topology: 'orchestrated', migration: { phase: 4, drainOrchestratedQueue: true } };
}

/** The same stage one deploy earlier, still running both topologies at phase 4. */
export function lastBothStage(): StageConfig {
  return { ...stage('dev'), topology: 'both', migration: { phase: 4 } };
}

/** A describe title naming the stage's topology, and the drain when it has one. */
export function stageTitle(config: StageConfig): string {
  return `Stage: ${config.stage} (${config.topology}${config.migration.drainOrchestratedQueue === true ? ', draining the orchestrated queue' : ''})`;
}

/** Every stage shape the stack can take: dev (both topologies), prod (composed), dev composed, dev orchestrated, and the drain. */
export function everyVariant(): Synthesized[] {
  return [
    synthesize(stage('dev')),
    synthesize(stage('prod')),
    synthesize({ ...stage('dev'), topology: 'composed' }),
    synthesize({ ...stage('dev'), topology: 'orchestrated' }),
    synthesize(drainingStage()),
  ];
}

const cache = new Map<string, Synthesized>();

/** Synthesizes `config` once per distinct configuration (synthesis is the slow part of these specs). */
export function synthesize(config: StageConfig): Synthesized {
  const key = JSON.stringify(config);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const app = Testing.app();
  const stack = new OrdersStack(app, `orders-${config.stage}`, { config, code: dummyBundles() });
  const json = Testing.synth(stack);
  const parsed = JSON.parse(json) as { resource: Resources };
  const synthesized: Synthesized = {
    config,
    json,
    stack,
    resources: (type) => parsed.resource[type] ?? {},
    idWhere(type, field, value) {
      const ids = Object.entries(parsed.resource[type] ?? {})
        .filter(([, props]) => props[field] === value)
        .map(([id]) => id);
      if (ids.length !== 1) throw new Error(`expected one ${type} with ${field} = ${String(value)}, found ${ids.length}`);
      return ids[0] as string;
    },
    ref: (type, id, attribute) => `\${${type}.${id}.${attribute}}`,
  };
  cache.set(key, synthesized);
  return synthesized;
}

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export function statementsOf(policy: unknown): PolicyStatementJson[] {
  if (typeof policy !== 'string') throw new Error('policy is not a JSON string');
  const document = JSON.parse(policy) as { Statement: PolicyStatementJson[] };
  return document.Statement;
}

export function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** The `aws_lambda_function` logical id of a pipeline function. */
export function functionId(synthesized: Synthesized, name: PipelineFunctionName): string {
  return synthesized.idWhere('aws_lambda_function', 'function_name', `${synthesized.config.namePrefix}-${name}`);
}

/** The `aws_lambda_alias` logical id of a pipeline function's `live` alias. */
export function aliasId(synthesized: Synthesized, name: PipelineFunctionName): string {
  return synthesized.idWhere(
    'aws_lambda_alias',
    'function_name',
    synthesized.ref('aws_lambda_function', functionId(synthesized, name), 'function_name'),
  );
}

/** The inline policy statements of the role a resource's `role` reference points at. */
export function roleStatements(synthesized: Synthesized, roleReference: string): PolicyStatementJson[] {
  const roleId = /^\$\{aws_iam_role\.([^.]+)\.(arn|id)\}$/.exec(roleReference)?.[1];
  if (roleId === undefined) throw new Error(`not a role reference: ${roleReference}`);
  const policies = Object.values(synthesized.resources('aws_iam_role_policy')).filter(
    (policy) => policy.role === synthesized.ref('aws_iam_role', roleId, 'id'),
  );
  return policies.flatMap((policy) => statementsOf(policy.policy));
}
