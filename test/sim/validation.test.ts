/**
 * Validation against real data: the naion-18650-layered preset EXACTLY AS SHIPPED (its own
 * 1.5 Ah capacity, no parameter overridden), simulated with the reference Cell on the four
 * measured whole cycles of cell 2 of the Hakadi 1.5 Ah sodium-ion 18650
 * (sim/data/chemistry/hakadi-18650/, CC0 data; CCCV top-up, CC discharge, CCCV recharge).
 *
 * The replay and the compared parts are sim/chemistry/cycles.ts's (the same code the fit in
 * tools/fit-charge-branch.ts uses): start at the first discharge row at SOC 1, h = +1, RC
 * relaxed, 23 °C ambient (the middle of the uncontrolled 20–25 °C room), dt 1 s, the measured
 * current as recorded; discharge compared over 5–95 % model SOC, the recharge over its CC part
 * (until the measured voltage first reaches 4.095 V) and, for information, its CV part.
 *
 * Target (issue 11): ≤ 25 mV RMS on every discharge and every CC recharge. The fit reaches it
 * on the 0.5C and 0.66C discharges only; the figures are printed, and the test guards what is
 * reached (chemistry README, "Charge branch": what limits the rest).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Cycle, compareCycle, parseCycle } from '../../sim/chemistry/cycles.ts';
import { loadChemistry } from '../../sim/node/load.ts';

const FILES = ['cycle-0c5-2-1', 'cycle-0c5-2-2', 'cycle-0c66-2-1', 'cycle-2c-2-1'] as const;
const TARGET_V = 0.025;
/** What the shipped preset reaches, with a little room (regression guards, not the target). */
const GUARD_DISCHARGE_V = 0.033;
const GUARD_CC_V = 0.038;
/** The mean CC-recharge error: −89…−121 mV before the charge side was fitted. */
const GUARD_CC_MEAN_V = 0.02;

const cycles: Cycle[] = FILES.map((n) =>
  parseCycle(readFileSync(new URL(`../../sim/data/chemistry/hakadi-18650/${n}.csv`, import.meta.url), 'utf8'), `${n}.csv`),
);
const spec = loadChemistry('naion-18650-layered').spec;
const mV = (v: number) => (v * 1000).toFixed(1);

describe('naion-18650-layered as shipped against measured whole cycles', () => {
  it.each(cycles.map((c) => [c.name, c] as const))('%s: discharge and CC recharge within the guards, figures printed', (_name, cycle) => {
    const parts = compareCycle(spec, cycle);
    for (const p of parts) {
      const flag = p.part === 'recharge CV' ? '(information)' : p.rms_V <= TARGET_V ? '(meets the 25 mV target)' : '(ABOVE the 25 mV target)';
      console.log(
        `${cycle.name} ${p.part}: RMS ${mV(p.rms_V)} mV, mean ${mV(p.mean_V)} mV, max |error| ${mV(p.maxAbs_V)} mV over ${p.n} rows, ` +
          `model SOC ${p.soc[0].toFixed(3)}→${p.soc[1].toFixed(3)} ${flag}`,
      );
    }
    const [dis, cc] = parts;
    expect(dis!.part).toBe('discharge');
    expect(cc!.part).toBe('recharge CC');
    // Enough rows that the figures mean something: the discharge spans 5–95 %, the CC part most of the recharge.
    expect(dis!.n).toBeGreaterThan(1500);
    expect(cc!.n).toBeGreaterThan(3500);
    expect(dis!.rms_V).toBeLessThanOrEqual(GUARD_DISCHARGE_V);
    expect(cc!.rms_V).toBeLessThanOrEqual(GUARD_CC_V);
    expect(Math.abs(cc!.mean_V)).toBeLessThanOrEqual(GUARD_CC_MEAN_V);
  });

  it('should meet the 25 mV target on the 0.5C and 0.66C discharges', () => {
    for (const c of cycles.slice(0, 3)) expect(compareCycle(spec, c)[0]!.rms_V).toBeLessThanOrEqual(TARGET_V);
  });

  it('should get worse, not better, when the preset is perturbed outside its fit', () => {
    // Guards against a comparison that passes whatever the preset says: doubling the
    // resistances breaks the discharge, removing the hysteresis breaks the recharge.
    const bad = structuredClone(spec);
    if (bad.resistance.form !== 'arrhenius') throw new Error('expected the arrhenius form');
    bad.resistance.r0_ohm = bad.resistance.r0_ohm.map((r) => 2 * r);
    for (const b of bad.resistance.rc) {
      b.r_ohm = b.r_ohm.map((r) => 2 * r);
      b.c_F = b.c_F.map((c) => c / 2);
    }
    expect(compareCycle(bad, cycles[0]!)[0]!.rms_V).toBeGreaterThan(TARGET_V);
    const flat = structuredClone(spec);
    flat.hysteresis.M_V = flat.hysteresis.M_V.map(() => 0);
    expect(compareCycle(flat, cycles[0]!)[1]!.rms_V).toBeGreaterThan(2 * GUARD_CC_V);
  });
});
