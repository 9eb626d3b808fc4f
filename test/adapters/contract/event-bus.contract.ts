import { expect } from 'chai';
import type { EventBus, PipelineEvent } from '../../../application/ports/event-bus.js';
import { freshSubjectPerTest, refusalOf, uniqueName, type Disposable } from './contract-support.js';

/** An event as a consumer of the bus receives it. */
export interface DeliveredEvent {
  readonly eventId: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface EventBusContractSubject extends Disposable {
  readonly bus: EventBus;
  /** The events of `source` delivered so far (e.g. through a rule to an SQS target), in any order. */
  delivered(): Promise<readonly DeliveredEvent[]>;
  /** Events published by the contract use this source; a subject's rule may match on it. */
  readonly source: string;
  /** Deletes the bus (its rules first, as DeleteEventBus's API reference asks). */
  deleteBus(): Promise<void>;
}

export interface EventBusEntryFailureSubject extends EventBusContractSubject {
  /** The next `count` entries sent (re-sends included) fail with this PutEvents ErrorCode. */
  failNextEntries(count: number, errorCode: string): void;
}

/** The semantics every EventBus adapter shares with EventBridge PutEvents. */
export function eventBusContract(name: string, makeSubject: () => Promise<EventBusContractSubject>): void {
  describe(`Contract: EventBus (${name})`, () => {
    const subject = freshSubjectPerTest(makeSubject);

    describe('Method: publish', () => {
      it('delivers each event once with its source, detail-type, detail and event id', async () => {
        const events = [anEvent(subject().source, 1), anEvent(subject().source, 2)];

        const result = await subject().bus.publish(events);
        const delivered = await subject().delivered();

        expect(result.failed).to.deep.equal([]);
        expect(result.published.map((event) => event.eventId)).to.have.members(events.map((event) => event.eventId));
        expect(delivered).to.have.length(2);
        for (const event of events) {
          const received = delivered.find((candidate) => candidate.eventId === event.eventId);
          expect(received, event.eventId).to.not.equal(undefined);
          expect(received?.source).to.equal(event.source);
          expect(received?.detailType).to.equal(event.detailType);
          expect(received?.detail).to.deep.include(event.detail);
        }
      });

      it('publishes more events than one PutEvents request takes, each exactly once', async () => {
        const events = Array.from({ length: 25 }, (_, index) => anEvent(subject().source, index));

        const result = await subject().bus.publish(events);
        const delivered = await subject().delivered();

        expect(result.published).to.have.length(25);
        expect(delivered.map((event) => event.eventId).sort()).to.deep.equal(events.map((event) => event.eventId).sort());
      });

      it('reports an event too large for any request as a VALIDATION failure and publishes the others', async () => {
        const tooLarge = anEvent(subject().source, 2, { note: 'x'.repeat(1_048_577) });
        const events = [anEvent(subject().source, 1), tooLarge, anEvent(subject().source, 3)];

        const result = await subject().bus.publish(events);
        const delivered = await subject().delivered();

        expect(result.failed.map((failure) => [failure.event.eventId, failure.category])).to.deep.equal([[tooLarge.eventId, 'VALIDATION']]);
        expect(result.published).to.have.length(2);
        expect(delivered.map((event) => event.eventId)).to.not.include(tooLarge.eventId);
      });

      it('answers an empty publish with two empty lists', async () => {
        expect(await subject().bus.publish([])).to.deep.equal({ published: [], failed: [] });
      });
    });

    /*
     * moto 5.2 refuses PutEvents naming a bus that does not exist with ResourceNotFoundException, and the
     * adapters throw it. EventBridge itself differs: it has been reported to answer 200 with an EventId
     * for every entry and drop the events (aws/aws-sdk#186, aws/aws-cli#9186), so on AWS the adapter would
     * report them published. These cases pin the emulator's behaviour, which the fake follows.
     */
    describe('Deleted bus', () => {
      it('refuses a publish: thrown, PERMANENT, AWS.ResourceNotFoundException, and delivers nothing', async () => {
        await subject().deleteBus();

        const refusal = await refusalOf(() => subject().bus.publish([anEvent(subject().source, 1), anEvent(subject().source, 2)]));

        expect(refusal).to.deep.equal({ category: 'PERMANENT', code: 'AWS.ResourceNotFoundException' });
        expect(await subject().delivered()).to.deep.equal([]);
      });

      it('answers an empty publish with two empty lists: no request is made, so nothing is refused', async () => {
        await subject().deleteBus();

        expect(await subject().bus.publish([])).to.deep.equal({ published: [], failed: [] });
      });
    });
  });
}

/**
 * PutEvents answers 200 with failed entries inside. Adapters re-send only the entries whose ErrorCode is
 * retryable, a bounded number of times, and return the rest as failed with their category. Needs a
 * subject that can make entries fail (a fake, or a client stub); its backoff must not wait in real time.
 */
export function eventBusEntryFailureContract(name: string, makeSubject: () => Promise<EventBusEntryFailureSubject>): void {
  describe(`Contract: EventBus entry failures (${name})`, () => {
    const subject = freshSubjectPerTest(makeSubject);

    for (const errorCode of ['InternalFailure', 'ThrottlingException']) {
      it(`re-sends an entry that failed with ${errorCode} and reports it published, once`, async () => {
        const events = [anEvent(subject().source, 1), anEvent(subject().source, 2), anEvent(subject().source, 3)];
        subject().failNextEntries(1, errorCode);

        const result = await subject().bus.publish(events);
        const delivered = await subject().delivered();

        expect(result.failed).to.deep.equal([]);
        expect(result.published.map((event) => event.eventId)).to.have.members(events.map((event) => event.eventId));
        expect(delivered.map((event) => event.eventId).sort()).to.deep.equal(events.map((event) => event.eventId).sort());
      });
    }

    for (const errorCode of ['AccessDeniedException', 'InvalidArgument', 'MalformedDetail']) {
      it(`reports an entry that failed with ${errorCode} as PERMANENT without re-sending it`, async () => {
        const [first, second] = [anEvent(subject().source, 1), anEvent(subject().source, 2)];
        subject().failNextEntries(1, errorCode);

        const result = await subject().bus.publish([first, second]);
        const delivered = await subject().delivered();

        expect(result.failed).to.have.length(1);
        expect(result.failed[0]?.event.eventId).to.equal(first.eventId);
        expect(result.failed[0]?.category).to.equal('PERMANENT');
        expect(result.failed[0]?.code).to.contain(errorCode);
        expect(delivered.map((event) => event.eventId)).to.deep.equal([second.eventId]);
      });
    }

    it('gives up on an entry that keeps failing with a retryable code and reports it TRANSIENT', async () => {
      const event = anEvent(subject().source, 1);
      subject().failNextEntries(1_000, 'ThrottlingException');

      const result = await subject().bus.publish([event]);

      expect(result.published).to.deep.equal([]);
      expect(result.failed.map((failure) => [failure.event.eventId, failure.category])).to.deep.equal([[event.eventId, 'TRANSIENT']]);
      expect(await subject().delivered()).to.deep.equal([]);
    });
  });
}

function anEvent(source: string, index: number, extraDetail: Record<string, unknown> = {}): PipelineEvent {
  const orderId = `order-${String(index).padStart(4, '0')}`;
  return {
    eventId: uniqueName(`evt-${index}`),
    source,
    detailType: 'OrderProcessed',
    detail: { orderId, correlationId: `corr-${index}`, totalMinor: 4_498 + index, currency: 'EUR', ...extraDetail },
    time: Date.UTC(2026, 0, 1, 12),
  };
}
