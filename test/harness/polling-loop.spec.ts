import { expect } from 'chai';
import { PollingLoop } from '../../harness/emulation/event-sources/polling-loop.js';

describe('Class: PollingLoop (harness/emulation/event-sources/polling-loop.ts)', () => {
  it('runs its turn again and again until stopped, and a stop cuts a long pause short', async () => {
    // Prepare: each turn pauses for a minute
    let turns = 0;
    const loop: PollingLoop = new PollingLoop(async () => {
      turns += 1;
      await loop.pause(60_000);
    });

    // Act
    loop.start();
    loop.start();
    const started = Date.now();
    await loop.stop();

    // Assess: one turn (a second start is ignored), and the stop did not wait out the pause
    expect(turns).to.equal(1);
    expect(Date.now() - started).to.be.lessThan(5_000);
    expect(loop.running).to.equal(false);
  });

  it('wakes a pause early, and pauses no more once stopped', async () => {
    let turns = 0;
    const loop: PollingLoop = new PollingLoop(async () => {
      turns += 1;
      if (turns >= 3) {
        void loop.stop();
        return;
      }
      await loop.pause(60_000);
    });

    loop.start();
    while (turns < 1) await new Promise((resolve) => setImmediate(resolve));
    loop.wake();
    while (turns < 2) await new Promise((resolve) => setImmediate(resolve));
    loop.wake();
    while (turns < 3) await new Promise((resolve) => setImmediate(resolve));
    await loop.stop();

    expect(turns, 'the third turn stopped the loop').to.equal(3);
    const started = Date.now();
    await loop.pause(60_000);
    expect(Date.now() - started, 'a stopped loop does not pause').to.be.lessThan(1_000);
  });
});
