import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOOT_WINDOW_MS, DeviceClock, clockStep } from '../../protocol/clock.ts';

describe('DeviceClock', () => {
  it('should unwrap the u32 millisecond counter across 2^32', () => {
    const c = new DeviceClock();
    expect(c.unwrap(2 ** 32 - 100)).toBe(2 ** 32 - 100);
    expect(c.unwrap(2 ** 32 - 1)).toBe(2 ** 32 - 1);
    expect(c.unwrap(5)).toBe(2 ** 32 + 5);
    expect(c.unwrap(2 ** 31)).toBe(2 ** 32 + 2 ** 31);
    expect(c.unwrap(2 ** 31 + BOOT_WINDOW_MS + 4)).toBe(2 ** 32 + 2 ** 31 + BOOT_WINDOW_MS + 4);
    // a step of 2^31 - 1 ms, over the wrap (to a clock past the boot window: no restart)
    expect(c.unwrap(BOOT_WINDOW_MS + 3)).toBe(2 ** 33 + BOOT_WINDOW_MS + 3);
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

  // for all start times t0 and forward steps each below 2^31 ms, unwrap(t mod 2^32) = t (but a
  // step of more than BOOT_WINDOW_MS to a clock under it, which reads as a restart: moved back
  // out of the window)
  it('should recover the true time from its value mod 2^32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 50 }), (t0, steps) => {
        const c = new DeviceClock();
        let t = t0;
        expect(c.unwrap(t % 2 ** 32) - t).toBe((t0 % 2 ** 32) - t0);
        for (let s of steps) {
          if (s > BOOT_WINDOW_MS && (t + s) % 2 ** 32 < BOOT_WINDOW_MS) s -= BOOT_WINDOW_MS + 1;
          t += s;
          expect(c.unwrap(t % 2 ** 32)).toBe(t - t0 + (t0 % 2 ** 32));
        }
      }),
    );
  });

  // a reset restarts the clock from 0; after more than 2^31 ms of uptime the signed difference
  // reads that as a step forward, which the boot window turns back into a restart
  it('should take a clock from 0 after more than 2^31 ms of uptime for a restart, not a step forward', () => {
    const day = 86_400_000;
    const c = new DeviceClock();
    c.unwrap(30 * day);
    expect(c.unwrap(150)).toBe(150);
    expect(c.unwrap(250)).toBe(250);
    expect(c.backwardSteps).toBe(1);
    expect(clockStep(150, 30 * day)).toBe(150 - 30 * day);
    expect(clockStep(150, 20 * day)).toBe(150 - 20 * day); // under 2^31 ms: back by the signed difference
  });

  it('should keep wraps, steps within the boot window and long steps to a later clock as progress', () => {
    expect(clockStep(150, 2 ** 32 - 100)).toBe(250); // the wrap, frames going on
    expect(clockStep(BOOT_WINDOW_MS - 1, 2 ** 32 - 1)).toBe(BOOT_WINDOW_MS); // the wrap with up to 10 min missed
    expect(clockStep(BOOT_WINDOW_MS - 1, 0)).toBe(BOOT_WINDOW_MS - 1); // the first 10 min after a reset, missed
    expect(clockStep(2_000_000_000, 300_000_000)).toBe(1_700_000_000); // 19.7 days missed: ahead, not in the window
    expect(clockStep(BOOT_WINDOW_MS, 2 ** 32 - 2 ** 30)).toBe(2 ** 30 + BOOT_WINDOW_MS); // just past the window
  });
});
