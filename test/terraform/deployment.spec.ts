import { expect } from 'chai';
import { homedir, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PIPELINE_FUNCTION_NAMES, type PipelineFunctionName } from '../../application/workflows/pipeline-function.js';
import { synthesizeStages, warnAboutStages } from '../../terraform/app.js';
import { operationsWarnings } from '../../terraform/operations-config.js';
import { TERRAFORM_REQUIRED_VERSION } from '../../terraform/state-backend.js';
import { BUNDLE_FILE, bundleHandlers, handlerDirectories } from '../../terraform/bundle.js';
import { OrdersStack } from '../../terraform/orders-stack.js';
import { STAGES, type StageConfig } from '../../terraform/stage-config.js';
import { Testing } from '../support/cdktf-testing.js';
import { dummyBundles, functionId, stage, synthesize } from './synthesized-stack.js';

// Inside the project, so that the handlers' imports resolve from its node_modules.
const ARTIFACTS = resolve('test-artifacts');

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function synthesizeWith(config: StageConfig): () => void {
  return () => Testing.synth(new OrdersStack(Testing.app(), `orders-${config.stage}`, { config, code: dummyBundles() }));
}

describe('Stack: deployment', () => {
  describe('Method: state backend', () => {
    for (const name of ['dev', 'prod'] as const) {
      it(`keeps ${name}'s state in S3, encrypted and locked with Terraform's lock file, where the stage says`, () => {
        const config = stage(name);
        const { terraform } = JSON.parse(synthesize(config).json) as { terraform: { backend: Record<string, unknown> } };
        const state = config.operations.state;
        if (state.backend !== 's3') throw new Error(`${name} should keep its state in S3`);
        expect(terraform.backend).to.deep.equal({
          s3: { bucket: state.bucket, key: state.key, region: state.region, encrypt: true, use_lockfile: true },
        });
      });
    }

    it('requires Terraform 1.10 or later (use_lockfile needs it) in every stack, so that an older CLI says why at init', () => {
      for (const name of ['dev', 'prod', 'sandbox'] as const) {
        const { terraform } = JSON.parse(synthesize(stage(name)).json) as { terraform: { required_version?: string } };
        expect(terraform.required_version, name).to.equal(TERRAFORM_REQUIRED_VERSION);
      }
      expect(TERRAFORM_REQUIRED_VERSION).to.equal('>= 1.10.0');
    });

    it('keeps the throw-away stage in a local file named relative to the stack folder, never by an absolute path', () => {
      const { terraform } = JSON.parse(synthesize(stage('sandbox')).json) as { terraform: { backend: { local?: { path: string } } } };
      expect(terraform.backend.local?.path).to.equal('../../../terraform.orders-sandbox.tfstate');
    });
  });

  describe('Method: synth warnings', () => {
    it('warns, for dev and prod as shipped, that their alarm topic has no subscriber', () => {
      const printed: string[] = [];
      warnAboutStages([stage('dev'), stage('prod'), stage('sandbox')], (message) => printed.push(message));

      expect(printed).to.have.length(2);
      expect(printed[0]).to.match(/^WARNING \(synth\): stage dev: its alarm topic has no subscriber/);
      expect(printed[1]).to.match(/^WARNING \(synth\): stage prod: its alarm topic has no subscriber/);
    });

    it('says nothing once a stage has a subscriber or an existing topic, nor for a throw-away stage in a local state file', () => {
      const withEmail = { ...stage('prod').operations, notifications: { emails: ['oncall@example.com'] } };
      const withTopic = { ...stage('prod').operations, notifications: { existingTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms' } };
      expect(operationsWarnings('prod', withEmail)).to.deep.equal([]);
      expect(operationsWarnings('prod', withTopic)).to.deep.equal([]);
      expect(operationsWarnings('sandbox', stage('sandbox').operations)).to.deep.equal([]);
    });
  });

  describe('Method: concurrency', () => {
    it('refuses, at synth, reservations that leave fewer than 100 of the stated quota unreserved, naming the numbers', () => {
      const prod = stage('prod');
      expect(synthesizeWith({ ...prod, operations: { ...prod.operations, concurrencyQuota: 200 } })).to.throw(
        /reserve 121 concurrent executions \((?=[^)]*ingest 100)(?=[^)]*worker 20)(?=[^)]*redrive 1)[^)]*\) of the account's quota of 200 .*leaving 79 unreserved where Lambda needs at least 100: ask for a quota of at least 221/,
      );
    });

    it('accepts them when the quota leaves 100 unreserved, and a stage that reserves nothing under any quota', () => {
      const prod = stage('prod');
      expect(synthesizeWith({ ...prod, operations: { ...prod.operations, concurrencyQuota: 221 } })).to.not.throw();
      const dev = stage('dev');
      expect(synthesizeWith({ ...dev, operations: { ...dev.operations, concurrencyQuota: 10 } })).to.not.throw();
    });
  });

  describe('Method: source maps', () => {
    it('runs with --enable-source-maps only where the stage ships source maps (not in prod)', () => {
      for (const name of ['dev', 'prod'] as const) {
        const synthesized = synthesize(stage(name));
        for (const fn of Object.values(synthesized.resources('aws_lambda_function'))) {
          const variables = (fn.environment as { variables: Record<string, string> }).variables;
          expect(variables.NODE_OPTIONS, `${name} ${String(fn.function_name)}`).to.equal(
            stage(name).operations.sourceMaps ? '--enable-source-maps' : undefined,
          );
        }
      }
      expect(stage('prod').operations.sourceMaps).to.equal(false);
    });
  });

  describe('Method: code hash', function () {
    this.timeout(120_000);
    let root: string;
    let entries: string;
    const hashes = (code: Record<PipelineFunctionName, string>): Record<string, unknown> => {
      const synthesized = JSON.parse(Testing.synth(new OrdersStack(Testing.app(), 'orders-dev', { config: stage('dev'), code }))) as {
        resource: { aws_lambda_function: Record<string, Record<string, unknown>> };
      };
      return Object.fromEntries(
        Object.values(synthesized.resource.aws_lambda_function).map((fn) => [String(fn.function_name), fn.source_code_hash]),
      );
    };
    const build = async (): Promise<Record<PipelineFunctionName, string>> => {
      await bundleHandlers(join(root, 'dist'), { entryDirectory: entries });
      return handlerDirectories(join(root, 'dist'));
    };

    before(() => {
      mkdirSync(ARTIFACTS, { recursive: true });
      root = mkdtempSync(join(ARTIFACTS, 'code-hash-'));
      entries = join(root, 'handlers');
      mkdirSync(entries);
      for (const name of PIPELINE_FUNCTION_NAMES) {
        writeFileSync(join(entries, `${name}.ts`), `export const handler = async () => ({ fn: '${name}', version: 1 });\n`);
      }
    });

    after(() => rmSync(root, { recursive: true, force: true }));

    it("changes a function's code hash when its handler's source changes, and no other function's; an unchanged source keeps it", async () => {
      // Prepare
      const first = hashes(await build());
      // Act
      const unchanged = hashes(await build());
      writeFileSync(join(entries, 'worker.ts'), "export const handler = async () => ({ fn: 'worker', version: 2 });\n");
      const changed = hashes(await build());
      // Assess
      expect(unchanged).to.deep.equal(first);
      expect(changed['orders-dev-worker']).to.not.equal(first['orders-dev-worker']);
      expect({ ...changed, 'orders-dev-worker': undefined }).to.deep.equal({ ...first, 'orders-dev-worker': undefined });
      const synthesized = synthesize(stage('dev'));
      const fn = synthesized.resources('aws_lambda_function')[functionId(synthesized, 'worker')];
      expect(fn?.publish, 'a new hash publishes a new version').to.equal(true);
    });
  });

  describe('Function: synthesizeStages', function () {
    this.timeout(180_000);
    let root: string;

    before(() => {
      mkdirSync(ARTIFACTS, { recursive: true });
      root = mkdtempSync(join(ARTIFACTS, 'synth-'));
    });

    after(() => rmSync(root, { recursive: true, force: true }));

    it('bundles from the current source and writes no absolute path anywhere in cdktf.out', async () => {
      const outdir = join(root, 'cdktf.out');
      const warnings: string[] = [];
      await synthesizeStages({ outdir, bundleRoot: join(root, 'dist'), warn: (message) => warnings.push(message) });
      expect(warnings, 'the stages shipped without alarm subscribers are named').to.have.length(2);
      expect(readdirSync(join(outdir, 'stacks'))).to.have.members(Object.values(STAGES).map((config) => `orders-${config.stage}`));
      const forbidden = [...new Set([process.cwd(), realpathSync(process.cwd()), tmpdir(), realpathSync(tmpdir()), homedir(), root])];
      // The zips hold the bundles: their source maps are checked where they were built.
      const files = [...filesUnder(outdir).filter((file) => !file.endsWith('.zip')), ...filesUnder(join(root, 'dist'))];
      expect(files.filter((file) => file.endsWith('cdk.tf.json'))).to.have.length(Object.keys(STAGES).length);
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const path of forbidden) expect(text.includes(path), `${file} contains ${path}`).to.equal(false);
      }
      expect(filesUnder(join(root, 'dist')).some((file) => file.endsWith(`${BUNDLE_FILE}.map`))).to.equal(true);
    });
  });
});
