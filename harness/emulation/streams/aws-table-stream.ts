import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { StreamRecordJson, TableStream } from './table-stream.js';

/**
 * Reads a real DynamoDB stream (moto's, or AWS's) as EventBridge Pipes would, from the position it was
 * opened at (LATEST: what the harness writes from now on; a restart's backlog is for the outbox sweep),
 * shard by shard, and hands the records on in the pipe's JSON shape.
 */
export class AwsTableStream implements TableStream {
  private readonly buffer: StreamRecordJson[] = [];

  private constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private iterators: Map<string, string | undefined>,
  ) {}

  static async open(
    client: DynamoDBStreamsClient,
    streamArn: string,
    position: 'LATEST' | 'TRIM_HORIZON' = 'LATEST',
  ): Promise<AwsTableStream> {
    const described = await client.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const iterators = new Map<string, string | undefined>();
    for (const shard of described.StreamDescription?.Shards ?? []) {
      if (shard.ShardId === undefined) continue;
      const iterator = await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: position }),
      );
      iterators.set(shard.ShardId, iterator.ShardIterator);
    }
    return new AwsTableStream(client, streamArn, iterators);
  }

  async peek(max: number): Promise<readonly StreamRecordJson[]> {
    if (this.buffer.length < max) await this.fill();
    return this.buffer.slice(0, max);
  }

  advance(count: number): void {
    this.buffer.splice(0, count);
  }

  async close(): Promise<void> {
    this.iterators.clear();
  }

  private async fill(): Promise<void> {
    for (const [shardId, iterator] of this.iterators) {
      if (iterator === undefined) continue;
      const page = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      this.buffer.push(...(page.Records ?? []).map(toJson));
      this.iterators.set(shardId, page.NextShardIterator);
    }
    if ([...this.iterators.values()].every((iterator) => iterator === undefined)) await this.followNewShards();
  }

  /** A closed shard (NextShardIterator absent) hands over to its children. */
  private async followNewShards(): Promise<void> {
    const described = await this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    for (const shard of described.StreamDescription?.Shards ?? []) {
      if (shard.ShardId === undefined || this.iterators.has(shard.ShardId)) continue;
      const iterator = await this.client.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      this.iterators.set(shard.ShardId, iterator.ShardIterator);
    }
  }
}

function toJson(record: StreamRecord): StreamRecordJson {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  return {
    eventID: record.eventID ?? data.SequenceNumber ?? '',
    eventName: record.eventName ?? 'MODIFY',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? '',
    dynamodb: {
      ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : Number(created ?? 0),
      Keys: data.Keys ?? {},
      ...(data.NewImage === undefined ? {} : { NewImage: data.NewImage }),
      SequenceNumber: data.SequenceNumber ?? '',
      SizeBytes: data.SizeBytes ?? 0,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}
