import type { Random } from '../../application/ports/random.js';

/** Math.random: good enough for jitter, which only has to spread retries apart, not be unpredictable. */
export class MathRandom implements Random {
  next(): number {
    return Math.random();
  }
}
