import type { Random } from '../../application/ports/random.js';

const UINT32_RANGE = 4_294_967_296;

/**
 * mulberry32: a tiny, fast generator whose whole state is one 32-bit integer, so a harness run started
 * with the same seed makes the same jitter and fault decisions. Not for anything that must be secret.
 */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / UINT32_RANGE;
  }
}
