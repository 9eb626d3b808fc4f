import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { OrderMother } from '../domain/order-mother.js';
import type { QueueDepth } from '../../harness/backends/backend.js';
import type { Harness } from '../../harness/server/types.js';
import { useTestHarnesses } from './support/harness-fixture.js';
import { PipelineClient } from './support/pipeline-client.js';
import { waitFor } from './support/wait-for.js';

const EMPTY: QueueDepth = { visible: 0, inFlight: 0, delayed: 0 };
/** batchSize 1 and a slow DynamoDB in the worker only: orders queue up behind two slow invocations, while ingest stays quick. */
const SLOW_WORKER = { batchSize: 1, latencyMs: { dynamodb: 150 }, faultFunctions: ['worker'] } as const;

interface SlowAnswer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: Record<string, unknown>;
}

/**
 * A POST /orders whose headers the server has taken (it answered 100 Continue, which node:http does as
 * it hands the request to the route) and whose body is sent only by `finish`: a request in progress,
 * on a connection the client would keep alive, as browsers and curl do.
 */
function startPostInProgress(baseUrl: string, order: unknown, agent: Agent): Promise<{ finish(): Promise<SlowAnswer> }> {
  const body = JSON.stringify(order);
  const request = httpRequest(`${baseUrl}/orders`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
  });
  const answered = new Promise<SlowAnswer>((resolve, reject) => {
    request.on('response', (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          connection: response.headers.connection,
          body: JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>,
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  return new Promise((resolve, reject) => {
    request.once('error', reject);
    request.once('continue', () =>
      resolve({
        finish: () => {
          request.end(body);
          return answered;
        },
      }),
    );
    request.flushHeaders();
  });
}

async function statusOf(harness: Harness, key: string): Promise<string | undefined> {
  return (await harness.backend.record(key, Date.now()))?.status;
}

interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly orders?: QueueDepth;
  readonly deadLetters?: QueueDepth;
}

function warnings(logs: readonly string[]): LogEntry[] {
  return logs.map((line) => JSON.parse(line) as LogEntry).filter((entry) => entry.level === 'WARN');
}

/** The counts of the stop's warning that in-memory messages die with the process. */
function reportedLost(logs: readonly string[]): { orders?: QueueDepth; deadLetters?: QueueDepth }[] {
  return warnings(logs)
    .filter((entry) => entry.message === 'messages left on the in-memory queues are lost at exit')
    .map(({ orders, deadLetters }) => ({ orders, deadLetters }));
}

describe('Local harness: stopping', () => {
  const harnesses = useTestHarnesses();
  const agent = new Agent({ keepAlive: true });
  after(() => agent.destroy());

  it('works every order accepted before the stop to SUCCEEDED before the stop resolves, and reports nothing left', async () => {
    // Prepare
    const running = await harnesses.start(SLOW_WORKER);
    const { client, harness } = running;
    const keys: string[] = [];
    for (const index of [1, 2, 3, 4, 5, 6]) {
      const accepted = await client.postOrder(OrderMother.valid({ orderId: `drain-${index}` }));
      expect(accepted.status).to.equal(202);
      keys.push(String(accepted.body.idempotencyKey));
    }
    const before = (await harness.backend.depths()).orders;
    expect(before.visible + before.inFlight, 'orders are still queued when the stop begins').to.be.at.least(1);

    // Act
    const summary = await harness.stop();

    // Assess
    expect(summary.drained).to.equal(true);
    expect(summary.remaining).to.deep.equal({ orders: EMPTY, deadLetters: EMPTY, outboxDeadLetters: EMPTY });
    expect(await Promise.all(keys.map((key) => statusOf(harness, key)))).to.deep.equal(keys.map(() => 'SUCCEEDED'));
    expect(keys.map((key) => harness.commits.commitsOf(key))).to.deep.equal(keys.map(() => 1));
    expect(warnings(running.logs), 'nothing is reported lost').to.deep.equal([]);
  });

  it('refuses new connections once the stop begins, while a request in progress is answered, with its connection closed, and its order worked', async () => {
    // Prepare
    const running = await harnesses.start();
    const { client, harness } = running;
    const inProgress = await startPostInProgress(harness.url, OrderMother.valid({ orderId: 'in-progress-1' }), agent);

    // Act
    const stopping = harness.stop();
    const late = await client.postOrder(OrderMother.valid({ orderId: 'too-late-1' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    const answer = await inProgress.finish();
    const summary = await stopping;

    // Assess
    expect((late as { cause?: { code?: string } } | undefined)?.cause?.code, 'a request after the stop began finds no listener').to.equal(
      'ECONNREFUSED',
    );
    expect(answer.status).to.equal(202);
    expect(answer.connection, 'a kept-alive connection would hold the server open').to.equal('close');
    expect(summary).to.deep.equal({
      drained: true,
      stoppedAfterMs: summary.stoppedAfterMs,
      remaining: { orders: EMPTY, deadLetters: EMPTY, outboxDeadLetters: EMPTY },
    });
    const key = String(answer.body.idempotencyKey);
    expect(await statusOf(harness, key)).to.equal('SUCCEEDED');
    expect(harness.commits.commitsOf(key)).to.equal(1);
    expect(
      (await harness.backend.records(Date.now())).map((record) => record.key),
      'the refused order left no trace',
    ).to.deep.equal([key]);
  });

  it('gives up at the drain deadline on a retry delayed beyond it, and reports the message it leaves behind', async () => {
    // Prepare: the first attempt fails and its retry waits 15–30 s (equal jitter on a 30 s base).
    const drainTimeoutMs = 400;
    const running = await harnesses.start({ drainTimeoutMs }, { BACKOFF_BASE_SECONDS: '30' });
    const { client, harness } = running;
    const accepted = await client.postOrder(OrderMother.valid({ orderId: 'late-retry-1' }), { 'x-simulate-failure': 'transient' });
    const key = String(accepted.body.idempotencyKey);
    await client.waitForStatus(key, ['RETRY']);

    // Act
    const started = Date.now();
    const summary = await harness.stop();
    const tookMs = Date.now() - started;

    // Assess
    expect(tookMs, 'it waited for the deadline, and not much longer').to.be.within(drainTimeoutMs - 50, drainTimeoutMs + 1_500);
    expect(summary.drained).to.equal(false);
    expect(summary.remaining).to.deep.equal({
      orders: { visible: 0, inFlight: 1, delayed: 0 },
      deadLetters: EMPTY,
      outboxDeadLetters: EMPTY,
    });
    expect(reportedLost(running.logs)).to.deep.equal([{ orders: { visible: 0, inFlight: 1, delayed: 0 }, deadLetters: EMPTY }]);
    expect(await statusOf(harness, key)).to.equal('RETRY');
  });

  it('does not wait for the queue with a drain timeout of 0, but finishes the batches in flight', async () => {
    // Prepare
    const running = await harnesses.start({ ...SLOW_WORKER, drainTimeoutMs: 0 });
    const { client, harness } = running;
    const keys: string[] = [];
    for (const index of [1, 2, 3, 4, 5, 6])
      keys.push(String((await client.postOrder(OrderMother.valid({ orderId: `no-drain-${index}` }))).body.idempotencyKey));

    // Act
    const summary = await harness.stop();

    // Assess
    const statuses = await Promise.all(keys.map((key) => statusOf(harness, key)));
    const worked = statuses.filter((status) => status === 'SUCCEEDED').length;
    expect(summary.drained).to.equal(false);
    expect(summary.remaining?.orders, 'no batch was abandoned in flight; the rest waits, never received').to.deep.equal({
      visible: keys.length - worked,
      inFlight: 0,
      delayed: 0,
    });
    expect(
      statuses.filter((status) => status !== 'SUCCEEDED' && status !== 'ACCEPTED' && status !== undefined),
      'no order was left half-worked: worked, or reserved and never received',
    ).to.deep.equal([]);
    expect(reportedLost(running.logs)).to.deep.equal([
      { orders: { visible: keys.length - worked, inFlight: 0, delayed: 0 }, deadLetters: EMPTY },
    ]);
  });
});

/** `npm start` in its own process group, so that a signal to its pid reaches npm alone, as `kill <pid>` from another terminal does. */
function npmStart(args: readonly string[]): { child: ChildProcess; stdout: string[]; stderr: string[] } {
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, NO_COLOR: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (text: string) => stdout.push(text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => stderr.push(text));
  return { child, stdout, stderr };
}

describe('npm start: SIGINT', function () {
  // Starting tsx takes a while on a busy machine; the stop itself is bounded below.
  this.timeout(120_000);
  let started: ChildProcess | undefined;
  afterEach(() => {
    // Whatever a failed test left running: the process group this test created, by its id.
    if (started?.pid !== undefined && started.exitCode === null && started.signalCode === null) process.kill(-started.pid, 'SIGKILL');
    started = undefined;
  });

  const targets = [
    { to: 'the npm process only (kill -INT <pid>, a supervisor)', pid: (child: ChildProcess) => child.pid ?? 0 },
    // npm forwards it to the harness, which the terminal's signal reaches too: one request, not two.
    { to: "the whole process group (a terminal's Ctrl-C)", pid: (child: ChildProcess) => -(child.pid ?? 0) },
  ];
  for (const target of targets)
    it(`sent to ${target.to}, stops the harness gracefully: it drains, works the order it accepted, and exits 0 within seconds`, async () => {
      // Prepare
      const { child, stdout, stderr } = npmStart(['--port', '0', '--drain-timeout', '5s', '--redrive-every', '0']);
      started = child;
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const url = await waitFor(
        'the harness to start',
        () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout.join(''))?.[1],
        90_000,
        100,
      );
      const client = new PipelineClient(url);
      const accepted = await client.postOrder(OrderMother.valid({ orderId: 'npm-sigint-1' }));
      expect(accepted.status).to.equal(202);

      // Act
      const signalledAt = Date.now();
      process.kill(target.pid(child), 'SIGINT');
      const [code] = await Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`npm start still running 20 s after SIGINT; stderr: ${stderr.join('')}`)), 20_000),
        ),
      ]);
      const tookMs = Date.now() - signalledAt;

      // Assess: a graceful stop, not a kill: the harness' own stop ran and said what it left.
      expect(tookMs, 'stopped promptly').to.be.below(20_000);
      expect(code, stderr.join('')).to.equal(0);
      expect(stderr.join(''), "one stop, not a second signal's exit").not.to.include('again: exiting without waiting');
      expect(stderr.join(''))
        .to.include('SIGINT: stopping')
        .and.to.match(/stopped after \S+: drained, nothing left on the queues/);
      const stopped = stdout
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { message?: string; eventSource?: { recordsDeleted?: number } })
        .find((entry) => entry.message === 'harness stopped');
      expect(stopped?.eventSource?.recordsDeleted, 'the accepted order was worked and acknowledged before the exit').to.equal(1);
      const refused = await client.metrics().then(
        () => undefined,
        (error: unknown) => (error as { cause?: { code?: string } }).cause?.code,
      );
      expect(refused, 'no harness left behind, orphaned, still listening').to.equal('ECONNREFUSED');
    });
});
