import { build, type BuildOptions, type Plugin } from 'esbuild';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PIPELINE_FUNCTION_NAMES, type PipelineFunctionName } from '../application/workflows/pipeline-function.js';

/** The file a bundle is written to inside its function's folder; the Lambda handler is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';

export interface BundleOptions {
  /** Folder holding `<function>.ts` entry points. */
  readonly entryDirectory?: string;
  readonly functions?: readonly PipelineFunctionName[];
  /** Write a source map beside each bundle and link it (default true); see the stage's `operations.sourceMaps`. */
  readonly sourceMaps?: boolean;
}

export interface BundleResult {
  readonly name: PipelineFunctionName;
  readonly directory: string;
  readonly bytes: number;
  /** Every source file and package file esbuild put in the bundle (the metafile's inputs, relative paths). */
  readonly inputs: readonly string[];
}

/** The deployed bundles' credential provider: the environment Lambda fills (adapters/aws/lambda-credentials.ts). */
export const LAMBDA_CREDENTIALS_MODULE = fileURLToPath(new URL('../adapters/aws/lambda-credentials.ts', import.meta.url));

/**
 * Swaps the SDK's default credential chain (`@aws-sdk/credential-provider-node`: shared ini files, SSO,
 * web identity, processes, container and instance metadata, with the STS and SSO clients they nest) for
 * the one link Lambda uses, its environment. Only the bundles get it: the tests, the harness and the
 * tools keep the whole chain.
 */
export const lambdaCredentialsPlugin: Plugin = {
  name: 'lambda-credentials',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path: LAMBDA_CREDENTIALS_MODULE }));
  },
};

/**
 * `reflect-metadata` as `reflect-metadata/lite`: the same global Reflect API without the Map/Set/WeakMap
 * polyfills every Node runtime has natively. inversify's container already imports the lite build, so the
 * handlers' own `import 'reflect-metadata'` put a second copy of the API in every bundle.
 */
export const reflectMetadataLitePlugin: Plugin = {
  name: 'reflect-metadata-lite',
  setup(build) {
    build.onResolve({ filter: /^reflect-metadata$/ }, (args) =>
      build.resolve('reflect-metadata/lite', { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer }),
    );
  },
};

/**
 * esbuild settings shared by every handler.
 *
 * - ESM (`.mjs`): inversify 8 is ESM-only and the project is ESM. Some CommonJS dependencies still call
 *   `require` for Node built-ins, which esbuild's ESM output cannot do on its own: the banner gives them
 *   a real `require`.
 * - The AWS SDK is bundled, not taken from the runtime: the versions are the ones the lockfile pins and
 *   the tests ran against (the runtime's copy changes under us), and a tree-shaken, minified bundle
 *   loads fewer files at cold start, and INIT time is billed.
 * - `keepNames`: error classes take their `name` from the class (`new.target.name`) and logs, metrics
 *   and the classifier rely on it; minification must not rename them.
 * - Credentials come from the environment only (lambdaCredentialsPlugin): what the SDK's default chain
 *   resolves to inside Lambda, without the rest of the chain (36–38 KiB of gzip per bundle).
 * - One copy of reflect-metadata, its lite build (reflectMetadataLitePlugin).
 * - Source maps without sources content, read by the runtime with `--enable-source-maps`, where the
 *   stage asks for them (`operations.sourceMaps`); otherwise neither the map nor its link is written.
 */
export const BUNDLE_SETTINGS: BuildOptions = {
  bundle: true,
  minify: true,
  keepNames: true,
  treeShaking: true,
  sourcemap: true,
  sourcesContent: false,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  legalComments: 'none',
  banner: { js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
  plugins: [lambdaCredentialsPlugin, reflectMetadataLitePlugin],
};

/** Builds each handler into `<outDir>/<function>/index.mjs` (plus its source map), starting from a clean folder. */
export async function bundleHandlers(outDir = 'dist/handlers', options: BundleOptions = {}): Promise<BundleResult[]> {
  const entryDirectory = options.entryDirectory ?? 'handlers';
  const functions = options.functions ?? PIPELINE_FUNCTION_NAMES;
  const results: BundleResult[] = [];
  for (const name of functions) {
    const directory = resolve(outDir, name);
    await rm(directory, { recursive: true, force: true });
    const outfile = join(directory, BUNDLE_FILE);
    const built = await build({
      ...BUNDLE_SETTINGS,
      sourcemap: options.sourceMaps ?? true,
      entryPoints: [join(entryDirectory, `${name}.ts`)],
      outfile,
    });
    const output = built.metafile?.outputs[Object.keys(built.metafile.outputs).find((path) => path.endsWith(BUNDLE_FILE)) ?? ''];
    results.push({ name, directory, bytes: output?.bytes ?? 0, inputs: Object.keys(output?.inputs ?? {}) });
  }
  return results;
}

/** The code folder of every function, as the stack takes them. */
export function handlerDirectories(outDir = 'dist/handlers'): Record<PipelineFunctionName, string> {
  return Object.fromEntries(PIPELINE_FUNCTION_NAMES.map((name) => [name, resolve(outDir, name)])) as Record<PipelineFunctionName, string>;
}

/** The folder of the bundles built with or without source maps (stages differ: `operations.sourceMaps`). */
export function bundleVariantDirectory(root: string, sourceMaps: boolean): string {
  return join(root, sourceMaps ? 'source-mapped' : 'plain');
}

/**
 * Bundles every handler from the current source once per source-map setting in `settings`, and gives the
 * code folders of each. The synth runs this every time, so what is deployed is what is checked out: the
 * asset hash of a folder (its files' content) is the function's `source_code_hash`, so a changed handler
 * publishes a new version and an unchanged one does not.
 */
export async function bundleForStages(
  root: string,
  settings: readonly boolean[],
): Promise<Map<boolean, Record<PipelineFunctionName, string>>> {
  const code = new Map<boolean, Record<PipelineFunctionName, string>>();
  for (const sourceMaps of new Set(settings)) {
    const directory = bundleVariantDirectory(root, sourceMaps);
    await bundleHandlers(directory, { sourceMaps });
    code.set(sourceMaps, handlerDirectories(directory));
  }
  return code;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = process.argv[2] ?? 'dist/handlers';
  for (const sourceMaps of [true, false]) {
    const outDir = bundleVariantDirectory(root, sourceMaps);
    const started = Date.now();
    const results = await bundleHandlers(outDir, { sourceMaps });
    for (const { name, bytes } of results) console.log(`${name.padEnd(12)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB`);
    console.log(`bundled ${results.length} handlers into ${outDir} in ${Date.now() - started} ms`);
  }
}
