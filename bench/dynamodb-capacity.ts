/**
 * DynamoDB capacity as DynamoDB bills it, for a bench on moto (whose ReturnConsumedCapacity answers a
 * constant 1 write or 0.5 read unit per call, whatever the item's size). An SDK middleware reads each
 * written item just before and just after the call (with its own client, so those reads are neither
 * counted nor metered) and applies the published rules:
 *  - item size: attribute names + values (UTF-8 bytes for strings, ~1 byte per 2 significant digits + 1
 *    for numbers, 1 for booleans and nulls, 3 bytes per list or map + 1 per element);
 *  - a write (PutItem, UpdateItem, DeleteItem) costs one unit per started KB of the larger of the item
 *    before and after it, at least 1; a write whose condition failed still costs the existing item's size
 *    (at least 1);
 *  - each global secondary index whose entry appears, disappears or changes its keys costs one write
 *    per entry written or removed (keys-only entries are far below 1 KB);
 *  - a read costs one unit per started 4 KB (half for an eventually consistent read), a Query or a Scan
 *    on the total size of what it returned, a BatchGetItem per item.
 */
import { DescribeTableCommand, GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InitializeHandler, MetadataBearer } from '@smithy/types';

type Item = Record<string, AttributeValue>;

/** Size in bytes of one attribute value, as DynamoDB counts it (the name not included). */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, entry) => sum + numberSize(entry), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, entry) => sum + entry.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, entry) => sum + 1 + attributeValueSize(entry), 0);
  if (value.M !== undefined)
    return (
      3 + Object.entries(value.M).reduce((sum, [name, entry]) => sum + 1 + Buffer.byteLength(name, 'utf8') + attributeValueSize(entry), 0)
    );
  return 0;
}

function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Size in bytes of an item: its attribute names and values. */
export function itemSize(item: Item | undefined): number {
  if (item === undefined) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + attributeValueSize(value), 0);
}

/** Write units of one write: the larger of the item before and after, per started KB, at least 1. */
export function writeUnits(before: Item | undefined, after: Item | undefined, conditionFailed: boolean): number {
  const bytes = conditionFailed ? itemSize(before) : Math.max(itemSize(before), itemSize(after));
  return Math.max(1, Math.ceil(bytes / 1024));
}

/** Read units of reading `bytes`, per started 4 KB (half when eventually consistent), at least one read. */
export function readUnits(bytes: number, consistent: boolean): number {
  return Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
}

interface TableShape {
  readonly keys: readonly string[];
  /** Each global secondary index's key attributes. */
  readonly indexes: ReadonlyArray<readonly string[]>;
}

/** Write units of the table's global secondary indexes for one write (keys-only entries: 1 unit per entry written or removed). */
export function indexWriteUnits(shape: TableShape, before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const keys of shape.indexes) {
    const entry = (item: Item | undefined): string | undefined =>
      item !== undefined && keys.every((key) => item[key] !== undefined) ? JSON.stringify(keys.map((key) => item[key])) : undefined;
    const [was, is] = [entry(before), entry(after)];
    if (was === is) continue;
    units += (was === undefined ? 0 : 1) + (is === undefined ? 0 : 1);
  }
  return units;
}

export interface CapacityFigures {
  writeUnits: number;
  indexWriteUnits: number;
  readUnits: number;
  /** Each write, in call order: the item's key, its size after the write (bytes) and the write's units. */
  readonly writes: Array<{ readonly key: string; readonly bytes: number; readonly units: number }>;
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** Meters the capacity of every DynamoDB call a client makes; `peek` is a second client on the same endpoint. */
export class CapacityMeter {
  private figures: CapacityFigures = CapacityMeter.zero();
  private readonly shapes = new Map<string, Promise<TableShape>>();

  constructor(private readonly peek: DynamoDBClient) {}

  static zero(): CapacityFigures {
    return { writeUnits: 0, indexWriteUnits: 0, readUnits: 0, writes: [] };
  }

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next: InitializeHandler<object, MetadataBearer>, context) => async (args) => {
        const command = String(context.commandName);
        const input = args.input as {
          TableName?: string;
          Key?: Item;
          Item?: Item;
          ConsistentRead?: boolean;
          RequestItems?: Record<string, { ConsistentRead?: boolean }>;
        };
        if (WRITES.has(command) && input.TableName !== undefined) return this.meterWrite(input.TableName, input, () => next(args));
        const result = await next(args);
        this.meterRead(command, input, result.output as { Item?: Item; Items?: Item[]; Responses?: Record<string, Item[]> });
        return result;
      },
      { step: 'initialize', priority: 'low', name: 'benchCapacityMeter', override: true },
    );
    return this;
  }

  take(): CapacityFigures {
    const figures = this.figures;
    this.figures = CapacityMeter.zero();
    return figures;
  }

  private async meterWrite<R>(tableName: string, input: { Key?: Item; Item?: Item }, send: () => Promise<R>): Promise<R> {
    const shape = await this.shape(tableName);
    const source = input.Key ?? input.Item ?? {};
    const key = Object.fromEntries(shape.keys.map((name) => [name, source[name]!]));
    const before = await this.read(tableName, key);
    let conditionFailed = false;
    try {
      return await send();
    } catch (error) {
      conditionFailed = (error as { name?: string }).name === 'ConditionalCheckFailedException';
      throw error;
    } finally {
      const after = conditionFailed ? before : await this.read(tableName, key);
      const units = writeUnits(before, after, conditionFailed);
      this.figures.writeUnits += units;
      if (!conditionFailed) this.figures.indexWriteUnits += indexWriteUnits(shape, before, after);
      this.figures.writes.push({ key: JSON.stringify(key), bytes: itemSize(after), units });
    }
  }

  private meterRead(
    command: string,
    input: { ConsistentRead?: boolean; RequestItems?: Record<string, { ConsistentRead?: boolean }> },
    output: { Item?: Item; Items?: Item[]; Responses?: Record<string, Item[]> },
  ): void {
    if (command === 'GetItemCommand') this.figures.readUnits += readUnits(itemSize(output.Item), input.ConsistentRead === true);
    if (command === 'QueryCommand' || command === 'ScanCommand')
      this.figures.readUnits += readUnits(
        (output.Items ?? []).reduce((sum, item) => sum + itemSize(item), 0),
        input.ConsistentRead === true,
      );
    if (command === 'BatchGetItemCommand') {
      for (const [table, items] of Object.entries(output.Responses ?? {})) {
        for (const item of items) this.figures.readUnits += readUnits(itemSize(item), input.RequestItems?.[table]?.ConsistentRead === true);
      }
    }
  }

  private async read(tableName: string, key: Item): Promise<Item | undefined> {
    return (await this.peek.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  }

  private shape(tableName: string): Promise<TableShape> {
    let shape = this.shapes.get(tableName);
    if (shape === undefined) {
      shape = this.peek.send(new DescribeTableCommand({ TableName: tableName })).then(({ Table }) => ({
        keys: (Table?.KeySchema ?? []).map((key) => key.AttributeName!),
        indexes: (Table?.GlobalSecondaryIndexes ?? []).map((index) => (index.KeySchema ?? []).map((key) => key.AttributeName!)),
      }));
      this.shapes.set(tableName, shape);
    }
    return shape;
  }
}
