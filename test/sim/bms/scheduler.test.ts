import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../../sim/bms/scheduler.ts';

describe('Scheduler', () => {
  // for all fast periods and task ratios / such that the run covers some seconds / each task runs exactly once per its period
  it('should run each task once per period of simulated time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 5, 10, 20, 50, 100),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 2000 }),
        (f, midK, slowK, steps) => {
          const s = new Scheduler({ fast_period_ms: f, mid_period_ms: f * midK, slow_period_ms: f * midK * slowK });
          let fast = 0;
          let mid = 0;
          let slow = 0;
          let last = 0;
          s.runUntil(steps * f, (fl) => {
            expect(fl.t_ms).toBe(last + f);
            last = fl.t_ms;
            fast++;
            if (fl.mid) mid++;
            if (fl.slow) {
              slow++;
              expect(fl.mid).toBe(true);
            }
          });
          expect(fast).toBe(steps);
          expect(mid).toBe(Math.floor(steps / midK));
          expect(slow).toBe(Math.floor(steps / (midK * slowK)));
        },
      ),
    );
  });

  it('should run nothing twice when called again for the same time', () => {
    const s = new Scheduler({ fast_period_ms: 10, mid_period_ms: 100, slow_period_ms: 1000 });
    let n = 0;
    s.runUntil(1000, () => n++);
    s.runUntil(1000, () => n++);
    s.runUntil(1005, () => n++);
    expect(n).toBe(100);
    expect(s.next_ms).toBe(1010);
  });

  it('should reject periods that do not nest', () => {
    expect(() => new Scheduler({ fast_period_ms: 10, mid_period_ms: 15, slow_period_ms: 1000 })).toThrow(/"mid_period_ms" must be a whole multiple/);
    expect(() => new Scheduler({ fast_period_ms: 0, mid_period_ms: 10, slow_period_ms: 1000 })).toThrow(/"fast_period_ms"/);
  });
});
