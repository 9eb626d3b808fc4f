/**
 * What weighs most in a deployed bundle, from esbuild's metafile: `tsx bench/bundle-weights.ts <function|bare> [file filter]`.
 * Without a filter: bytes in the output per package (or source folder) and the gzip size; with one: per file.
 */
import { build, type Plugin } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { BUNDLE_SETTINGS } from '../terraform/bundle.js';

export async function weigh(name: string, filter: string | undefined, plugins: Plugin[] = BUNDLE_SETTINGS.plugins ?? []): Promise<void> {
  const entry = name === 'bare' ? 'bench/peers/bare-sdk-handler.ts' : `handlers/${name}.ts`;
  const built = await build({
    ...BUNDLE_SETTINGS,
    plugins,
    sourcemap: false,
    entryPoints: [entry],
    write: false,
    outfile: `out/${name}.mjs`,
  });
  const output = Object.values(built.metafile!.outputs)[0]!;
  const code = built.outputFiles[0]!.contents;
  console.log(
    `== ${name}: raw ${(code.length / 1024).toFixed(0)} KiB, gzip ${(gzipSync(code, { level: 9 }).length / 1024).toFixed(1)} KiB`,
  );
  const weights = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (filter !== undefined && !path.includes(filter)) continue;
    const key =
      filter !== undefined ? path : (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split('/').slice(0, 2).join('/'));
    weights.set(key, (weights.get(key) ?? 0) + bytesInOutput);
  }
  for (const [key, bytes] of [...weights].sort((a, b) => b[1] - a[1]).slice(0, 40))
    console.log(`${(bytes / 1024).toFixed(1).padStart(7)} KiB  ${key}`);
}

if (process.argv[1]?.endsWith('bundle-weights.ts')) await weigh(process.argv[2] ?? 'worker', process.argv[3]);
