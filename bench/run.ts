/**
 * `npm run bench` (`-- --quick` in CI): the seed's load test, as ratios of medians over interleaved runs.
 *  1. every function's bundle (raw, gzip) and INIT (a fresh process importing the bundle, which builds its
 *     container) against the composed worker and a bare handler that only constructs the SDK clients;
 *  2. the composed worker's throughput and CPU per message on the memory backend against a loop that only
 *     parses, validates and acknowledges the same messages.
 * Never part of `npm test`: nothing here asserts a time. The last line is one JSON object.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleRatios, measureBundles } from './bundles.js';
import { measureMemoryWorker } from './memory-worker.js';

const quick = process.argv.includes('--quick');
const settings = quick ? { initRounds: 3, messages: 200, workerRounds: 3 } : { initRounds: 11, messages: 2_000, workerRounds: 7 };

async function main(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'orders-bench-'));
  try {
    const bundles = await measureBundles(outDir, settings.initRounds);
    console.log('function      raw KiB  gzip KiB  INIT ms (median ± spread)');
    for (const figure of bundles) {
      console.log(`${figure.name.padEnd(12)} ${(figure.rawBytes / 1024).toFixed(0).padStart(8)} ${(figure.gzipBytes / 1024).toFixed(0).padStart(9)}  ${figure.init.median.toFixed(0).padStart(6)} ± ${(figure.init.spread * 100).toFixed(0)} %`);
    }
    const ratios = bundleRatios(bundles);
    console.table(ratios);
    const memory = await measureMemoryWorker(settings.messages, settings.workerRounds);
    console.log(`memory worker: ${memory.worker.messagesPerSecond.median} msgs/s, ${memory.worker.cpuMicrosPerMessage.median} µs CPU/msg; parse-validate-ack: ${memory.baseline.messagesPerSecond.median} msgs/s; ratio ${memory.workerVsBaseline}`);
    console.log(JSON.stringify({ mode: quick ? 'quick' : 'full', settings, bundles, ratios, memoryWorker: memory }));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
