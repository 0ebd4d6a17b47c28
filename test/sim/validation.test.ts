/**
 * Validation against real data: the naion-18650-layered preset EXACTLY AS SHIPPED (its own
 * 1.5 Ah capacity, no parameter overridden), simulated with the reference Cell on the four
 * measured whole cycles of cell 2 of the Hakadi 1.5 Ah sodium-ion 18650
 * (sim/data/chemistry/hakadi-18650/, CC0 data; CCCV top-up, CC discharge, CCCV recharge).
 *
 * The replay and the compared parts are sim/chemistry/cycles.ts's (the same code the fit in
 * tools/fit-charge-branch.ts uses): a file that begins with the cell at rest after a CCCV charge
 * starts at the SOC whose rested voltage (h = +1, 23 °C) is its first row and replays the
 * measured top-up; a file without a rested start begins at the first discharge row at SOC 1;
 * h = +1, RC relaxed, 23 °C ambient (the middle of the uncontrolled 20–25 °C room), dt 1 s, the
 * measured current as recorded; discharge compared over 5–95 % model SOC, the recharge over its
 * CC part (until the measured voltage first reaches 4.095 V) and, for information, its CV part.
 *
 * Target (issue 11): ≤ 25 mV RMS on every discharge and every CC recharge, asserted on all
 * eight (the fit minimises the worst of them; chemistry README, "Charge branch").
 *
 * At rest after a charge: the model, after each recharge (CC as measured, then the rig's CV
 * to 0.1 A driven by the model, then 1 h at zero current), against the measured voltage of
 * the cell at rest after a CCCV charge (first row of each cycle file that starts full); and
 * the rested charge/discharge gap at mid SOC against the incremental-OCV test's ~20 mV.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Cell } from '../../sim/cell.ts';
import { type Cycle, compareCycle, parseCycle, restAfterRecharge, restedAfterCharge } from '../../sim/chemistry/cycles.ts';
import { loadChemistry } from '../../sim/node/load.ts';

const FILES = ['cycle-0c5-2-1', 'cycle-0c5-2-2', 'cycle-0c66-2-1', 'cycle-2c-2-1'] as const;
const TARGET_V = 0.025;
/** Without the charge resistance the CC recharge is off by far more than the target (it was ~100 mV before the fit). */
const SYMMETRIC_CC_MIN_V = 0.06;
/** The mean CC-recharge error: −89…−121 mV before the charge side was fitted. */
const GUARD_CC_MEAN_V = 0.02;
/** Model minus measured rested voltage after a recharge: the model reads 8–16 mV high; guard. */
const GUARD_REST_V = 0.025;
/**
 * The rested charge/discharge gap of the Hakadi incremental-OCV test (20-min rests, repository
 * README): ~20 mV over 35–100 % SOC. Before the charge resistance the model's was 166 mV at 50 %.
 */
const REST_GAP_MID_V = 0.02;
const REST_GAP_TOL_V = 0.01;

const cycles: Cycle[] = FILES.map((n) =>
  parseCycle(readFileSync(new URL(`../../sim/data/chemistry/hakadi-18650/${n}.csv`, import.meta.url), 'utf8'), `${n}.csv`),
);
const spec = loadChemistry('naion-18650-layered').spec;
const mV = (v: number) => (v * 1000).toFixed(1);

describe('naion-18650-layered as shipped against measured whole cycles', () => {
  it.each(cycles.map((c) => [c.name, c] as const))('%s: discharge and CC recharge within 25 mV RMS, figures printed', (_name, cycle) => {
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
    expect(dis!.rms_V).toBeLessThanOrEqual(TARGET_V);
    expect(cc!.rms_V).toBeLessThanOrEqual(TARGET_V);
    expect(Math.abs(cc!.mean_V)).toBeLessThanOrEqual(GUARD_CC_MEAN_V);
  });

  it('should meet the 25 mV target on the worst of the eight figures', () => {
    const figures = cycles.flatMap((c) => compareCycle(spec, c).filter((p) => p.part !== 'recharge CV'));
    expect(figures).toHaveLength(8);
    const worst = Math.max(...figures.map((p) => p.rms_V));
    console.log(`worst of the four discharges and four CC recharges: ${mV(worst)} mV RMS (target ${mV(TARGET_V)} mV)`);
    expect(worst).toBeLessThanOrEqual(TARGET_V);
  });

  it('should rest after each recharge near the measured rested voltage of a charged cell', () => {
    const measured = cycles.map(restedAfterCharge).filter((v): v is number => v !== undefined);
    expect(measured.length).toBeGreaterThanOrEqual(3);
    const mean = measured.reduce((a, b) => a + b, 0) / measured.length;
    for (const c of cycles) {
      const r = restAfterRecharge(spec, c);
      console.log(
        `${c.name} rest 1 h after the recharge (CCCV to 0.1 A, model SOC ${r.soc.toFixed(3)}): model ${r.voltage_V.toFixed(4)} V, ` +
          `measured at rest after a CCCV charge ${mean.toFixed(4)} V (${measured.map((v) => v.toFixed(4)).join(' / ')}), model − measured ${mV(r.voltage_V - mean)} mV`,
      );
      expect(Math.abs(r.voltage_V - mean)).toBeLessThanOrEqual(GUARD_REST_V);
    }
  });

  it('should rest after a charge to mid SOC at the measured charge/discharge gap, not under the charge polarisation', () => {
    // 10 % SOC at 0.5C towards 50 % from either side, then the incremental-OCV test's 20-min rest
    const rest = (from: number, I: number) => {
      const cell = new Cell(spec, { soc: from, T_C: 23, h: I > 0 ? -1 : 1 });
      const steps = Math.round((Math.abs(0.5 - from) * spec.capacity_Ah * 3600) / Math.abs(I));
      for (let i = 0; i < steps; i++) cell.step(I, 1, 23);
      for (let i = 0; i < 1200; i++) cell.step(0, 1, 23);
      return cell.voltage(0);
    };
    const gap = rest(0.4, 0.75) - rest(0.6, -0.75);
    console.log(`rested gap at 50 % SOC, charge − discharge: model ${mV(gap)} mV, measured ~${mV(REST_GAP_MID_V)} mV (incremental-OCV test)`);
    expect(Math.abs(gap - REST_GAP_MID_V)).toBeLessThanOrEqual(REST_GAP_TOL_V);
  });

  it('should get worse, not better, when the preset is perturbed outside its fit', () => {
    // Guards against a comparison that passes whatever the preset says: doubling the
    // resistances breaks the discharge, removing the charge resistance breaks the recharge.
    const bad = structuredClone(spec);
    if (bad.resistance.form !== 'arrhenius') throw new Error('expected the arrhenius form');
    bad.resistance.r0_ohm = bad.resistance.r0_ohm.map((r) => 2 * r);
    for (const b of bad.resistance.rc) {
      b.r_ohm = b.r_ohm.map((r) => 2 * r);
      b.c_F = b.c_F.map((c) => c / 2);
    }
    expect(compareCycle(bad, cycles[0]!)[0]!.rms_V).toBeGreaterThan(TARGET_V);
    const symmetric = structuredClone(spec);
    if (symmetric.resistance.form !== 'arrhenius' || !symmetric.resistance.r0_charge_ohm) throw new Error('expected a charge resistance');
    delete symmetric.resistance.r0_charge_ohm;
    expect(compareCycle(symmetric, cycles[0]!)[1]!.rms_V).toBeGreaterThan(SYMMETRIC_CC_MIN_V);
  });
});
