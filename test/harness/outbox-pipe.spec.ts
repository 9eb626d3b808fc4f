import { expect } from 'chai';
import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { OutboxPipe, DEFAULT_OUTBOX_PIPE } from '../../harness/emulation/streams/outbox-pipe.js';
import type { StreamRecordJson, TableStream } from '../../harness/emulation/streams/table-stream.js';
import { silentLogger } from '../application/guarded-ports.fixtures.js';

/** A stream the spec writes to by hand. */
class HandStream implements TableStream {
  readonly records: StreamRecordJson[] = [];
  async peek(max: number): Promise<readonly StreamRecordJson[]> {
    return this.records.slice(0, max);
  }
  advance(count: number): void {
    this.records.splice(0, count);
  }
  async close(): Promise<void> {}
}

/** An image with no undelivered events: the pipe's filter passes over it without invoking the relay. */
function settledImage(sequence: number): StreamRecordJson {
  return {
    eventID: `hand-${sequence}`,
    eventName: 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { idempotencyKey: { S: `key-${sequence}` } },
      NewImage: { idempotencyKey: { S: `key-${sequence}` }, status: { S: 'SUCCEEDED' } },
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 10,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Local harness: the outbox pipe (harness/emulation/streams/outbox-pipe.ts)', () => {
  describe('Method: caughtUp', () => {
    it('sees a record written after the last poll, which busy() (what that poll saw) misses', async () => {
      // Prepare: a pipe that polled an empty stream and now sleeps for its poll interval
      const stream = new HandStream();
      const relayed: number[] = [];
      const pipe = new OutboxPipe(
        stream,
        async (records) => {
          relayed.push(records.length);
          return { batchItemFailures: [] };
        },
        {} as DeadLetterQueue,
        { ...DEFAULT_OUTBOX_PIPE, pollIntervalMs: 300, functionTimeoutMs: 1_000 },
        new SystemClock(),
        silentLogger,
      );
      pipe.start();
      await sleep(50);

      try {
        // Act: an order completes between two polls
        stream.records.push(settledImage(1));

        // Assess
        expect(pipe.busy(), 'busy() still says what the last poll saw').to.equal(false);
        expect(await pipe.caughtUp(), 'a record waits on the stream').to.equal(false);
        for (const deadline = Date.now() + 5_000; stream.records.length > 0 && Date.now() < deadline;) await sleep(50);
        expect(stream.records, 'the next poll consumed it').to.deep.equal([]);
        expect(await pipe.caughtUp()).to.equal(true);
        expect(relayed, 'a settled image is filtered out, not relayed').to.deep.equal([]);
      } finally {
        await pipe.stop();
      }
    });
  });
});
