/**
 * `npm run bench:runtimes`: INIT of every deployed function bundle on Node 22 against Node 24, the two
 * Lambda runtimes (nodejs22.x, nodejs24.x) as far as a local run can stand for them: the same bundles
 * (terraform/bundle.ts), each imported by a fresh process of either Node (bench/bundles.ts: timeImport),
 * interleaved A B A B (the order of the two flips every round, so drift in the machine's load hits both).
 * The two Node binaries come from the npm registry (`node@22`, `node@24`) into .tools/, once.
 * Prints per function the median and spread of each, their ratio, and the load average before and after.
 * Nothing here asserts a time. The last line is one JSON object.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FILE, bundleHandlers } from '../terraform/bundle.js';
import { timeImport } from './bundles.js';
import { ratio, summarize, type Summary } from './stats.js';

const RUNTIMES = ['22', '24'] as const;
const rounds = Number(process.argv.find((arg) => arg.startsWith('--rounds='))?.split('=')[1] ?? 15);

/** The Node binary of a major version from the npm registry's `node` package, installed into .tools/ on first use. */
function nodeBinary(major: string): string {
  const prefix = join('.tools', `node${major}`);
  const binary = join(prefix, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(binary)) {
    console.log(`bench:runtimes: node@${major} from the npm registry into ${prefix}`);
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, `node@${major}`], {
      stdio: 'inherit',
    });
  }
  return binary;
}

function load(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const nodes = Object.fromEntries(RUNTIMES.map((major) => [major, nodeBinary(major)])) as Record<(typeof RUNTIMES)[number], string>;
  const versions = Object.fromEntries(
    RUNTIMES.map((major) => [major, execFileSync(nodes[major], ['--version'], { encoding: 'utf8' }).trim()]),
  );
  const outDir = mkdtempSync(join(tmpdir(), 'orders-runtimes-'));
  try {
    const built = await bundleHandlers(outDir, { sourceMaps: false });
    // `empty`: a module that does nothing, so that the runtime's own start shows apart from the bundles'.
    const empty = join(outDir, 'empty.mjs');
    writeFileSync(empty, 'export {};\n');
    const files = [
      { name: 'empty (node alone)', file: empty },
      ...built.map((bundle) => ({ name: String(bundle.name), file: join(bundle.directory, BUNDLE_FILE) })),
    ];
    const samples = new Map<string, number[]>(
      files.flatMap(({ name }) => RUNTIMES.map((major) => [`${name}@${major}`, []] as [string, number[]])),
    );
    // One warm-up import each, not counted: the first read of a bundle or a binary from disk is not INIT.
    for (const { file } of files) for (const major of RUNTIMES) await timeImport(file, nodes[major]);
    const loadBefore = load();
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? RUNTIMES : [...RUNTIMES].reverse();
      for (const { name, file } of files)
        for (const major of order) samples.get(`${name}@${major}`)!.push(await timeImport(file, nodes[major]));
    }
    const loadAfter = load();
    const results = files.map(({ name }) => {
      const [on22, on24] = RUNTIMES.map((major) => summarize(samples.get(`${name}@${major}`)!)) as [Summary, Summary];
      return { name, node22: on22, node24: on24, node24VsNode22: ratio(on24.median, on22.median) };
    });
    console.log(
      `INIT (fresh process importing the bundle), ${rounds} interleaved rounds; ${versions['22']} vs ${versions['24']}; load average (1, 5, 15 min) before ${loadBefore}, after ${loadAfter}`,
    );
    console.log('function              node 22 ms (± spread)   node 24 ms (± spread)   24 / 22');
    for (const { name, node22, node24, node24VsNode22 } of results) {
      console.log(
        `${name.padEnd(20)}  ${node22.median.toFixed(1).padStart(8)} (± ${(node22.spread * 100).toFixed(0).padStart(3)} %)   ${node24.median.toFixed(1).padStart(8)} (± ${(node24.spread * 100).toFixed(0).padStart(3)} %)   ${node24VsNode22.toFixed(3)}`,
      );
    }
    const medianRatio = summarize(results.filter((result) => result.name !== files[0]!.name).map((result) => result.node24VsNode22)).median;
    // Paired: each function's two imports of one round ran back to back, so their ratio shares the machine's load of that moment.
    const pairs = files
      .slice(1)
      .flatMap(({ name }) => samples.get(`${name}@22`)!.map((on22, round) => samples.get(`${name}@24`)![round]! / on22))
      .sort((a, b) => a - b);
    const quartile = (q: number): number => pairs[Math.min(pairs.length - 1, Math.floor(q * pairs.length))]!;
    const paired = { median: ratio(quartile(0.5), 1), q1: ratio(quartile(0.25), 1), q3: ratio(quartile(0.75), 1), pairs: pairs.length };
    console.log(
      `median over the functions of (node 24 / node 22): ${medianRatio}; paired ratios (same round, back to back): median ${paired.median}, quartiles ${paired.q1}–${paired.q3} over ${paired.pairs} pairs`,
    );
    console.log(JSON.stringify({ rounds, versions, loadBefore, loadAfter, results, medianRatio, paired }));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
