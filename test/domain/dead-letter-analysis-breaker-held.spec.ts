import { expect } from 'chai';
import fc from 'fast-check';
import { analyseDeadLetter } from '../../domain/dead-letter-analysis.js';
import { options, ORDER_BODY } from './dead-letter-analysis.fixtures.js';

describe('Module: dead-letter-analysis', () => {
  describe('Function: analyseDeadLetter, breaker-held messages', () => {
    const moved = { attributes: { idempotencyKey: 'k-1' }, body: ORDER_BODY, receiveCount: 6 };

    it('redrives a never-claimed message TRANSIENT without spending its redrive attempt', () => {
      const verdict = analyseDeadLetter(
        { ...moved, attributes: { ...moved.attributes, redriveAttempt: '2' }, neverClaimed: true },
        options,
      );

      expect(verdict).to.deep.include({
        action: 'REDRIVE',
        category: 'TRANSIENT',
        source: 'unclaimed',
        redriveAttempt: 2,
        heldRedrives: 1,
      });
    });

    it('judges it as any other once its budget-free redrives are spent, or when the worker parked it, or when it was claimed', () => {
      expect(
        analyseDeadLetter({ ...moved, attributes: { ...moved.attributes, heldRedrives: '20' }, neverClaimed: true }, options).source,
      ).to.not.equal('unclaimed');
      expect(
        analyseDeadLetter({ ...moved, attributes: { ...moved.attributes, errorCategory: 'PERMANENT' }, neverClaimed: true }, options)
          .action,
      ).to.equal('PARK');
      expect(analyseDeadLetter({ ...moved, neverClaimed: false }, options))
        .to.deep.include({ redriveAttempt: 1 })
        .and.not.have.property('heldRedrives');
      expect(analyseDeadLetter({ ...moved, receiveCount: 10, neverClaimed: true }, options).source).to.equal('receive-count');
    });

    it('never spends a redrive attempt on a never-claimed message, and never redrives one for free more than maxHeldRedrives times', () => {
      fc.assert(
        fc.property(fc.nat({ max: 40 }), fc.nat({ max: 9 }), fc.nat({ max: 30 }), (held, redrives, maxHeldRedrives) => {
          const verdict = analyseDeadLetter(
            {
              ...moved,
              attributes: { ...moved.attributes, heldRedrives: String(held), redriveAttempt: String(redrives) },
              neverClaimed: true,
            },
            { ...options, maxHeldRedrives },
          );
          if (held < maxHeldRedrives)
            expect(verdict).to.deep.include({ action: 'REDRIVE', redriveAttempt: redrives, heldRedrives: held + 1 });
          else expect(verdict).to.not.have.property('heldRedrives');
        }),
      );
    });
  });
});
