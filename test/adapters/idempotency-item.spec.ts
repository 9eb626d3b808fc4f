import { expect } from 'chai';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { COMPRESSED_PENDING_MESSAGE_BYTES, toItem, toRecord } from '../../adapters/aws/idempotency-item.js';

function reservation(pendingMessage: string): IdempotencyRecord {
  return {
    key: 'order-1',
    status: 'ACCEPTED',
    payloadHash: 'h',
    attempts: 0,
    expiresAt: 1,
    createdAt: 1,
    updatedAt: 1,
    awaitingSendSince: 1,
    pendingMessage,
  };
}

function message(lines: number): string {
  return JSON.stringify({
    schemaVersion: '1',
    order: {
      orderId: 'o-1',
      lines: Array.from({ length: lines }, (_, line) => ({ sku: `SKU-${line}`, quantity: 1, unitPriceMinor: 1_999 })),
    },
  });
}

describe("Function: toItem / toRecord (the idempotency table's item layout)", () => {
  it('keeps a short pending message as readable text', () => {
    const short = message(1);
    expect(Buffer.byteLength(short)).to.be.below(COMPRESSED_PENDING_MESSAGE_BYTES);
    const item = toItem(reservation(short));
    expect(item.pendingMessage).to.deep.equal({ S: short });
    expect(toRecord(item).pendingMessage).to.equal(short);
  });

  it('stores a long pending message compressed, several times smaller, and reads it back unchanged', () => {
    const long = message(100);
    const item = toItem(reservation(long));
    expect(item.pendingMessage?.B, 'a binary attribute').to.be.instanceOf(Uint8Array);
    expect(item.pendingMessage!.B!.length * 3).to.be.below(Buffer.byteLength(long));
    expect(toRecord(item)).to.deep.equal(reservation(long));
  });
});
