import { expect } from 'chai';
import {
  orderMessageAttributes,
  parseOrderMessage,
  payloadHashOf,
  SCHEMA_VERSION,
  type OrderEnvelope,
} from '../../application/orders/order-message.js';
import { OrderMother } from '../domain/order-mother.js';

const ENVELOPE: OrderEnvelope = {
  idempotencyKey: 'key-1',
  correlationId: 'corr-1',
  body: { schemaVersion: SCHEMA_VERSION, order: OrderMother.valid(), payloadHash: 'hash-1', acceptedAt: 1_767_225_600_000 },
};

function message(
  body: unknown,
  attributes: Record<string, string> = orderMessageAttributes(ENVELOPE),
): { messageId: string; body: string; attributes: Record<string, string> } {
  return { messageId: 'msg-1', body: typeof body === 'string' ? body : JSON.stringify(body), attributes };
}

function codesOf(result: ReturnType<typeof parseOrderMessage>): string[] {
  return result.ok ? [] : result.violations.map((v) => `${v.path}:${v.code}`);
}

describe('Function: parseOrderMessage', () => {
  it('reads back what PublishOrder writes', () => {
    const result = parseOrderMessage(message(ENVELOPE.body));

    expect(result).to.deep.equal({ ok: true, envelope: ENVELOPE });
  });

  it('falls back to the message id for a missing correlation id', () => {
    const { correlationId: _dropped, ...attributes } = orderMessageAttributes(ENVELOPE);

    const result = parseOrderMessage(message(ENVELOPE.body, attributes));

    expect(result.ok && result.envelope.correlationId).to.equal('msg-1');
  });

  it('reports every reason a message cannot be read, at once', () => {
    // Prepare: no key attribute, a foreign schema version, no hash, an order with a bad line
    const { idempotencyKey: _dropped, ...attributes } = orderMessageAttributes(ENVELOPE);
    const body = {
      schemaVersion: '2',
      order: { ...OrderMother.valid(), lines: [{ sku: 'S', quantity: 0, unitPriceMinor: 1 }] },
      acceptedAt: 1,
    };

    // Act
    const result = parseOrderMessage(message(body, attributes));

    // Assess
    expect(codesOf(result)).to.deep.equal([
      'attributes.idempotencyKey:MESSAGE.MISSING_ATTRIBUTE',
      'body.schemaVersion:MESSAGE.UNSUPPORTED_SCHEMA',
      'body:MESSAGE.MISSING_FIELD',
      'body.order.lines[0].quantity:SCHEMA.MIN',
    ]);
  });

  for (const [name, body, code] of [
    ['malformed JSON', '{"schemaVersion":', 'body:MESSAGE.MALFORMED_JSON'],
    ['a JSON string', '"order"', 'body:MESSAGE.NOT_AN_OBJECT'],
    ['null', 'null', 'body:MESSAGE.NOT_AN_OBJECT'],
  ] as const) {
    it(`refuses ${name}`, () => {
      expect(codesOf(parseOrderMessage(message(body)))).to.deep.equal([code]);
    });
  }

  for (const simulate of [
    { kind: 'toString', times: 1 },
    { kind: 'constructor', times: 1 },
    { kind: 'transient', times: -1 },
    { kind: 'explode' },
  ]) {
    it(`refuses a body whose simulate field is ${JSON.stringify(simulate)}`, () => {
      expect(codesOf(parseOrderMessage(message({ ...ENVELOPE.body, simulate })))).to.deep.equal([
        'body.simulate:MESSAGE.INVALID_SIMULATION',
      ]);
    });
  }
});

describe('Function: payloadHashOf', () => {
  it('returns the hash of an order body and undefined for anything else', () => {
    expect(payloadHashOf(JSON.stringify(ENVELOPE.body))).to.equal('hash-1');
    for (const body of ['', '{', 'null', '[]', '{"payloadHash":7}', '"hash-1"']) expect(payloadHashOf(body), body).to.equal(undefined);
  });
});
