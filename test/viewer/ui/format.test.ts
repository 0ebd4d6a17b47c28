/** The page's axis labels (viewer/src/ui/format.ts). */
import { describe, expect, it } from 'vitest';
import { percentTicks } from '../../../viewer/src/ui/format.ts';

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
