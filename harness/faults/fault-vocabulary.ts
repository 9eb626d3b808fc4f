/**
 * Where `--crash-after` can kill an invocation: `process` is the worker after the business step, before its
 * completion is written; `reserve` is the edge after its reservation was written, before its message is sent.
 */
export const CRASH_POINTS = ['process', 'reserve'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** The invocation names faults can be limited to (`--fault-functions`, `functions` of PUT /admin/faults). */
export const FAULT_FUNCTION_NAMES: readonly string[] = [
  'ingest',
  'validate',
  'publish',
  'worker',
  'redrive',
  'consume-pipe',
  'idempotency',
  'processor',
  'outbox-relay',
];
