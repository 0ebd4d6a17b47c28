/**
 * Shared pieces of the kernel tests: chemistry variants (built from the presets, so that
 * every one is physical), pack scenarios with mid-run changes, and a runner that steps a
 * JS pack and a wasm pack side by side and measures how far apart they get.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { type Chemistry, type ChemistryFile, PRESETS, compileChemistry, readChemistry } from '../../../sim/chemistry.ts';
import { Pack, type PackConfig } from '../../../sim/pack.ts';
import { PRESET_DIR } from '../../../sim/node/load.ts';

export function presetSpec(name: (typeof PRESETS)[number]): ChemistryFile {
  const file = `${PRESET_DIR}${name}.json`;
  return readChemistry(file, JSON.parse(readFileSync(file, 'utf8')));
}

export interface ChemVariant {
  preset: (typeof PRESETS)[number];
  nRC: 0 | 1 | 2;
  /** Activation energies of R0 and the RC resistances, J/mol (0: no temperature dependence). */
  r0Ea: number;
  rcEa: number;
  lowT: boolean;
  /** Scale of the RC time constants (small: dt/τ beyond the Taylor range of exp). */
  tauScale: number;
}

/** A preset with its RC branches cut to nRC, its activation energies and low-T table set. */
export function variantSpec(v: ChemVariant): ChemistryFile {
  const base = presetSpec(v.preset);
  if (base.resistance.form !== 'arrhenius') throw new Error('expected an arrhenius preset');
  const rc = base.resistance.rc.slice(0, v.nRC).map((b) => ({ r_ohm: b.r_ohm, c_F: b.c_F.map((c) => c * v.tauScale) }));
  const lt = base.low_temperature_capacity ?? { temperature_C: [-30, -10, 10], factor: [0.85, 0.93, 1] };
  return {
    ...base,
    name: `${base.name}-rc${v.nRC}-ea${v.r0Ea}-${v.rcEa}${v.lowT ? '-lowT' : ''}`,
    resistance: { ...base.resistance, rc, r0_Ea_J_per_mol: v.r0Ea, rc_Ea_J_per_mol: v.rcEa },
    ...(v.lowT ? { low_temperature_capacity: lt } : { low_temperature_capacity: undefined }),
  };
}

export const chemVariant: fc.Arbitrary<ChemVariant> = fc
  .record({
    preset: fc.constantFrom(...PRESETS),
    nRC: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
    r0Ea: fc.constantFrom(0, 15000, 32000),
    rcEa: fc.constantFrom(0, 15000, 32000, -1),
    lowT: fc.boolean(),
    tauScale: fc.constantFrom(1, 1, 0.01),
  })
  .map((v) => ({ ...v, rcEa: v.rcEa === -1 ? v.r0Ea : v.rcEa })); // -1: equal to R0's

/** One change to the pack between steps (faults, balancing, cooling, step size). */
export type PackEvent =
  | { kind: 'shunt'; cell: number; S: number }
  | { kind: 'connect'; cell: number; on: boolean }
  | { kind: 'openGroup'; group: number }
  | { kind: 'hA'; cell: number; hA: number }
  | { kind: 'dt'; dt: number };

export interface PackScenario {
  variant: ChemVariant;
  ns: number;
  np: number;
  seed: number;
  spread: { capacity_rel_sigma: number; resistance_rel_sigma: number; soc_sigma: number; truncate_sigma: number };
  neighbour_W_per_K: number;
  cells_per_module: number;
  cell_connection_ohm: number;
  busbar_ohm: number;
  init: { soc: number; T_C: number; h: number };
  dt: number;
  /** Parallel split (default: the pack's, implicit); both must agree bit for bit with the kernel. */
  split?: 'implicit' | 'explicit';
  /** Per step: C-rate of the pack current (0: rest), sink temperature. */
  steps: { c: number; sink: number; events: PackEvent[] }[];
}

const event = (nCells: number, ns: number): fc.Arbitrary<PackEvent> =>
  fc.oneof(
    fc.record({ kind: fc.constant('shunt' as const), cell: fc.nat({ max: nCells - 1 }), S: fc.constantFrom(0, 0.01, 0.5, 20) }),
    fc.record({ kind: fc.constant('connect' as const), cell: fc.nat({ max: nCells - 1 }), on: fc.boolean() }),
    fc.record({ kind: fc.constant('openGroup' as const), group: fc.nat({ max: ns - 1 }) }),
    fc.record({ kind: fc.constant('hA' as const), cell: fc.nat({ max: nCells - 1 }), hA: fc.constantFrom(0.05, 1, 10) }),
    fc.record({ kind: fc.constant('dt' as const), dt: fc.constantFrom(0.01, 0.1, 1, 30) }),
  );

export const packScenario: fc.Arbitrary<PackScenario> = fc
  .record({ ns: fc.integer({ min: 1, max: 6 }), np: fc.integer({ min: 1, max: 4 }) })
  .chain(({ ns, np }) =>
    fc.record({
      variant: chemVariant,
      ns: fc.constant(ns),
      np: fc.constant(np),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      spread: fc.record({
        capacity_rel_sigma: fc.constantFrom(0, 0.02),
        resistance_rel_sigma: fc.constantFrom(0, 0.05),
        soc_sigma: fc.constantFrom(0, 0.02),
        truncate_sigma: fc.constant(3),
      }),
      neighbour_W_per_K: fc.constantFrom(0, 0.5, 3),
      cells_per_module: fc.integer({ min: 1, max: 8 }),
      cell_connection_ohm: fc.constantFrom(0, 1e-4, 2e-3),
      busbar_ohm: fc.constantFrom(0, 5e-3),
      init: fc.record({
        soc: fc.constantFrom(0.02, 0.3, 0.5, 0.9, 0.99),
        T_C: fc.constantFrom(-35, -15, 0, 25, 45),
        h: fc.constantFrom(-1, 0, 0.5),
      }),
      dt: fc.constantFrom(0.01, 0.1, 1, 10, 60),
      split: fc.constantFrom<'implicit' | 'explicit'>('implicit', 'explicit'),
      steps: fc.array(
        fc.record({
          c: fc.oneof(fc.constant(0), fc.double({ min: -3, max: 2, noNaN: true })),
          sink: fc.constantFrom(-30, 0, 25, 40),
          events: fc.array(event(ns * np, ns), { maxLength: 2 }),
        }),
        { minLength: 1, maxLength: 40 },
      ),
    }),
  );

export function scenarioConfig(sc: PackScenario, chem: Chemistry, kernel: 'auto' | 'js'): PackConfig {
  return {
    chemistry: chem,
    ns: sc.ns,
    np: sc.np,
    dt_s: sc.dt,
    seed: sc.seed,
    spread: sc.spread,
    thermal: { neighbour_W_per_K: sc.neighbour_W_per_K, cells_per_module: sc.cells_per_module },
    cell_connection_ohm: sc.cell_connection_ohm,
    busbar_ohm: sc.busbar_ohm,
    low_temperature_capacity: sc.variant.lowT,
    init: sc.init,
    kernel,
    split: sc.split,
  };
}

export function applyEvent(p: Pack, e: PackEvent): void {
  switch (e.kind) {
    case 'shunt':
      p.shunt_S[e.cell] = e.S;
      break;
    case 'connect':
      p.connected[e.cell] = e.on ? 1 : 0;
      break;
    case 'openGroup':
      for (let j = 0; j < p.np; j++) p.connected[e.group * p.np + j] = 0;
      break;
    case 'hA':
      p.setHeatTransfer(e.cell, e.hA);
      break;
    case 'dt':
      p.setStep(e.dt);
      break;
  }
}

/** Largest relative difference and count of values not bit-identical, over a comparison. */
export class Gap {
  maxRel = 0;
  where = '';
  differing = 0;
  compared = 0;

  /** |a - b| relative to max(|a|, |b|, floor); NaNs must match. */
  value(what: string, a: number, b: number, floor = 1e-300): void {
    this.compared++;
    if (Object.is(a, b) || (a === 0 && b === 0)) return;
    this.differing++;
    const rel = Number.isNaN(a) || Number.isNaN(b) ? Infinity : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), floor);
    if (rel > this.maxRel) {
      this.maxRel = rel;
      this.where = `${what}: ${a} vs ${b}`;
    }
  }

  arrays(what: string, a: Float64Array, b: Float64Array, floor?: number): void {
    for (let i = 0; i < a.length; i++) this.value(`${what}[${i}]`, a[i]!, b[i]!, floor);
  }
}

const CELL_ARRAYS = ['z', 'v1', 'v2', 'h', 'T', 'voltage', 'current', 'terminalCurrent', 'heat'] as const;

/** Compare everything a pack exposes after prepare(): the linear forms. */
export function comparePrepared(gap: Gap, a: Pack, b: Pack, k: number): void {
  gap.value(`packA@${k}`, a.packA, b.packA);
  gap.value(`packB@${k}`, a.packB, b.packB);
  const oa = new Float64Array(1);
  const ob = new Float64Array(1);
  for (let i = 0; i < a.n; i++) {
    gap.value(`cellLinear(${i})@${k}`, a.cellLinear(i, oa), b.cellLinear(i, ob));
    gap.value(`cellLinear(${i}).beta@${k}`, oa[0]!, ob[0]!);
    gap.value(`openCircuitPart(${i})@${k}`, a.openCircuitPart(i), b.openCircuitPart(i));
    gap.value(`ohmicResistance(${i})@${k}`, a.ohmicResistance(i), b.ohmicResistance(i));
  }
}

/** Compare the state and the reports of step k. */
export function compareAdvanced(gap: Gap, a: Pack, b: Pack, k: number): void {
  for (const f of CELL_ARRAYS) gap.arrays(`${f}@${k}`, a[f], b[f]);
  gap.arrays(`groupVoltage@${k}`, a.groupVoltage, b.groupVoltage);
  gap.value(`packVoltage@${k}`, a.packVoltage, b.packVoltage);
  gap.value(`packCurrent@${k}`, a.packCurrent, b.packCurrent);
}

/** Step a JS pack and a kernel pack through a scenario; the gap between them. */
export function runSideBySide(sc: PackScenario): { gap: Gap; js: Pack; wasm: Pack } {
  const chem = compileChemistry(variantSpec(sc.variant));
  const js = new Pack(scenarioConfig(sc, chem, 'js'));
  const wasm = new Pack(scenarioConfig(sc, chem, 'auto'));
  if (js.kernel !== 'js' || wasm.kernel !== 'wasm') throw new Error(`kernels: ${js.kernel} ${wasm.kernel}`);
  const gap = new Gap();
  compareAdvanced(gap, js, wasm, -1);
  sc.steps.forEach((st, k) => {
    for (const e of st.events) {
      applyEvent(js, e);
      applyEvent(wasm, e);
    }
    js.prepare(st.sink);
    wasm.prepare(st.sink);
    comparePrepared(gap, js, wasm, k);
    const I = st.c * js.nominalCapacity_Ah();
    js.advance(I);
    wasm.advance(I);
    compareAdvanced(gap, js, wasm, k);
  });
  return { gap, js, wasm };
}
