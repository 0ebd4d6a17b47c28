import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceClock } from '../../protocol/clock.ts';

describe('DeviceClock', () => {
  it('should unwrap the u32 millisecond counter across 2^32', () => {
    const c = new DeviceClock();
    expect(c.unwrap(2 ** 32 - 100)).toBe(2 ** 32 - 100);
    expect(c.unwrap(2 ** 32 - 1)).toBe(2 ** 32 - 1);
    expect(c.unwrap(5)).toBe(2 ** 32 + 5);
    expect(c.unwrap(2 ** 31 + 4)).toBe(2 ** 32 + 2 ** 31 + 4); // a step of 2^31 - 1 ms
    expect(c.unwrap(3)).toBe(2 ** 33 + 3);
    expect(c.backwardSteps).toBe(0);
  });

  it('should count and follow a step back', () => {
    const c = new DeviceClock();
    c.unwrap(10_000);
    expect(c.unwrap(4_000)).toBe(4_000);
    expect(c.backwardSteps).toBe(1);
    c.reset();
    expect(c.unwrap(7)).toBe(7);
    expect(c.backwardSteps).toBe(0);
  });

  // for all start times t0 and forward steps each below 2^31 ms, unwrap(t mod 2^32) = t
  it('should recover the true time from its value mod 2^32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 50 }), (t0, steps) => {
        const c = new DeviceClock();
        let t = t0;
        expect(c.unwrap(t % 2 ** 32) - t).toBe((t0 % 2 ** 32) - t0);
        for (const s of steps) {
          t += s;
          expect(c.unwrap(t % 2 ** 32)).toBe(t - t0 + (t0 % 2 ** 32));
        }
      }),
    );
  });
});
