import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueMessage } from '../application/ports/queue-message.js';
import { PowertoolsLogger } from '../adapters/observability/powertools-logger.js';
import { RecordingMetrics } from '../adapters/observability/recording-metrics.js';
import { MathRandom } from '../adapters/system/math-random.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { createWorkerHandler } from '../handlers/worker.js';
import { prepareMotoAccount, startMotoServer, type MotoAccount } from '../tools/moto/moto.js';
import { orderMessages } from './memory-worker.js';
import { motoPipeline } from './moto-pipeline.js';
import { createPowertoolsWorker } from './peers/powertools-worker.js';
import { ratio, round, summarize, type Summary } from './stats.js';

const BATCH_SIZE = 10;
const PEER_TABLE = 'powertools-idempotency';

type Worker = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface MotoWorkerFigures {
  readonly messagesPerSecond: Summary;
  readonly cpuMicrosPerMessage: Summary;
  readonly awsCallsPerMessage: Record<string, number>;
}

/** The composed worker and the Powertools peer on one moto server, the same messages (fresh keys each round), interleaved. */
export async function measureMotoWorkers(
  count: number,
  rounds: number,
): Promise<{ project: MotoWorkerFigures; powertools: MotoWorkerFigures; ratios: Record<string, number> }> {
  const server = await startMotoServer();
  try {
    // A moto call can take seconds on a shared, busy machine; the bench measures throughput, not the
    // deployed timeouts, so one slow answer must not fail a whole batch (for either worker).
    const account = await prepareMotoAccount(server, { requestTimeoutMs: 20_000 });
    const workers = await createWorkers(account);
    const samples: Record<
      'project' | 'powertools',
      { seconds: number; cpuMicros: number; calls: Record<string, Record<string, number>> }[]
    > = { project: [], powertools: [] };
    for (let round = 0; round < rounds; round += 1) {
      const messages = await orderMessages(count, round * count);
      const order = round % 2 === 0 ? (['project', 'powertools'] as const) : (['powertools', 'project'] as const);
      for (const which of order) samples[which].push(await runWorker(workers[which], messages, account));
    }
    const figures = (runs: typeof samples.project): MotoWorkerFigures => ({
      messagesPerSecond: summarize(runs.map((run) => round(count / run.seconds, 1))),
      cpuMicrosPerMessage: summarize(runs.map((run) => round(run.cpuMicros / count, 1))),
      awsCallsPerMessage: Object.fromEntries(
        Object.entries(runs[0]!.calls).flatMap(([service, operations]) =>
          Object.entries(operations).map(([operation, calls]) => [`${service}.${operation}`, round(calls / count, 2)]),
        ),
      ),
    });
    const project = figures(samples.project);
    const powertools = figures(samples.powertools);
    return {
      project,
      powertools,
      ratios: {
        messagesPerSecond: ratio(project.messagesPerSecond.median, powertools.messagesPerSecond.median),
        cpuPerMessage: ratio(project.cpuMicrosPerMessage.median, powertools.cpuMicrosPerMessage.median),
      },
    };
  } finally {
    await server.stop();
  }
}

async function createWorkers(account: MotoAccount): Promise<Record<'project' | 'powertools', Worker>> {
  const { clients, resources } = account;
  // The worker's own logger (Powertools); metrics recorded in memory so EMF lines do not flood the output.
  const services = {
    clock: new SystemClock(),
    random: new MathRandom(),
    logger: new PowertoolsLogger({ serviceName: 'bench' }),
    metrics: new RecordingMetrics(),
  };
  const container = motoPipeline(account, services);
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: PEER_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  return {
    project: createWorkerHandler(() => container),
    powertools: createPowertoolsWorker({
      dynamodb: clients.dynamodb,
      eventBridge: clients.eventBridge,
      tableName: PEER_TABLE,
      eventBusName: resources.eventBusName,
    }),
  };
}

async function runWorker(
  worker: Worker,
  messages: readonly QueueMessage[],
  account: MotoAccount,
): Promise<{ seconds: number; cpuMicros: number; calls: Record<string, Record<string, number>> }> {
  account.calls.reset();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let start = 0; start < messages.length; start += BATCH_SIZE) {
    const event: SQSEvent = { Records: messages.slice(start, start + BATCH_SIZE).map(toRecord) };
    const response = await worker(event, lambdaContext(`bench-${start}`));
    if (response.batchItemFailures.length > 0) throw new Error(`a worker failed ${response.batchItemFailures.length} record(s)`);
  }
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuMicros: used.user + used.system, calls: account.calls.counts() };
}

export function toRecord(message: QueueMessage): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    md5OfBody: '',
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(message.sentAt),
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: String(message.sentAt),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [
        name,
        { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders',
    awsRegion: 'us-east-1',
  };
}

export function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'bench-worker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-worker',
    memoryLimitInMB: '1024',
    logGroupName: 'bench',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
