/** Profiles the in-memory worker alone (not the set-up): `tsx bench/profile-memory-worker.ts [out.cpuprofile]`. */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { baselineRound, orderMessages, workerRound } from './memory-worker.js';

const messages = await orderMessages(2000);
await workerRound(messages.slice(0, 50));
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.start');
for (let i = 0; i < 5; i++) {
  const w = await workerRound(messages);
  const b = await baselineRound(messages);
  console.log(
    `worker ${(w.cpuMicros / 2000).toFixed(1)} µs CPU/msg; parse-validate-ack ${(b.cpuMicros / 2000).toFixed(1)} µs CPU/msg; msgs/s ratio ${(b.seconds / w.seconds).toFixed(2)}`,
  );
}
const { profile } = await session.post('Profiler.stop');
writeFileSync(process.argv[2] ?? 'memory-worker.cpuprofile', JSON.stringify(profile));
