/** The in-memory worker part of `npm run bench` alone: `tsx bench/memory-worker-only.ts [messages] [rounds]`. */
import 'reflect-metadata';
import { measureMemoryWorker } from './memory-worker.js';

const figures = await measureMemoryWorker(Number(process.argv[2] ?? 2_000), Number(process.argv[3] ?? 5));
console.log(JSON.stringify(figures));
