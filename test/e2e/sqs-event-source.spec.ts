import { expect } from 'chai';
import type { SQSEvent } from 'aws-lambda';
import type { SqsEventSource } from '../../harness/emulation/event-sources/sqs-event-source.js';
import { md5OfStringAttributes } from '../../harness/emulation/event-sources/sqs-event.js';
import { sleep, waitFor } from './support/wait-for.js';
import type { Rig } from './sqs-event-source.fixtures.js';
import { SETTINGS, rig, succeedAll, deferred, HeldReceive } from './sqs-event-source.fixtures.js';

describe('Class: SqsEventSource', () => {
  let current: SqsEventSource | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  const started = (r: Rig): Rig => {
    current = r.source;
    r.source.start();
    return r;
  };

  it('invokes with a real SQSEvent and deletes every record of a successful batch', async () => {
    const r = started(rig(succeedAll));
    const id = r.send('{"n":1}', { idempotencyKey: 'k-1', orderId: 'o-1' });
    await waitFor('the record to be deleted', () => (r.source.stats().recordsDeleted === 1 ? true : undefined));
    const record = r.events[0]?.Records[0];
    expect(record?.messageId).to.equal(id);
    expect(record?.body).to.equal('{"n":1}');
    expect(record?.eventSource).to.equal('aws:sqs');
    expect(record?.eventSourceARN).to.equal('arn:aws:sqs:local:000000000000:orders');
    expect(record?.attributes.ApproximateReceiveCount).to.equal('1');
    expect(Number(record?.attributes.SentTimestamp)).to.be.closeTo(Date.now(), 5_000);
    expect(record?.messageAttributes.idempotencyKey).to.deep.include({ stringValue: 'k-1', dataType: 'String' });
    expect(record?.md5OfMessageAttributes).to.equal(md5OfStringAttributes({ idempotencyKey: 'k-1', orderId: 'o-1' }));
    expect(r.sqs.stats('orders')).to.deep.equal({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('deletes only the records not listed in batchItemFailures; the listed one comes back with a higher receive count', async () => {
    let calls = 0;
    const r = started(
      rig(
        async (event) => {
          calls += 1;
          const failing = calls === 1 ? event.Records.filter((record) => record.body === 'bad') : [];
          return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.messageId })) };
        },
        { batchingWindowMs: 200 },
      ),
    );
    r.send('good');
    r.send('bad');
    await waitFor('the failed record to be delivered again', () => (r.events.length >= 2 ? true : undefined), 5_000);
    expect(r.events[0]?.Records.map((record) => record.body).sort()).to.deep.equal(['bad', 'good']);
    expect(r.events[1]?.Records.map((record) => [record.body, record.attributes.ApproximateReceiveCount])).to.deep.equal([['bad', '2']]);
    await waitFor('the queue to drain', () => (r.sqs.stats('orders').inFlight + r.sqs.stats('orders').visible === 0 ? true : undefined));
  });

  it('survives a throwing handler: the whole batch returns and later batches are still delivered', async () => {
    let calls = 0;
    const r = started(
      rig(async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return undefined;
      }),
    );
    r.send('first');
    await waitFor('the first invocation', () => (calls === 1 ? true : undefined));
    r.send('second');
    await waitFor('both records deleted', () => (r.source.stats().recordsDeleted === 2 ? true : undefined), 5_000);
    expect(r.source.stats().outcomes.threw).to.equal(1);
    expect(
      r.events
        .flatMap((event) => event.Records)
        .filter((record) => record.body === 'first')
        .map((record) => record.attributes.ApproximateReceiveCount),
    ).to.deep.equal(['1', '2']);
  });

  for (const [description, answer] of [
    [
      'an unknown itemIdentifier',
      (event: SQSEvent) => ({ batchItemFailures: [{ itemIdentifier: `${event.Records[0]?.messageId ?? ''}-unknown` }] }),
    ],
    ['an empty itemIdentifier', () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
    ['an entry without itemIdentifier', () => ({ batchItemFailures: [{ id: 'x' }] })],
    ['a string', () => 'ok'],
  ] as const) {
    it(`fails the whole batch when the answer has ${description}`, async () => {
      let calls = 0;
      const r = started(
        rig(
          async (event) => {
            calls += 1;
            return calls === 1 ? answer(event) : null;
          },
          { batchingWindowMs: 100 },
        ),
      );
      r.send('a');
      r.send('b');
      await waitFor('both records deleted on the second delivery', () => (r.source.stats().recordsDeleted === 2 ? true : undefined), 5_000);
      expect(r.source.stats().outcomes['invalid-response']).to.equal(1);
      expect(r.events[1]?.Records.map((record) => record.attributes.ApproximateReceiveCount)).to.deep.equal(['2', '2']);
    });
  }

  it('gathers records that arrive within the batching window into one invocation, up to the batch size', async () => {
    // A long visibility timeout: however long the receive is held, record 1 cannot be delivered twice.
    const held = new HeldReceive();
    const r = started(
      rig(succeedAll, { batchSize: 3, batchingWindowMs: 400 }, { visibilityTimeoutSeconds: 30, polled: (queue) => held.around(queue) }),
    );
    r.send('1');
    await held.holding.promise;
    r.send('2');
    r.send('3');
    r.send('4');
    held.letGo();
    await waitFor('all deleted', () => (r.source.stats().recordsDeleted === 4 ? true : undefined));
    expect(r.events.map((event) => event.Records.map((record) => record.body))).to.deep.equal([['1', '2', '3'], ['4']]);
  });

  it('keeps maxConcurrency batches in flight while there is work, and never more', async () => {
    // Each invocation stays in flight until the test ends it, one at a time, once the source has had
    // the chance to fill every free slot: the peak is then decided by the source, not by timing. Timeouts
    // long enough that a held invocation is neither abandoned nor its record delivered again.
    const maxConcurrency = 2;
    const ends: (() => void)[] = [];
    // Ends every invocation, held or still to come, when the test stops early: stop() waits for them.
    const endAll = deferred();
    let running = 0;
    let peak = 0;
    const r = started(
      rig(
        async () => {
          running += 1;
          peak = Math.max(peak, running);
          const end = deferred();
          ends.push(end.resolve);
          await Promise.race([end.promise, endAll.promise]);
          running -= 1;
          return undefined;
        },
        { batchSize: 1, maxConcurrency, functionTimeoutMs: 60_000 },
        { visibilityTimeoutSeconds: 60 },
      ),
    );
    const records = 6;
    for (let index = 0; index < records; index += 1) r.send(String(index));
    try {
      for (let ended = 0; ended < records; ended += 1) {
        const expected = Math.min(ended + maxConcurrency, records);
        await waitFor(`${expected} invocations to have started`, () => (ends.length >= expected ? true : undefined));
        expect(r.source.stats().inFlightBatches).to.be.at.most(maxConcurrency);
        ends[ended]?.();
      }
    } finally {
      endAll.resolve();
    }
    await waitFor('all deleted', () => (r.source.stats().recordsDeleted === records ? true : undefined));
    expect(peak).to.equal(maxConcurrency);
    expect(r.events).to.have.length(records);
  });

  it('abandons an invocation that outlives the function timeout: nothing is deleted', async () => {
    let calls = 0;
    const r = started(
      rig(
        async () => {
          calls += 1;
          // The first invocation never returns, so only the function timeout can end it.
          if (calls === 1) await new Promise<never>(() => undefined);
          return undefined;
        },
        { functionTimeoutMs: 200 },
      ),
    );
    r.send('slow');
    await waitFor('the second delivery to succeed', () => (r.source.stats().recordsDeleted === 1 ? true : undefined), 5_000);
    expect(r.source.stats().outcomes['timed-out']).to.equal(1);
    expect(r.events.map((event) => event.Records[0]?.attributes.ApproximateReceiveCount)).to.deep.equal(['1', '2']);
  });

  it('leaves a message that always fails to the queue, which moves it to the DLQ after maxReceiveCount receives', async () => {
    const r = started(
      rig(
        async () => {
          throw new Error('poison');
        },
        {},
        { maxReceiveCount: 2 },
      ),
    );
    r.send('poison');
    await waitFor('the message in the DLQ', () => (r.sqs.stats('dlq').visible === 1 ? true : undefined), 6_000);
    expect(r.events.map((event) => event.Records[0]?.attributes.ApproximateReceiveCount)).to.deep.equal(['1', '2']);
  });

  it('finishes the batches in flight when stopped, and polls no more', async () => {
    const end = deferred();
    const r = started(
      rig(async () => {
        await end.promise;
        return undefined;
      }),
    );
    r.send('in flight');
    await waitFor('the invocation to start', () => (r.events.length === 1 ? true : undefined));
    const stopping = r.source.stop();
    end.resolve();
    await stopping;
    expect(r.source.stats().recordsDeleted).to.equal(1);
    r.send('after stop');
    // Nothing can be awaited for a poll that must not happen: give a stray poller several poll intervals.
    await sleep(SETTINGS.pollIntervalMs * 10);
    expect(r.events).to.have.length(1);
    expect(r.sqs.stats('orders')).to.deep.equal({ visible: 1, inFlight: 0, delayed: 0 });
  });
});
