import { expect } from 'chai';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBus, PipelineEvent } from '../../application/ports/event-bus.js';
import type { QueueMessage } from '../../application/ports/queue-message.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { harnessObservers, readJournal } from '../../harness/observation/observation-journal.js';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

function event(eventId: string, idempotencyKey: string, time = NOW): PipelineEvent {
  return { eventId, source: 'orders.pipeline', detailType: 'OrderProcessed', detail: { idempotencyKey }, time };
}

/** A bus that accepts every event, as the real one does when healthy. */
const ACCEPTING_BUS: EventBus = { publish: async (events) => ({ published: [...events], failed: [] }) };

function message(key: string): QueueMessage {
  return {
    messageId: `message-${key}`,
    receiptHandle: `receipt-${key}`,
    body: '{}',
    attributes: { [MESSAGE_ATTRIBUTES.idempotencyKey]: key },
    receiveCount: 1,
    sentAt: NOW,
  };
}

describe('Function: harnessObservers', () => {
  let folder: string;
  let path: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'observation-journal-'));
    path = join(folder, 'journal.jsonl');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('gives a harness started on the same journal the events and acknowledgements of the one before', async () => {
    // Prepare
    let now = NOW;
    const before = harnessObservers(ACCEPTING_BUS, () => now, path);
    await before.events.publish([event('e-1', 'k-1'), event('e-2', 'k-2')]);
    before.consumption.acknowledged('worker', [message('k-1')]);
    now += 1_000;
    before.consumption.acknowledged('consume-pipe', [message('k-1'), message('k-2')]);

    // Act
    const after = harnessObservers(ACCEPTING_BUS, () => now, path);

    // Assess
    expect(after.events.all()).to.deep.equal(before.events.all());
    expect(after.events.countsByType()).to.deep.equal({ OrderProcessed: 2 });
    expect(after.consumption.of('k-1')).to.deep.equal({ worker: 1, 'consume-pipe': 1 });
    expect(after.consumption.of('k-2')).to.deep.equal({ 'consume-pipe': 1 });
  });

  it("counts only the acknowledgements made since a given time: those of the key's current record", () => {
    let now = NOW;
    const observers = harnessObservers(ACCEPTING_BUS, () => now, path);
    observers.consumption.acknowledged('worker', [message('k-1')]);
    now += 5_000;
    observers.consumption.acknowledged('worker', [message('k-1')]);

    expect(observers.consumption.of('k-1')).to.deep.equal({ worker: 2 });
    expect(observers.consumption.of('k-1', NOW + 1)).to.deep.equal({ worker: 1 });
    expect(observers.consumption.of('k-1', NOW + 10_000)).to.deep.equal({});
  });

  it('skips lines that are not entries (a write cut short, a stray edit) and keeps reading', async () => {
    const first = harnessObservers(ACCEPTING_BUS, () => NOW, path);
    await first.events.publish([event('e-1', 'k-1')]);
    appendFileSync(
      path,
      '{"kind":"event","event":{"eventId":"half\n{"kind":"acknowledged","acknowledgement":{"consumer":"worker"}}\nnot json\n',
    );
    await first.events.publish([event('e-2', 'k-1')]);

    expect(readJournal(path).map((entry) => (entry.kind === 'event' ? entry.event.eventId : entry.kind))).to.deep.equal(['e-1', 'e-2']);
    expect(
      harnessObservers(ACCEPTING_BUS, () => NOW, path)
        .events.all()
        .map((each) => each.eventId),
    ).to.deep.equal(['e-1', 'e-2']);
  });

  it('writes nothing without a journal (the memory backend, whose records die with the process)', async () => {
    const observers = harnessObservers(ACCEPTING_BUS, () => NOW, undefined);
    await observers.events.publish([event('e-1', 'k-1')]);
    observers.consumption.acknowledged('worker', [message('k-1')]);

    expect(() => readFileSync(path)).to.throw(/ENOENT/);
    expect(observers.consumption.of('k-1')).to.deep.equal({ worker: 1 });
  });
});
