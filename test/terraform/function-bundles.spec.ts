import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUNDLE_FILE, bundleHandlers, type BundleResult } from '../../terraform/bundle.js';
import type { PipelineFunctionName } from '../../application/workflows/pipeline-function.js';

const ARTIFACTS = resolve('test-artifacts');

/** The AWS SDK clients each deployed function calls: its bundle carries exactly these. */
const CLIENTS: Record<PipelineFunctionName, readonly string[]> = {
  validate: [],
  // The edge carries no EventBridge client: OrderPublished is committed by the worker's claim.
  publish: ['client-dynamodb', 'client-sqs'],
  idempotency: ['client-dynamodb'],
  processor: ['client-dynamodb'],
  'outbox-relay': ['client-dynamodb', 'client-eventbridge'],
  redrive: ['client-dynamodb', 'client-eventbridge', 'client-sqs'],
  ingest: ['client-dynamodb', 'client-sqs'],
  worker: ['client-dynamodb', 'client-sqs'],
  status: ['client-dynamodb'],
  // The orchestrated edge only starts the ingest workflow: the steps it runs call the other services.
  'orchestrated-ingest': ['client-sfn'],
};

/**
 * The use-case files in each bundle. process-order reads the order rules through validate-order's
 * `orderRulesFrom`, and orchestrated-steps holds both orchestrated steps (ProcessClaimedOrder uses
 * ProcessOrder), so those files come along; the classes are not bound (see function-container.spec).
 */
const WITH_PROCESSING = ['process-order', 'validate-order'];
const USE_CASE_FILES: Record<PipelineFunctionName, readonly string[]> = {
  validate: ['validate-order'],
  publish: ['publish-order'],
  idempotency: ['claim-idempotency', 'orchestrated-steps', ...WITH_PROCESSING],
  processor: ['orchestrated-steps', ...WITH_PROCESSING],
  'outbox-relay': ['publish-order-events', 'relay-outbox-events'],
  redrive: [
    ...WITH_PROCESSING,
    'publish-order-events',
    'redeliver-outbox',
    'redrive-dead-letters',
    'relay-outbox-events',
    'replay-parked-orders',
    'resolve-stranded-reservations',
  ],
  ingest: ['ingest-order', 'publish-order', 'validate-order'],
  // batch-records: the worker's record types and helpers, beside its use case.
  worker: ['batch-records', 'claim-idempotency', ...WITH_PROCESSING, 'work-order-batch'],
  status: ['look-up-order'],
  'orchestrated-ingest': ['ingest-order-by-workflow'],
};

function clientsIn(bundle: BundleResult): string[] {
  const clients = bundle.inputs.flatMap((path) => /node_modules\/@aws-sdk\/(client-[^/]+)\//.exec(path)?.[1] ?? []);
  return [...new Set(clients)].sort();
}

/** The node built-ins a bundle imports statically, so loads at INIT (an `import()` waits for its first use). */
function staticBuiltinsIn(bundle: BundleResult): string[] {
  const code = readFileSync(join(bundle.directory, BUNDLE_FILE), 'utf8');
  return [...new Set([...code.matchAll(/from\s*"(node:[a-z_/]+)"/g)].map((match) => match[1]!))].sort();
}

function useCasesIn(bundle: BundleResult): string[] {
  return bundle.inputs.flatMap((path) => /^application\/use-cases\/([^/]+)\.ts$/.exec(path)?.[1] ?? []).sort();
}

describe('Deployed bundles: each function carries only what it uses', function () {
  this.timeout(120_000);
  let root: string;
  let bundles: BundleResult[];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    root = mkdtempSync(join(ARTIFACTS, 'functions-'));
    bundles = await bundleHandlers(root, { sourceMaps: false });
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('puts no in-memory fake, no harness (nor its whole-pipeline composition), no test or development tool in any bundle', () => {
    for (const bundle of bundles) {
      const local = bundle.inputs.filter((path) => /^(adapters\/memory|harness|tools|test|bench|chaos)\//.test(path));
      expect(local, bundle.name).to.deep.equal([]);
    }
  });

  it('bundles the SDK client of each service the function calls, and no other', () => {
    for (const bundle of bundles) expect(clientsIn(bundle), bundle.name).to.deep.equal(CLIENTS[bundle.name]);
  });

  it('bundles the use cases the function resolves, and no other', () => {
    for (const bundle of bundles) expect(useCasesIn(bundle), bundle.name).to.deep.equal([...USE_CASE_FILES[bundle.name]].sort());
  });

  it('loads node:http at INIT in no function (the SDK imports it on the first http call), and no network module at all in a function without a client', () => {
    for (const bundle of bundles) {
      expect(staticBuiltinsIn(bundle), bundle.name).not.to.include('node:http');
      if (CLIENTS[bundle.name].length === 0)
        expect(
          staticBuiltinsIn(bundle).filter((name) => /^node:(https?|net|tls)$/.test(name)),
          bundle.name,
        ).to.deep.equal([]);
    }
  });
});
