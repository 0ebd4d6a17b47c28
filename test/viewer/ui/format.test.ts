/** The page's axis labels (viewer/src/ui/format.ts). */
import { describe, expect, it } from 'vitest';
import { percentTicks, timeTicks } from '../../../viewer/src/ui/format.ts';

describe('percentTicks', () => {
  // SOC ticks 0.02 %, 0.2 %, 10 % apart / labels with the decimals the spacing needs, all distinct
  it('should give ticks as many decimals as their spacing needs', () => {
    expect(percentTicks([0.8996, 0.8998, 0.9], 0.0002)).toEqual(['89.96', '89.98', '90.00']);
    expect(percentTicks([0.696, 0.698, 0.7], 0.002)).toEqual(['69.6', '69.8', '70.0']);
    expect(percentTicks([0, 0.1, 0.2], 0.1)).toEqual(['0', '10', '20']);
    expect(percentTicks([0.25, 0.75], 0.5)).toEqual(['25', '75']);
    expect(percentTicks([0.5], 0)).toEqual(['50.0']);
  });

  // any scale and spacing uPlot may choose (a fraction, from 1e-7 to 1) / the labels of
  // consecutive ticks differ, holds
  it('should never give two consecutive ticks the same label', () => {
    for (let e = -7; e <= 0; e++) {
      for (const m of [1, 2, 2.5, 5]) {
        const incr = m * 10 ** e;
        for (const base of [0, 0.123456, 0.9, 0.99]) {
          const splits = [0, 1, 2, 3].map((k) => Math.round((base + k * incr) / incr) * incr);
          const labels = percentTicks(splits, incr);
          for (let k = 1; k < labels.length; k++) expect(labels[k], `${incr} ${splits}`).not.toBe(labels[k - 1]);
        }
      }
    }
  });
});

describe('timeTicks', () => {
  // ticks 20 s, 0.5 s and 0.05 s apart, one with the live window's origin / the decimals the
  // spacing needs, on the reports' h:mm:ss clock
  it('should give ticks the decimals of a second their spacing needs', () => {
    expect(timeTicks([20, 40, 60], 20)).toEqual(['0:20', '0:40', '1:00']);
    expect(timeTicks([11.5, 12, 12.5], 0.5)).toEqual(['0:11.5', '0:12.0', '0:12.5']);
    expect(timeTicks([12.35, 12.4, 12.45], 0.05)).toEqual(['0:12.35', '0:12.40', '0:12.45']);
    expect(timeTicks([0, 1800], 1800, 3600)).toEqual(['1:00:00', '1:30:00']);
  });

  // spacings uPlot may choose (1, 2, 5 × 10^-3 … 10^4 s) anywhere in a day / consecutive labels
  // differ, holds
  it('should never give two consecutive ticks the same label', () => {
    for (let e = -3; e <= 4; e++) {
      for (const m of [1, 2, 5]) {
        const incr = m * 10 ** e;
        for (const base of [0, 59.9, 3599.9, 86_000]) {
          const splits = [0, 1, 2, 3].map((k) => (Math.round(base / incr) + k) * incr);
          const labels = timeTicks(splits, incr);
          for (let k = 1; k < labels.length; k++) expect(labels[k], `${incr} ${splits}`).not.toBe(labels[k - 1]);
        }
      }
    }
  });
});
