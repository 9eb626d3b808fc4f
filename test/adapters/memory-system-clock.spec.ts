import { expect } from 'chai';
import { SystemClock } from '../../adapters/system/system-clock.js';

describe('Class: SystemClock', () => {
  it('reads the wall clock and sleeps for real', async () => {
    const clock = new SystemClock();
    const before = Date.now();

    await clock.sleep(20);

    expect(clock.now() - before).to.be.at.least(19);
  });
});
