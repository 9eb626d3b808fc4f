import { expect } from 'chai';
import type { ConsumptionSwitch } from '../../../application/ports/consumption-switch.js';

export interface ConsumptionSwitchSubject {
  readonly consumption: ConsumptionSwitch;
  /** Whether each controlled consumer receives work now, read from the service itself (not through the adapter). */
  readonly consumersEnabled: () => Promise<readonly boolean[]>;
}

/** What the fleet pause relies on, for every ConsumptionSwitch: a round trip, idempotent both ways. */
export function consumptionSwitchContract(name: string, subjectOf: () => Promise<ConsumptionSwitchSubject>): void {
  describe(`Contract: ConsumptionSwitch (${name})`, () => {
    it('starts flowing, pauses every consumer, and resumes every consumer', async () => {
      // Prepare
      const { consumption, consumersEnabled } = await subjectOf();
      expect(await consumption.paused()).to.equal(false);
      // Act
      await consumption.pause();
      const whilePaused = await consumersEnabled();
      const pausedAnswer = await consumption.paused();
      await consumption.resume();
      // Assess
      expect(whilePaused.every((enabled) => !enabled)).to.equal(true);
      expect(pausedAnswer).to.equal(true);
      expect(await consumption.paused()).to.equal(false);
      expect((await consumersEnabled()).every(Boolean)).to.equal(true);
    });

    it('is idempotent: pausing twice, then resuming twice, ends flowing', async () => {
      const { consumption, consumersEnabled } = await subjectOf();

      await consumption.pause();
      await consumption.pause();
      expect(await consumption.paused()).to.equal(true);
      await consumption.resume();
      await consumption.resume();

      expect(await consumption.paused()).to.equal(false);
      expect((await consumersEnabled()).every(Boolean)).to.equal(true);
    });
  });
}
