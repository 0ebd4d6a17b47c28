/**
 * The scenario runner (sim/run.ts) on small packs: terminations, the CV hold, constant
 * power, rest durations, drive cycles to a SOC, and power out of reach.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type StepLog, type StepView, runScenario, startScenario } from '../../sim/run.ts';
import { AbuseError, InputError } from '../../sim/errors.ts';
import { readScenario } from '../../sim/scenario.ts';
import { U } from './arbitraries.ts';
import { NODE_FILES } from '../../sim/node/files.ts';

const base = {
  name: 'runner-test',
  chemistry: 'naion-18650-layered',
  pack: {
    ns: 2,
    np: 2,
    spread: { capacity_rel_sigma: 0.02, resistance_rel_sigma: 0.05, soc_sigma: 0.01 },
    cell_connection_ohm: 0.002,
    busbar_ohm: 0.001,
  },
  ambient: { constant_C: 25 },
  initial: { soc: 0.9, temperature_C: 25 },
  dt_s: 1,
  seed: 3,
};

interface Row {
  t: number;
  I: number;
  V: number;
  vMin: number;
  vMax: number;
  soc: number;
  A: number;
  B: number;
}

/** Run a scenario (base plus overrides), recording every step. */
function run(over: Record<string, unknown>, opts: { allowAbuse?: boolean } = {}) {
  const sc = readScenario('runner-test.json', { ...base, ...over }, '.', NODE_FILES);
  const rows: Row[] = [];
  const result = runScenario(sc, {
    ...opts,
    onRecord: (v: StepView) => {
      const p = v.pack;
      let vMin = Infinity;
      let vMax = -Infinity;
      for (const x of p.voltage) {
        vMin = Math.min(vMin, x);
        vMax = Math.max(vMax, x);
      }
      rows.push({ t: v.t_s, I: p.packCurrent, V: p.packVoltage, vMin, vMax, soc: v.soc, A: p.packA, B: p.packB });
    },
  });
  /** Pack SOC after the run (capacity-weighted, as the runner computes it). */
  const p = result.pack;
  let q = 0;
  let qz = 0;
  for (let i = 0; i < p.n; i++) {
    q += p.capacity_Ah[i]!;
    qz += p.capacity_Ah[i]! * p.z[i]!;
  }
  return { sc, rows, result, steps: result.summary.steps, finalSoc: qz / q };
}

/** The recorded rows of one step. */
const rowsOf = (rows: Row[], s: StepLog) => rows.filter((r) => r.t >= s.start_s - 1e-9 && r.t < s.end_s - 1e-9);

describe('runScenario', () => {
  it('should end a CC discharge on the first step whose lowest cell voltage reaches the limit', () => {
    const { rows, steps } = run({ steps: ['Discharge at 1C until 3.0 V'] });
    expect(steps).toHaveLength(1);
    expect(steps[0]!.end_reason).toBe('voltage');
    const last = rows[rows.length - 1]!;
    expect(rows.length).toBeGreaterThan(100);
    expect(last.vMin).toBeLessThanOrEqual(3.0);
    for (const r of rows.slice(0, -1)) expect(r.vMin).toBeGreaterThan(3.0);
    // every step at exactly 1C of the pack (np × 1.5 A), discharging
    for (const r of rows) expect(r.I).toBe(-3);
    expect(steps[0]!.end_s).toBe(rows.length);
  });

  it('should hold the highest cell exactly at the CV voltage while the current decays to C/20', () => {
    const { rows, steps } = run({ initial: { soc: 0.5, temperature_C: 25 }, steps: ['Charge at 1C until 4.0 V', 'Hold at 4.0 V until C/20'] });
    expect(steps.map((s) => s.end_reason)).toEqual(['voltage', 'current']);
    const hold = rowsOf(rows, steps[1]!);
    expect(hold.length).toBeGreaterThan(100);
    for (const r of hold) {
      // the hold current comes from the cell's linearisation: V = alpha + beta·I holds to rounding
      expect(Math.abs(r.vMax - 4.0)).toBeLessThanOrEqual(64 * U * 4);
      expect(r.I).toBeGreaterThan(0);
    }
    // the current decays: never rises from one step to the next (to rounding), and ends at C/20
    for (let k = 1; k < hold.length; k++) expect(hold[k]!.I).toBeLessThanOrEqual(hold[k - 1]!.I * (1 + 1e-12));
    expect(hold[hold.length - 1]!.I).toBeLessThanOrEqual(3 / 20);
    expect(hold[hold.length - 2]!.I).toBeGreaterThan(3 / 20);
    expect(hold[0]!.I).toBeGreaterThan(10 * (3 / 20));
  });

  it('should deliver the requested power at every step of a constant-power step', () => {
    const { rows, steps } = run({ steps: ['Discharge at 20 W for 10 minutes', 'Charge at 15 W for 5 minutes'] });
    expect(steps.map((s) => s.end_reason)).toEqual(['duration', 'duration']);
    const dis = rowsOf(rows, steps[0]!);
    const chg = rowsOf(rows, steps[1]!);
    expect([dis.length, chg.length]).toEqual([600, 300]);
    for (const r of dis) expect(Math.abs(r.V * r.I + 20) / 20).toBeLessThanOrEqual(1e-9);
    for (const r of chg) expect(Math.abs(r.V * r.I - 15) / 15).toBeLessThanOrEqual(1e-9);
    // of the two currents with V·I = P, the runner takes the stable one (less current, V > A/2)
    for (const r of [...dis, ...chg]) expect(r.V).toBeGreaterThan(r.A / 2);
  });

  // for all steps dt that divide a minute, rest lengths N (minutes) and preceding discharges
  // of any whole number of steps
  // "Rest for N minutes" lasts N·60 s: N·60/dt steps, with zero current
  it('should rest for exactly N minutes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0.1, 0.2, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 300 }),
        (dt, N, k0) => {
          const before = Math.round(k0 * dt * 1000) / 1000;
          // one cell per group: any step is stable without a parallel split (sim/stability.ts)
          const { rows, steps } = run({ dt_s: dt, pack: { ...base.pack, np: 1 }, steps: [`Discharge at 0.5C for ${before} s`, `Rest for ${N} minutes`] });
          const rest = steps[1]!;
          expect(rest.end_reason).toBe('duration');
          expect(Math.abs(rest.end_s - rest.start_s - 60 * N)).toBeLessThanOrEqual(1e-9 * 60 * N);
          const restRows = rowsOf(rows, rest);
          expect(restRows.length).toBe(Math.round((60 * N) / dt));
          for (const r of restRows) expect(r.I).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('should end a drive step until 20 % SOC within one step of 20 %', () => {
    const { rows, steps, finalSoc } = run({
      chemistry: 'naion-32140-layered',
      pack: { ns: 20, np: 1, spread: { capacity_rel_sigma: 0.01, soc_sigma: 0.005 } },
      vehicle: 'scooter',
      initial: { soc: 0.235, temperature_C: 30 },
      steps: [{ drive: 'idc-2w3w', until: '20 % SOC' }],
    });
    expect(steps[0]!.end_reason).toBe('soc');
    const before = rows[rows.length - 1]!.soc; // pack SOC at the start of the last step
    expect(before).toBeGreaterThan(0.2);
    expect(finalSoc).toBeLessThanOrEqual(0.2);
    // within one step's change of the limit
    expect(0.2 - finalSoc).toBeLessThanOrEqual(before - finalSoc);
    expect(rows.length).toBeGreaterThan(100);
  });

  it('should end a power step out of reach with power_unattainable, at the maximum-power point', () => {
    // the maximum-power current is far beyond the cell's maximum pulse: allowed, and marked
    const { rows, steps, result } = run({ steps: ['Discharge at 1000 kW for 10 s', 'Rest for 5 s'] }, { allowAbuse: true });
    expect(steps.map((s) => s.end_reason)).toEqual(['power_unattainable', 'duration']);
    expect(result.summary.envelope?.first.map((x) => x.quantity)).toContain('current');
    expect(result.summary.envelope?.steps_outside).toBe(1);
    const r = rowsOf(rows, steps[0]!);
    expect(r).toHaveLength(1);
    // V = A + B·I, I = −A/(2B): V = A/2 and P = −A²/(4B), the most the pack can give
    const { A, B, I, V } = r[0]!;
    expect(Math.abs(I + A / (2 * B))).toBeLessThanOrEqual(16 * U * Math.abs(I));
    expect(Math.abs(V - A / 2)).toBeLessThanOrEqual(64 * U * A);
    expect(Math.abs(V * I + (A * A) / (4 * B))).toBeLessThanOrEqual(1e-9 * ((A * A) / (4 * B)));
  });
});

describe('startScenario with restAfterSteps', () => {
  // for a scenario whose steps end before its duration
  // such that the run is asked to rest after the steps
  // the run goes on at zero current to the duration instead of stopping
  it('should keep a device running at rest after its steps until the duration', () => {
    const sc = readScenario('runner-test.json', { ...base, steps: ['Discharge at 0.5C for 10 s'], duration_s: 60 }, '.', NODE_FILES);
    const run = startScenario(sc, { restAfterSteps: true });
    let steps = 0;
    while (run.step()) steps++;
    const r = run.result();
    expect(run.time_s()).toBeCloseTo(60, 9);
    expect(r.summary.steps.map((s) => s.end_reason)).toEqual(['duration', 'scenario_duration']);
    expect(r.pack.packCurrent).toBe(0);
    expect(steps).toBe(60); // one true per pack step of 1 s; the call that ends the run reports false
    // without the option the run stops when the steps do
    const plain = startScenario(sc);
    while (plain.step());
    expect(plain.time_s()).toBeCloseTo(10, 9);
  });
});

describe('runs that leave the validity envelope or make no progress (sim/envelope.ts)', () => {
  // for a discharge far beyond the cell's maximum pulse (1000C without the BMS)
  // the run stops at the first step with an AbuseError naming the cell, quantity, value and limit
  it('should stop a 1000C discharge at its first step with a line naming the cell and the current', () => {
    const go = () => run({ steps: ['Discharge at 1000C for 10 s'] });
    expect(go).toThrow(AbuseError);
    expect(go).toThrow(
      /^cell \d \(group \d, position \d\): current -\d+(\.\d+)? A beyond the validity envelope of naion-18650-layered \(limit -9 A\) at t = 0 s/,
    );
  });

  // for a charge with the load's cut-off off, past the overcharge extension the run stops when a
  // cell passes the SOC limit 1.05 or the 4.6 V abuse limit, whichever the chemistry's overcharge
  // curve reaches first, and with allowAbuse runs on and lists both
  it('should stop an overcharge at the SOC or 4.6 V abuse limit, and run on with allowAbuse', () => {
    const over = { load_cutoff: false, steps: ['Charge at 1C for 20 min'] };
    expect(() => run(over)).toThrow(/(SOC 1\.05\d*|voltage 4\.6\d* V) above the validity envelope of naion-18650-layered \(limit (1\.05|4\.6 V)\)/);
    const { result } = run(over, { allowAbuse: true });
    const first = result.summary.envelope!.first;
    const by = Object.fromEntries(first.map((x) => [x.quantity, x]));
    expect(first.map((x) => x.quantity).sort()).toEqual(['SOC', 'voltage']);
    expect(by.SOC!.limit).toBe(1.05);
    expect(by.voltage!.limit).toBe(4.6);
    expect(by.SOC!.value).toBeGreaterThan(1.05);
    expect(by.voltage!.value).toBeGreaterThan(4.6);
    expect(result.summary.envelope!.allowed).toBe(true);
  });

  // for a step too slow to reach its end (1 mA on a 1.5 Ah cell would take 1500 h to fill it)
  // the run stops with an InputError naming the step after the time bound (2 fills at C/100)
  it('should stop a charge that cannot reach its end within 200 h', () => {
    const go = () => run({ pack: { ns: 1, np: 1 }, initial: { soc: 0.1 }, dt_s: 10, steps: ['Charge at 1 mA until 4.1 V'] });
    expect(go).toThrow(InputError);
    expect(go).toThrow(/^runner-test\.json: steps\[0\]: "Charge at 1 mA until 4\.1 V" made no progress towards its end: 200 h/);
  });
});
