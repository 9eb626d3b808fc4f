/**
 * `npm run bench` (`-- --quick` in CI): the seed's load test, as ratios of medians over interleaved runs.
 *  1. every function's bundle (gzip) and INIT in milliseconds, timed inside a fresh process around the
 *     bundle's import (which builds its container), against a bare handler that constructs the same SDK
 *     clients as that function and nothing else (bench/init.ts), with the load average before and after;
 *  2. the composed worker's throughput and CPU per message on the memory backend against a loop that only
 *     parses, validates and acknowledges the same messages, and on moto against a Powertools peer
 *     (bench/peers/powertools-worker.ts), same messages, same server, interleaved, with AWS calls per message.
 *  3. what an order costs per million orders (bench/cost.ts): the composed and the orchestrated topology and
 *     the Powertools peer, from counted calls and metered DynamoDB capacity, priced from bench/prices.ts;
 *  4. HTTP ingest on the harness (memory backend, 127.0.0.1) with autocannon, bounded in count and time:
 *     requests/s, p50/p99, errors, RSS, the worker's drain time; in the composed and the orchestrated
 *     topology on the same orders, interleaved, which states the seed's "25 % better throughput" and
 *     "30 % faster cold start" (a single-purpose step's INIT against the composed functions') as ratios.
 * Never part of `npm test`: nothing here asserts a time. The last line is one JSON object.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCost, printCost } from './cost.js';
import { measureInit, printInit } from './init.js';
import { measureMemoryWorker } from './memory-worker.js';
import { measureMotoWorkers } from './moto-workers.js';
import { measureTopologies } from './http-ingest.js';
import { ratio, round, summarize } from './stats.js';
import { STEP_FUNCTION_NAMES } from '../application/workflows/pipeline-function.js';

const quick = process.argv.includes('--quick');
const settings = quick
  ? { initRounds: 3, costOrders: 3, messages: 200, workerRounds: 3, motoMessages: 30, motoRounds: 2, httpOrders: 200, httpRounds: 2 }
  : {
      initRounds: 15,
      costOrders: 10,
      messages: 2_000,
      workerRounds: 7,
      motoMessages: 100,
      motoRounds: 3,
      httpOrders: 2_000,
      httpRounds: 3,
    };

async function main(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'orders-bench-'));
  try {
    const init = await measureInit(outDir, settings.initRounds);
    printInit(init);
    const initMs = Object.fromEntries(
      init.functions.map((figure) => [
        figure.name,
        {
          initMs: figure.initMs,
          bare: { clients: figure.clients, initMs: figure.bareInitMs },
          vsBare: figure.vsBare,
          frameworkMs: figure.frameworkMs,
          keptStackFloor: { initMs: figure.stackFloorInitMs, vsBare: figure.stackFloorVsBare },
          gzipKiB: figure.gzipKiB,
          bareGzipKiB: figure.bareGzipKiB,
        },
      ]),
    );
    const memory = await measureMemoryWorker(settings.messages, settings.workerRounds);
    console.log(
      `memory worker: ${memory.worker.messagesPerSecond.median} msgs/s, ${memory.worker.cpuMicrosPerMessage.median} µs CPU/msg; parse-validate-ack (worker's parser): ${memory.baseline.messagesPerSecond.median} msgs/s, ${memory.baseline.cpuMicrosPerMessage.median} µs CPU/msg, ratio ${memory.workerVsBaseline}; parse-validate-ack (class-validator): ${memory.classValidatorBaseline.messagesPerSecond.median} msgs/s, ${memory.classValidatorBaseline.cpuMicrosPerMessage.median} µs CPU/msg, ratio ${memory.workerVsClassValidatorBaseline}`,
    );
    const moto = await measureMotoWorkers(settings.motoMessages, settings.motoRounds);
    for (const [name, figures] of Object.entries({ project: moto.project, powertools: moto.powertools })) {
      console.log(
        `moto ${name.padEnd(10)}: ${figures.messagesPerSecond.median} msgs/s ± ${(figures.messagesPerSecond.spread * 100).toFixed(0)} %, ${figures.cpuMicrosPerMessage.median} µs client CPU/msg, AWS calls/msg ${JSON.stringify(figures.awsCallsPerMessage)}`,
      );
    }
    console.log(`moto project / powertools: msgs/s ${moto.ratios.messagesPerSecond}, CPU/msg ${moto.ratios.cpuPerMessage}`);
    const cost = await measureCost(settings.costOrders);
    printCost(cost);
    const http = await measureTopologies(settings.httpOrders, settings.httpRounds);
    for (const [name, figures] of Object.entries({ composed: http.composed, orchestrated: http.orchestrated })) {
      console.log(
        `POST /orders ${name.padEnd(12)}: ${figures.requestsPerSecond.median} req/s, p50 ${figures.p50Ms.median} ms, p99 ${figures.p99Ms.median} ms, errors ${figures.errors}, non-2xx ${figures.non2xx}, drain ${figures.drainMs.median} ms, ${figures.ordersPerSecond.median} orders/s end to end, RSS ${figures.rssBeforeMiB} -> ${figures.rssAfterMiB} MiB`,
      );
    }
    const initOf = (name: string): number => init.functions.find((figure) => figure.name === name)!.initMs.median;
    const median = (values: number[]): number => summarize(values).median;
    const stepInitMs = median(STEP_FUNCTION_NAMES.map(initOf));
    const composedInitMs = median(['ingest', 'worker'].map(initOf));
    const seedClaims = {
      throughputComposedVsOrchestrated: http.composedVsOrchestrated.ordersPerSecond,
      costOrchestratedVsComposed1Line: cost.ratios.orchestratedVsComposed1Line,
      coldStartStepMs: stepInitMs,
      coldStartComposedMs: composedInitMs,
      coldStartStepVsComposed: ratio(stepInitMs, composedInitMs),
    };
    console.log(
      `seed's claims, measured: composed / orchestrated orders/s ${seedClaims.throughputComposedVsOrchestrated} (claim: 1.25); single-purpose step INIT ${stepInitMs} ms / composed INIT ${composedInitMs} ms = ${seedClaims.coldStartStepVsComposed} (claim: 0.70); orchestrated / composed cost per 1-line order ${seedClaims.costOrchestratedVsComposed1Line}`,
    );
    console.log(
      JSON.stringify({
        mode: quick ? 'quick' : 'full',
        settings,
        load: { before: init.loadBefore, after: loadavg().map((value) => round(value, 2)) },
        initMs,
        memoryWorker: memory,
        motoWorkers: moto,
        costPerMillionOrders: {
          prices: cost.prices,
          durationAssumption: cost.durationAssumption,
          ...cost.costPerMillionOrders,
          lambdaDuration: cost.lambdaDurationPerMillionOrders,
          ratios: cost.ratios,
        },
        orderUsage: cost.usage,
        httpIngest: http,
        seedClaims,
      }),
    );
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
