/**
 * Seeded Gaussian noise for the measurement layer, cheap enough for every channel of every
 * tick: a table of standard normal deviates drawn once from the seeded PRNG. `normal()` picks
 * an entry with the PRNG's next 32-bit word; a measurement cycle over many channels takes one
 * random start (`start()`) and reads consecutive entries (`table[(start + k) & MASK]`), so
 * channels within a cycle get distinct deviates and each channel's sequence over cycles is a
 * random draw. Deterministic for a seed; allocates nothing after construction.
 */
import { Random } from '../../random.ts';

const TABLE_BITS = 14;
export const NOISE_MASK = (1 << TABLE_BITS) - 1;
const MASK = NOISE_MASK;

export class Noise {
  private readonly rng: Random;
  readonly table: Float64Array;

  constructor(seed: number) {
    this.rng = new Random(seed);
    this.table = new Float64Array(1 << TABLE_BITS);
    for (let i = 0; i < this.table.length; i++) this.table[i] = this.rng.truncatedNormal(0, 1, 4);
  }

  /** Random start index for a cycle of consecutive reads. */
  start(): number {
    return this.rng.u32() & MASK;
  }

  /** A standard normal deviate (truncated at ±4σ). */
  normal(): number {
    return this.table[this.rng.u32() & MASK]!;
  }
}
