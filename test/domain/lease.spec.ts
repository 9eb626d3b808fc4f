import { expect } from 'chai';
import fc from 'fast-check';
import { DEFAULT_LEASE_OPTIONS, leaseDurationMs } from '../../domain/lease.js';

describe('Function: leaseDurationMs', () => {
  for (const remaining of [undefined, 0, -1, -60_000, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`falls back to ${DEFAULT_LEASE_OPTIONS.fallbackMs} ms when the remaining time is ${String(remaining)}`, () => {
      expect(leaseDurationMs(remaining)).to.equal(DEFAULT_LEASE_OPTIONS.fallbackMs);
    });
  }

  it('keeps the margin back from the remaining time', () => {
    expect(leaseDurationMs(900_000)).to.equal(900_000 - DEFAULT_LEASE_OPTIONS.marginMs);
  });

  it('never grants less than the floor', () => {
    expect(leaseDurationMs(1)).to.equal(DEFAULT_LEASE_OPTIONS.floorMs);
    expect(leaseDurationMs(DEFAULT_LEASE_OPTIONS.floorMs)).to.equal(DEFAULT_LEASE_OPTIONS.floorMs);
  });

  it('uses the options it is given', () => {
    const options = { marginMs: 2_000, floorMs: 3_000, fallbackMs: 7_000 };

    expect(leaseDurationMs(10_000, options)).to.equal(8_000);
    expect(leaseDurationMs(4_000, options)).to.equal(3_000);
    expect(leaseDurationMs(0, options)).to.equal(7_000);
  });

  it('never yields 0 or less, whatever the remaining time', () => {
    fc.assert(
      fc.property(fc.option(fc.double(), { nil: undefined }), (remaining) => {
        const lease = leaseDurationMs(remaining);
        expect(lease).to.be.greaterThan(0);
        expect(Number.isFinite(lease)).to.equal(true);
      }),
    );
  });
});
