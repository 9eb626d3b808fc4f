import type { Clock } from '../../../application/ports/clock.js';
import { IDEMPOTENCY_TABLE_KEY, toItem } from '../../../adapters/aws/idempotency-item.js';
import type { MemoryIdempotencyStore, RecordChange } from '../../../adapters/memory/memory-idempotency-store.js';
import type { StreamRecordJson, TableStream } from './table-stream.js';

/**
 * DynamoDB Streams for the in-memory table: every write of the store becomes a record, in write order
 * (one shard, so per-key order holds), with the item's new image as DynamoDB would marshal it. Records
 * stay until the pipe consumes them (a real stream keeps them 24 h).
 */
export class MemoryTableStream implements TableStream {
  private readonly buffer: StreamRecordJson[] = [];
  private sequence = 0;

  constructor(
    store: MemoryIdempotencyStore,
    private readonly clock: Clock,
    private readonly region = 'us-east-1',
  ) {
    store.onChange((change) => this.buffer.push(this.recordOf(change)));
  }

  async peek(max: number): Promise<readonly StreamRecordJson[]> {
    return this.buffer.slice(0, max);
  }

  advance(count: number): void {
    this.buffer.splice(0, count);
  }

  /** Records written and not yet consumed. */
  get length(): number {
    return this.buffer.length;
  }

  async close(): Promise<void> {
    this.buffer.length = 0;
  }

  private recordOf(change: RecordChange): StreamRecordJson {
    this.sequence += 1;
    const image = toItem(change.after);
    return {
      eventID: `memory-${this.sequence}`,
      eventName: change.before === undefined ? 'INSERT' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(this.clock.now() / 1000),
        Keys: { [IDEMPOTENCY_TABLE_KEY]: { S: change.key } },
        NewImage: image,
        SequenceNumber: String(this.sequence).padStart(21, '0'),
        SizeBytes: JSON.stringify(image).length,
        StreamViewType: 'NEW_IMAGE',
      },
    };
  }
}
