/** summaryTables: the report's summary metrics as quantities with units and time-in-band tables. */
import { describe, expect, it } from 'vitest';
import { summaryTables } from '../../../analyzer/report/summary.ts';

describe('summaryTables', () => {
  it('should move the unit from the name to the value, and say n/a for a missing value', () => {
    const { quantities, bands } = summaryTables({
      charge_in_Ah: 264.86,
      energy_out_Wh: 73403.2,
      resistance_median_mOhm: 0.1364,
      resistance_min_step_A: 30,
      operating_time_s: 31433.2,
      coulombic_efficiency: null,
      round_trip: false,
      equivalent_cycles: 0.8341,
    });
    expect(bands).toEqual([]);
    expect(quantities.map((q) => [q.label, q.value])).toEqual([
      ['charge in', '264.9 Ah'],
      ['energy out', '73403.2 Wh'],
      ['resistance median', '0.1364 mΩ'],
      ['resistance min step', '30 A'],
      ['operating time', '8:43:53.2'],
      ['coulombic efficiency', 'n/a'],
      ['round trip', 'no'],
      ['equivalent cycles', '0.8341'],
    ]);
    expect(quantities[0]!.key).toBe('charge_in_Ah');
  });

  it('should gather each family of bands into one table, with negative and fractional edges, in order', () => {
    const { quantities, bands } = summaryTables({
      soc_0_10_pct_s: 60,
      soc_0_10_pct_share: 0.25,
      temperature_below_minus10_C_s: 30,
      temperature_below_minus10_C_share: 0.1,
      temperature_minus10_2p5_C_s: 3600,
      temperature_minus10_2p5_C_share: 0.6,
      temperature_above_2p5_C_s: null,
      temperature_above_2p5_C_share: null,
      soc_10_20_pct_s: 180,
      soc_10_20_pct_share: 0.75,
      soc_time_s: 240,
    });
    expect(bands).toEqual([
      {
        family: 'soc',
        rows: [
          { band: '0–10 %', time: '1:00.0', share: '25 %' },
          { band: '10–20 %', time: '3:00.0', share: '75 %' },
        ],
      },
      {
        family: 'temperature',
        rows: [
          { band: 'below -10 °C', time: '0:30.0', share: '10 %' },
          { band: '-10–2.5 °C', time: '1:00:00.0', share: '60 %' },
          { band: 'above 2.5 °C', time: 'n/a', share: 'n/a' },
        ],
      },
    ]);
    expect(quantities.map((q) => q.key)).toEqual(['soc_time_s']);
  });

  it('should leave a band metric without its share, or with a name it cannot read, as a quantity', () => {
    const { quantities, bands } = summaryTables({ soc_0_10_pct_s: 5, temperature_hot_C_s: 7, temperature_hot_C_share: 1 });
    expect(bands).toEqual([]);
    expect(quantities.map((q) => q.key)).toEqual(['soc_0_10_pct_s', 'temperature_hot_C_s', 'temperature_hot_C_share']);
  });
});
