import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { BUNDLE_FILE, BUNDLE_SETTINGS, bundleHandlers } from '../terraform/bundle.js';
import { PIPELINE_FUNCTION_NAMES } from '../application/workflows/pipeline-function.js';
import { ratio, summarize, type Summary } from './stats.js';

const run = promisify(execFile);

/** What a deployed function's INIT sees: a valid configuration (nothing is called while the container is built). */
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders-bench',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  PIPELINE_BACKEND: 'aws',
  ORDER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders',
  DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders-dlq',
  OUTBOX_DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/outbox-dlq',
  IDEMPOTENCY_TABLE_NAME: 'orders-idempotency',
  EVENT_BUS_NAME: 'orders-bus',
  INGEST_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders-ingest',
  POWERTOOLS_DEV: 'false',
};

export interface BundleFigures {
  readonly name: string;
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly init: Summary;
}

/** Builds every function and the bare SDK handler with the deployed settings, then times whole-process imports, interleaved. */
export async function measureBundles(outDir: string, rounds: number): Promise<BundleFigures[]> {
  const built = await bundleHandlers(outDir, { sourceMaps: false });
  const files: { name: string; file: string }[] = built.map((bundle) => ({ name: bundle.name, file: join(bundle.directory, BUNDLE_FILE) }));
  const bareFile = join(outDir, 'bare-sdk', BUNDLE_FILE);
  await build({ ...BUNDLE_SETTINGS, sourcemap: false, entryPoints: ['bench/peers/bare-sdk-handler.ts'], outfile: bareFile });
  files.push({ name: 'bare-sdk', file: bareFile });
  const samples = new Map<string, number[]>(files.map(({ name }) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const { name, file } of round % 2 === 0 ? files : [...files].reverse()) samples.get(name)!.push(await timeImport(file));
  }
  return files.map(({ name, file }) => {
    const code = readFileSync(file);
    return { name, rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, init: summarize(samples.get(name)!) };
  });
}

/** Wall time of a fresh node process (this one's binary unless told) that imports the bundle (and so builds the function's container) and exits. */
export async function timeImport(file: string, node: string = process.execPath): Promise<number> {
  const started = process.hrtime.bigint();
  const env = { PATH: process.env.PATH ?? '', ...LAMBDA_ENV };
  await run(node, ['--input-type=module', '-e', `await import(${JSON.stringify(file)});`], { env });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Each function against the composed worker and the bare SDK handler. */
export function bundleRatios(figures: readonly BundleFigures[]): Record<string, { gzipVsWorker: number; gzipVsBare: number; initVsWorker: number; initVsBare: number }> {
  const of = (name: string): BundleFigures => figures.find((figure) => figure.name === name)!;
  const worker = of('worker');
  const bare = of('bare-sdk');
  return Object.fromEntries(PIPELINE_FUNCTION_NAMES.map((name) => {
    const figure = of(name);
    return [name, {
      gzipVsWorker: ratio(figure.gzipBytes, worker.gzipBytes),
      gzipVsBare: ratio(figure.gzipBytes, bare.gzipBytes),
      initVsWorker: ratio(figure.init.median, worker.init.median),
      initVsBare: ratio(figure.init.median, bare.init.median),
    }];
  }));
}
