/**
 * INIT in milliseconds, timed inside the process: a fresh Node process takes `performance.now()` around
 * `await import(bundle)` and prints the difference, so Node's own start (the same for every function) is
 * left out and what remains is what the function's code costs at INIT (loading the bundle, building its
 * container, constructing its clients). Each deployed bundle (the settings of `terraform/bundle.ts`) is
 * paired with a bare handler that constructs, at module scope and with the project's client factories and
 * client configuration, **the same SDK clients that function's composition binds** and nothing else (no
 * inversify, no class-validator, no Powertools, no application): the difference is the framework's share.
 * Function and bare run back to back, in an order that flips every round, after one uncounted warm-up each.
 * A third handler, the **kept stack's floor**, is the bare handler plus the least the chosen stack costs at
 * INIT (reflect-metadata, an inversify container with one module and one injectable, one class-validator
 * DTO with a class-transformer `@Type`), timed in the same rounds: what no function that keeps that stack
 * can go below. Nothing here asserts a time.
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
  /** The bare handler with the kept stack's least (see above), timed in the same rounds. */
  readonly stackFloorInitMs: Summary;
  /** Median of the function's import over its bare handler's. */
  readonly vsBare: number;
  /** Median of the kept stack's floor over the bare handler's: no function that keeps the stack goes below it. */
  readonly stackFloorVsBare: number;
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

/**
 * The bare handler with the least the kept stack costs at INIT, used the way the functions use it:
 * reflect-metadata, an inversify container loaded with one module binding a constant and one injectable
 * (constructor `@inject`), one DTO with class-validator decorators and a class-transformer `@Type`.
 */
export function stackFloorSource(services: readonly ServiceId[]): string {
  const stack = [
    "import 'reflect-metadata';",
    "import { Container, ContainerModule, inject, injectable } from 'inversify';",
    "import { Type, plainToInstance } from 'class-transformer';",
    "import { IsInt, IsString, Length, Min, ValidateNested, validateSync } from 'class-validator';",
    'class Line { @IsString() @Length(1, 64) sku!: string; @IsInt() @Min(1) quantity!: number; }',
    'class Request { @IsString() id!: string; @ValidateNested({ each: true }) @Type(() => Line) lines!: Line[]; }',
    "const DEPENDENCY = Symbol.for('Dependency');",
    '@injectable() class UseCase { constructor(@inject(DEPENDENCY) readonly dependency: object) {} }',
    'const container = new Container();',
    'container.load(new ContainerModule(({ bind }) => { bind(DEPENDENCY).toConstantValue({}); bind(UseCase).toSelf().inSingletonScope(); }));',
    'export const stack = [container, Request, plainToInstance, validateSync];',
  ];
  return `${stack.join('\n')}\n${bareHandlerSource(services)}`;
}

/** Bundles every function and one bare handler per distinct set of clients, with the deployed settings. */
export async function buildInitSubjects(
  outDir: string,
): Promise<{ name: PipelineFunctionName; clients: ServiceId[]; file: string; bareFile: string; floorFile: string }[]> {
  const built = await bundleHandlers(join(outDir, 'plain'), { sourceMaps: false });
  const services = await composedServices();
  const bareFiles = new Map<string, { bare: string; floor: string }>();
  const bundle = async (folder: string, key: string, source: string): Promise<string> => {
    mkdirSync(join(outDir, folder), { recursive: true });
    const entry = join(outDir, folder, `${key}.ts`);
    writeFileSync(entry, source);
    const outfile = join(outDir, folder, key, BUNDLE_FILE);
    // The project's decorators and packages (the temporary folder has neither its tsconfig nor its node_modules above it).
    await build({
      ...BUNDLE_SETTINGS,
      sourcemap: false,
      entryPoints: [entry],
      outfile,
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
      nodePaths: [resolve('node_modules')],
    });
    return outfile;
  };
  for (const clients of Object.values(services)) {
    const key = clients.length === 0 ? 'none' : [...clients].sort().join('+').toLowerCase();
    if (bareFiles.has(key)) continue;
    const sorted = [...clients].sort();
    bareFiles.set(key, {
      bare: await bundle('bare', key, bareHandlerSource(sorted)),
      floor: await bundle('floor', key, stackFloorSource(sorted)),
    });
  }
  return built.map((bundle) => {
    const clients = services[bundle.name];
    const key = clients.length === 0 ? 'none' : [...clients].sort().join('+').toLowerCase();
    const { bare, floor } = bareFiles.get(key)!;
    return { name: bundle.name, clients, file: join(bundle.directory, BUNDLE_FILE), bareFile: bare, floorFile: floor };
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
    await timeImportInProcess(subject.floorFile);
  }
  const samples = new Map(subjects.map((subject) => [subject.name, { own: [] as number[], bare: [] as number[], floor: [] as number[] }]));
  const loadBefore = loadavg().map((value) => round(value, 2));
  for (let index = 0; index < rounds; index += 1) {
    for (const subject of index % 2 === 0 ? subjects : [...subjects].reverse()) {
      const sample = samples.get(subject.name)!;
      if (index % 2 === 0) {
        sample.own.push(await timeImportInProcess(subject.file));
        sample.bare.push(await timeImportInProcess(subject.bareFile));
        sample.floor.push(await timeImportInProcess(subject.floorFile));
      } else {
        sample.floor.push(await timeImportInProcess(subject.floorFile));
        sample.bare.push(await timeImportInProcess(subject.bareFile));
        sample.own.push(await timeImportInProcess(subject.file));
      }
    }
  }
  const loadAfter = loadavg().map((value) => round(value, 2));
  const gzipKiB = (file: string): number => round(gzipSync(readFileSync(file), { level: 9 }).length / 1024, 1);
  const functions = subjects.map(({ name, clients, file, bareFile }) => {
    const { own, bare, floor } = samples.get(name)!;
    const initMs = summarize(own);
    const bareInitMs = summarize(bare);
    const stackFloorInitMs = summarize(floor);
    return {
      name,
      clients,
      gzipKiB: gzipKiB(file),
      bareGzipKiB: gzipKiB(bareFile),
      initMs,
      bareInitMs,
      stackFloorInitMs,
      vsBare: ratio(initMs.median, bareInitMs.median),
      stackFloorVsBare: ratio(stackFloorInitMs.median, bareInitMs.median),
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
    'function             clients                  gzip KiB (bare)   INIT ms (± spread)   bare ms (± spread)   / bare   framework ms   kept-stack floor ms (/ bare)',
  );
  for (const figure of report.functions) {
    const clients = figure.clients.length === 0 ? '(none)' : figure.clients.join('+');
    console.log(
      `${figure.name.padEnd(20)} ${clients.padEnd(24)} ${figure.gzipKiB.toFixed(0).padStart(8)} (${figure.bareGzipKiB.toFixed(0).padStart(3)})  ${figure.initMs.median.toFixed(1).padStart(7)} (± ${(figure.initMs.spread * 100).toFixed(0).padStart(3)} %)   ${figure.bareInitMs.median.toFixed(1).padStart(7)} (± ${(figure.bareInitMs.spread * 100).toFixed(0).padStart(3)} %)  ${figure.vsBare.toFixed(2).padStart(6)}   ${figure.frameworkMs.toFixed(1).padStart(8)}   ${figure.stackFloorInitMs.median.toFixed(1).padStart(7)} (${figure.stackFloorVsBare.toFixed(2)})`,
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
