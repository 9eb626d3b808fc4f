import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a deployed function's INIT sees: a valid configuration (nothing is called while the container is built). */
export const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders-bench',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  PIPELINE_BACKEND: 'aws',
  ORDER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders',
  DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/orders-dlq',
  OUTBOX_DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:1/123456789012/outbox-dlq',
  IDEMPOTENCY_TABLE_NAME: 'orders-idempotency',
  EVENT_BUS_NAME: 'orders-bus',
  INGEST_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders-ingest',
  POWERTOOLS_DEV: 'false',
};

/** Wall time of a fresh node process (this one's binary unless told) that imports the bundle (and so builds the function's container) and exits. */
export async function timeImport(file: string, node: string = process.execPath): Promise<number> {
  const started = process.hrtime.bigint();
  const env = { PATH: process.env.PATH ?? '', ...LAMBDA_ENV };
  await run(node, ['--input-type=module', '-e', `await import(${JSON.stringify(file)});`], { env });
  return Number(process.hrtime.bigint() - started) / 1e6;
}
