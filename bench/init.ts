/**
 * INIT in milliseconds, timed inside the process: a fresh Node process takes `performance.now()` around
 * `await import(bundle)` and prints the difference, so Node's own start (the same for every function) is
 * left out and what remains is what the function's code costs at INIT (loading the bundle, building its
 * container, constructing its clients). Each deployed bundle (the settings of `terraform/bundle.ts`) is
 * paired with a bare handler that constructs, at module scope and with the project's client factories and
 * client configuration, **the same SDK clients that function's composition binds** and nothing else (no
 * inversify, no class-validator, no Powertools, no application): the difference is the framework's share.
 * Function and bare run back to back, in an order that flips every round, after one uncounted warm-up each.
 * Nothing here asserts a time.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { ServiceId } from '../adapters/aws/client-config.js';
import { PIPELINE_FUNCTION_NAMES, type PipelineFunctionName } from '../application/workflows/pipeline-function.js';
import type { FunctionComposition } from '../handlers/composition/function-container.js';
import { BUNDLE_FILE, BUNDLE_SETTINGS, bundleHandlers } from '../terraform/bundle.js';
import { LAMBDA_ENV } from './bundles.js';
import { ratio, round, summarize, type Summary } from './stats.js';

const run = promisify(execFile);

/** The factory each service's adapters build their one client with (handlers/composition/aws-bindings/*.ts). */
const CLIENT_FACTORIES: Record<ServiceId, { module: string; factory: string }> = {
  SQS: { module: 'adapters/aws/sqs-client.ts', factory: 'createSqsClient' },
  DYNAMODB: { module: 'adapters/aws/dynamodb-client.ts', factory: 'createDynamoDbClient' },
  EVENTBRIDGE: { module: 'adapters/aws/eventbridge-client.ts', factory: 'createEventBridgeClient' },
  SFN: { module: 'adapters/aws/sfn-client.ts', factory: 'createSfnClient' },
};

export interface InitFigures {
  readonly name: PipelineFunctionName;
  /** The services (one SDK client each) the function's composition binds, and so its bare handler constructs. */
  readonly clients: readonly ServiceId[];
  readonly gzipKiB: number;
  readonly bareGzipKiB: number;
  readonly initMs: Summary;
  readonly bareInitMs: Summary;
  /** Median of the function's import over its bare handler's. */
  readonly vsBare: number;
  /** Median over the rounds of (function − bare), each pair timed back to back: the framework's share in ms. */
  readonly frameworkMs: number;
}

export interface InitReport {
  readonly node: string;
  readonly rounds: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly functions: readonly InitFigures[];
}

/** The services of every function's composition, read from its composition module. */
export async function composedServices(): Promise<Record<PipelineFunctionName, ServiceId[]>> {
  const entries = await Promise.all(
    PIPELINE_FUNCTION_NAMES.map(async (name) => {
      const module = (await import(`../handlers/composition/functions/${name}.js`)) as Record<string, unknown>;
      const composition = Object.values(module).find(
        (value): value is FunctionComposition => typeof value === 'object' && value !== null && 'services' in value && 'useCases' in value,
      );
      if (composition === undefined) throw new Error(`handlers/composition/functions/${name}.ts exports no FunctionComposition`);
      return [name, composition.services.map((service) => service.service)] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<PipelineFunctionName, ServiceId[]>;
}

/** The source of a bare handler that constructs exactly these clients, as the functions do (client factories, client configuration). */
export function bareHandlerSource(services: readonly ServiceId[]): string {
  const root = resolve('.');
  const imports = services.map(
    (service) => `import { ${CLIENT_FACTORIES[service].factory} } from ${JSON.stringify(join(root, CLIENT_FACTORIES[service].module))};`,
  );
  const lines = [
    ...(services.length > 0 ? [`import { clientConfig } from ${JSON.stringify(join(root, 'adapters/aws/client-config.ts'))};`] : []),
    ...imports,
    ...(services.length > 0 ? ['const configFor = clientConfig();'] : []),
    `const clients = [${services.map((service) => `${CLIENT_FACTORIES[service].factory}(configFor(${JSON.stringify(service)}))`).join(', ')}];`,
    'export const handler = async () => ({ clients: clients.length });',
  ];
  return `${lines.join('\n')}\n`;
}

/** Bundles every function and one bare handler per distinct set of clients, with the deployed settings. */
export async function buildInitSubjects(
  outDir: string,
): Promise<{ name: PipelineFunctionName; clients: ServiceId[]; file: string; bareFile: string }[]> {
  const built = await bundleHandlers(join(outDir, 'plain'), { sourceMaps: false });
  const services = await composedServices();
  const bareFiles = new Map<string, string>();
  for (const clients of Object.values(services)) {
    const key = clients.length === 0 ? 'none' : [...clients].sort().join('+').toLowerCase();
    if (bareFiles.has(key)) continue;
    const entry = join(outDir, 'bare', `${key}.ts`);
    mkdirSync(join(outDir, 'bare'), { recursive: true });
    writeFileSync(entry, bareHandlerSource([...clients].sort()));
    const outfile = join(outDir, 'bare', key, BUNDLE_FILE);
    await build({ ...BUNDLE_SETTINGS, sourcemap: false, entryPoints: [entry], outfile });
    bareFiles.set(key, outfile);
  }
  return built.map((bundle) => {
    const clients = services[bundle.name];
    const key = clients.length === 0 ? 'none' : [...clients].sort().join('+').toLowerCase();
    return { name: bundle.name, clients, file: join(bundle.directory, BUNDLE_FILE), bareFile: bareFiles.get(key)! };
  });
}

/** Milliseconds from just before `await import(file)` to just after it, inside a fresh process of `node`. */
export async function timeImportInProcess(file: string, node: string = process.execPath): Promise<number> {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - started));`;
  const { stdout } = await run(node, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV } });
  const ms = Number(stdout.trim().split('\n').pop());
  if (!Number.isFinite(ms)) throw new Error(`importing ${file} printed no time: ${stdout}`);
  return ms;
}

/** Every function against its same-clients bare handler, `rounds` interleaved rounds. */
export async function measureInit(outDir: string, rounds: number): Promise<InitReport> {
  const subjects = await buildInitSubjects(outDir);
  for (const subject of subjects) {
    await timeImportInProcess(subject.file);
    await timeImportInProcess(subject.bareFile);
  }
  const samples = new Map(subjects.map((subject) => [subject.name, { own: [] as number[], bare: [] as number[] }]));
  const loadBefore = loadavg().map((value) => round(value, 2));
  for (let index = 0; index < rounds; index += 1) {
    for (const subject of index % 2 === 0 ? subjects : [...subjects].reverse()) {
      const sample = samples.get(subject.name)!;
      if (index % 2 === 0) {
        sample.own.push(await timeImportInProcess(subject.file));
        sample.bare.push(await timeImportInProcess(subject.bareFile));
      } else {
        sample.bare.push(await timeImportInProcess(subject.bareFile));
        sample.own.push(await timeImportInProcess(subject.file));
      }
    }
  }
  const loadAfter = loadavg().map((value) => round(value, 2));
  const gzipKiB = (file: string): number => round(gzipSync(readFileSync(file), { level: 9 }).length / 1024, 1);
  const functions = subjects.map(({ name, clients, file, bareFile }) => {
    const { own, bare } = samples.get(name)!;
    const initMs = summarize(own);
    const bareInitMs = summarize(bare);
    return {
      name,
      clients,
      gzipKiB: gzipKiB(file),
      bareGzipKiB: gzipKiB(bareFile),
      initMs,
      bareInitMs,
      vsBare: ratio(initMs.median, bareInitMs.median),
      frameworkMs: summarize(own.map((ms, at) => ms - bare[at]!)).median,
    };
  });
  return { node: process.version, rounds, loadBefore, loadAfter, functions };
}

export function printInit(report: InitReport): void {
  console.log(
    `INIT in process (performance.now() around await import(bundle)), ${report.rounds} interleaved rounds, ${report.node}; load average (1, 5, 15 min) before ${report.loadBefore.join(' ')}, after ${report.loadAfter.join(' ')}`,
  );
  console.log(
    'function             clients                  gzip KiB (bare)   INIT ms (± spread)   bare ms (± spread)   / bare   framework ms',
  );
  for (const figure of report.functions) {
    const clients = figure.clients.length === 0 ? '(none)' : figure.clients.join('+');
    console.log(
      `${figure.name.padEnd(20)} ${clients.padEnd(24)} ${figure.gzipKiB.toFixed(0).padStart(8)} (${figure.bareGzipKiB.toFixed(0).padStart(3)})  ${figure.initMs.median.toFixed(1).padStart(7)} (± ${(figure.initMs.spread * 100).toFixed(0).padStart(3)} %)   ${figure.bareInitMs.median.toFixed(1).padStart(7)} (± ${(figure.bareInitMs.spread * 100).toFixed(0).padStart(3)} %)  ${figure.vsBare.toFixed(2).padStart(6)}   ${figure.frameworkMs.toFixed(1).padStart(8)}`,
    );
  }
}

if (process.argv[1]?.endsWith('init.ts')) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const outDir = mkdtempSync(join(tmpdir(), 'orders-init-'));
  try {
    const rounds = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.split('=')[1] ?? 15);
    const report = await measureInit(outDir, rounds);
    printInit(report);
    console.log(JSON.stringify(report));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
