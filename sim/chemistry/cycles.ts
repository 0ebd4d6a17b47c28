/**
 * Measured whole cycles of the Hakadi 18650 (sim/data/chemistry/hakadi-18650/): parsing, and
 * the one comparison of a chemistry against them that both the fit of the charge branch
 * (tools/fit-charge-branch.ts) and the validation test (test/sim/validation.test.ts) use.
 *
 * A cycle file has 1-s rows `time_s,current_A,voltage_V,phase` (current positive = charging;
 * phase 1 CCCV top-up, 2 CC discharge, 3 CCCV recharge, 0 other). The replay's start state
 * comes from the data (`startCell`): a file that begins with the cell at rest after a CCCV
 * charge (`restedAfterCharge`: its first row, before a short top-up) starts there, at the SOC
 * whose rested voltage (hysteresis +1, RC relaxed, at ambient) is that row's voltage, and
 * replays the top-up's measured current up to the first discharge row; a file without a rested
 * start begins at the first discharge row at SOC 1 (the presets' SOC 1 is the end of a CCCV
 * charge to 4.1 V), hysteresis +1, RC relaxed. Either way the cell starts at ambient and the
 * measured current is fed row by row (zero-order hold, dt 1 s) through the reference `Cell`
 * with the chemistry's own capacity: no capacity or current is adjusted.
 *
 * Parts compared (`windows`):
 * - discharge: phase-2 rows whose model SOC lies in 5–95 %;
 * - recharge CC: phase-3 rows before the measured voltage first reaches max_V − 5 mV
 *   (the charger's switch to constant voltage);
 * - recharge CV: the phase-3 rows after that (reported, not a target).
 * No file access here: callers pass the text.
 */
import { Cell } from '../cell.ts';
import type { ChemistryFile } from '../chemistry.ts';
import { parseCsv } from './source.ts';

export const PHASE_TOPUP = 1;
export const PHASE_DISCHARGE = 2;
export const PHASE_RECHARGE = 3;

/** SOC window of the discharge comparison. */
export const DISCHARGE_SOC: readonly [number, number] = [0.05, 0.95];
/** The CC part of a recharge ends when the measured voltage first comes this close to max_V. */
export const CV_SWITCH_BELOW_MAX_V = 0.005;
/** Ambient of the replays: the middle of the uncontrolled 20–25 °C room. */
export const CYCLE_AMBIENT_C = 23;
export const CYCLE_DT_S = 1;

export interface Cycle {
  name: string;
  time_s: number[];
  current_A: number[];
  voltage_V: number[];
  phase: number[];
}

/** Parse one cycle file (text) into columns; `name` labels errors. */
export function parseCycle(text: string, name: string): Cycle {
  const { data } = parseCsv(text, name);
  const col = (c: string): number[] => {
    const v = data[c];
    if (!v) throw new Error(`${name}: no column "${c}"`);
    if (v.some((x) => !Number.isFinite(x))) throw new Error(`${name}: column "${c}" has an empty cell`);
    return v;
  };
  const cycle = { name, time_s: col('time_s'), current_A: col('current_A'), voltage_V: col('voltage_V'), phase: col('phase') };
  for (let k = 1; k < cycle.time_s.length; k++) {
    if (cycle.time_s[k]! - cycle.time_s[k - 1]! !== CYCLE_DT_S) throw new Error(`${name}: row ${k + 1}: rows must be ${CYCLE_DT_S} s apart`);
  }
  if (!cycle.phase.includes(PHASE_DISCHARGE) || !cycle.phase.includes(PHASE_RECHARGE)) throw new Error(`${name}: needs a discharge and a recharge`);
  return cycle;
}

/** Simulated voltage, SOC and hysteresis state at every row from the first discharge row on. */
export interface Replay {
  /** Index of the first replayed row in the cycle. */
  start: number;
  voltage_V: Float64Array;
  soc: Float64Array;
  h: Float64Array;
}

/**
 * SOC at which the model cell at rest (hysteresis +1 as after a charge, RC relaxed, cell at
 * T_C) reads V, by bisection over 0..1; V outside that range is an error.
 */
export function restedSoc(spec: ChemistryFile, V: number, T_C: number): number {
  const at = (z: number) => new Cell(spec, { soc: z, T_C, h: 1 }).voltage(0);
  let [lo, hi] = [0, 1];
  if (!(V >= at(lo) && V <= at(hi))) throw new Error(`rested voltage ${V} V is outside the chemistry's SOC 0..1 at h = +1`);
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (at(mid) < V) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The model cell at the first discharge row of a cycle, and that row's index (module comment):
 * from the rested first row through the measured top-up where the file has one, else at SOC 1.
 */
export function startCell(spec: ChemistryFile, cycle: Cycle, ambient_C = CYCLE_AMBIENT_C): { cell: Cell; start: number } {
  const start = cycle.phase.indexOf(PHASE_DISCHARGE);
  const rested = restedAfterCharge(cycle);
  if (rested === undefined) return { cell: new Cell(spec, { soc: 1, T_C: ambient_C, h: 1 }), start };
  const cell = new Cell(spec, { soc: restedSoc(spec, rested, ambient_C), T_C: ambient_C, h: 1 });
  for (let k = 0; k < start; k++) cell.step(cycle.current_A[k]!, CYCLE_DT_S, ambient_C);
  return { cell, start };
}

/** Replay a cycle through the reference Cell (module comment: start state, measured current as recorded). */
export function replayCycle(spec: ChemistryFile, cycle: Cycle, ambient_C = CYCLE_AMBIENT_C): Replay {
  const { cell, start } = startCell(spec, cycle, ambient_C);
  const n = cycle.time_s.length - start;
  const out: Replay = { start, voltage_V: new Float64Array(n), soc: new Float64Array(n), h: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.soc[i] = cell.state.z;
    out.h[i] = cell.state.h;
    out.voltage_V[i] = cell.step(cycle.current_A[start + i]!, CYCLE_DT_S, ambient_C).voltage_V;
  }
  return out;
}

export type Part = 'discharge' | 'recharge CC' | 'recharge CV';

/** Row indices (into the replay) of each compared part. */
export function windows(spec: ChemistryFile, cycle: Cycle, replay: Replay): Record<Part, number[]> {
  const out: Record<Part, number[]> = { discharge: [], 'recharge CC': [], 'recharge CV': [] };
  let cv = false;
  for (let i = 0; i < replay.soc.length; i++) {
    const k = replay.start + i;
    const ph = cycle.phase[k];
    const z = replay.soc[i]!;
    if (ph === PHASE_DISCHARGE && z >= DISCHARGE_SOC[0] && z <= DISCHARGE_SOC[1]) out.discharge.push(i);
    if (ph !== PHASE_RECHARGE) continue;
    if (!cv && cycle.voltage_V[k]! >= spec.voltage.max_V - CV_SWITCH_BELOW_MAX_V) cv = true;
    out[cv ? 'recharge CV' : 'recharge CC'].push(i);
  }
  return out;
}

export interface PartError {
  part: Part;
  n: number;
  rms_V: number;
  mean_V: number;
  maxAbs_V: number;
  /** Model SOC at the first and last row of the part. */
  soc: [number, number];
}

/** RMS, mean and largest simulated-minus-measured voltage over each part of one cycle. */
export function compareCycle(spec: ChemistryFile, cycle: Cycle, ambient_C = CYCLE_AMBIENT_C): PartError[] {
  const r = replayCycle(spec, cycle, ambient_C);
  const w = windows(spec, cycle, r);
  return (Object.keys(w) as Part[]).map((part) => {
    const rows = w[part];
    let s2 = 0;
    let s1 = 0;
    let mx = 0;
    for (const i of rows) {
      const e = r.voltage_V[i]! - cycle.voltage_V[r.start + i]!;
      s2 += e * e;
      s1 += e;
      mx = Math.max(mx, Math.abs(e));
    }
    const n = rows.length;
    return { part, n, rms_V: Math.sqrt(s2 / n), mean_V: s1 / n, maxAbs_V: mx, soc: [r.soc[rows[0]!]!, r.soc[rows[n - 1]!]!] };
  });
}

/** Constant-voltage end of the rig's CCCV charges: the current it stops at, A (the data's taper ends at ~0.1 A). */
export const CV_CUTOFF_A = 0.1;
/** Longest CV phase the rest replay allows, s (the data's CV parts last 20–30 min). */
const CV_MAX_S = 4 * 3600;
/** Rest after the recharge before the voltage is read, s (the incremental-OCV test rested 1 h after its CCCV charge). */
export const REST_AFTER_CHARGE_S = 3600;

/**
 * The measured voltage of the cell at rest after a CCCV charge: the first row of each cycle
 * file whose top-up is short (the cell was already full from the previous test's recharge),
 * before the top-up's current starts. Rest length before it is not logged.
 */
export function restedAfterCharge(cycle: Cycle): number | undefined {
  const topUpRows = cycle.phase.filter((p) => p === PHASE_TOPUP).length;
  return cycle.phase[0] !== PHASE_TOPUP && topUpRows < SHORT_TOPUP_S / CYCLE_DT_S ? cycle.voltage_V[0] : undefined;
}
/** A top-up shorter than this starts from a full cell. */
const SHORT_TOPUP_S = 600;

/**
 * The model at rest after a recharge: the cycle replayed as `replayCycle` (same start) until the recharge's
 * CC part brings the model cell to max_V, then the rig's CV (hold max_V until the current
 * falls to CV_CUTOFF_A; driven by the model, not by the measured current, whose count runs
 * 2–9 % past the discharge), then REST_AFTER_CHARGE_S at zero current. Returns the model SOC
 * at the end of the charge and the rested voltage.
 */
export function restAfterRecharge(spec: ChemistryFile, cycle: Cycle, ambient_C = CYCLE_AMBIENT_C): { soc: number; voltage_V: number } {
  const { cell, start } = startCell(spec, cycle, ambient_C);
  const maxV = spec.voltage.max_V;
  for (let k = start; k < cycle.time_s.length; k++) {
    const I = cycle.current_A[k]!;
    if (cycle.phase[k] === PHASE_RECHARGE && cell.voltage(I) >= maxV) break;
    cell.step(I, CYCLE_DT_S, ambient_C);
  }
  for (let t = 0; t < CV_MAX_S; t += CYCLE_DT_S) {
    const p = cell.params();
    const I = (maxV - cell.voltage(0, p)) / p.r0_charge_ohm; // V = E + R0c·I while charging
    if (I <= CV_CUTOFF_A) break;
    cell.step(I, CYCLE_DT_S, ambient_C);
  }
  const soc = cell.state.z;
  for (let t = 0; t < REST_AFTER_CHARGE_S; t += CYCLE_DT_S) cell.step(0, CYCLE_DT_S, ambient_C);
  return { soc, voltage_V: cell.voltage(0) };
}
