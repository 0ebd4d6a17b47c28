/**
 * Shared fast-check arbitraries for the model tests (random chemistries, current profiles,
 * pack shapes). The independent reference the tests compare against (piecewise-linear tables
 * by a plain linear scan, their exact integrals, the energy ledger of cell-model.md) is
 * ./reference.ts, re-exported here so a test imports both from one place.
 *
 * Every arbitrary builds valid input by construction (no .filter): ascending axes come from
 * cumulative positive increments, OCV tables from non-negative ones, and so on.
 */
import fc from 'fast-check';
import { type Chemistry, type ChemistryFile, compileChemistry, readChemistry } from '../../sim/chemistry.ts';
import { NO_SPREAD, type PackConfig, type SpreadConfig } from '../../sim/pack.ts';

export * from './reference.ts';

// ---------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------

/** Uniform over [min, max] (a plain fc.double crowds near 0 and shrinks to odd values). */
export const uniform = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: 0, max: 1_000_000 }).map((k) => min + ((max - min) * k) / 1_000_000);

/** Log-uniform over [min, max] (both > 0). */
export const logUniform = (min: number, max: number): fc.Arbitrary<number> =>
  uniform(Math.log(min), Math.log(max)).map((x) => Math.min(max, Math.max(min, Math.exp(x))));

/** Either exactly `value` or uniform over [min, max]. */
export const orExactly = (value: number, min: number, max: number): fc.Arbitrary<number> => fc.oneof(fc.constant(value), uniform(min, max));

// ---------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------

/**
 * Strictly ascending axis from `from` to `to` through cumulative increments `w` (each > 0):
 * breakpoint i sits at from + (to - from) * (w_1 + .. + w_i) / (w_1 + .. + w_m) (the last one
 * at `to` to rounding). With no increments the axis is the single breakpoint `from`.
 */
export function axisFrom(from: number, to: number, w: readonly number[]): number[] {
  if (w.length === 0) return [from];
  const total = w.reduce((a, b) => a + b, 0);
  const out = [from];
  let c = 0;
  for (let i = 0; i < w.length; i++) {
    c += w[i]!;
    // the same monotone formula for every point (forcing the last to `to` could undercut
    // its neighbour by an ulp)
    out.push(from + ((to - from) * c) / total);
  }
  return out;
}

/** A 1-D table: axis over [from, to] with 1..maxPoints breakpoints, values from `value`. */
export function table1d<T>(
  from: fc.Arbitrary<number>,
  to: fc.Arbitrary<number>,
  value: fc.Arbitrary<T>,
  maxPoints: number,
): fc.Arbitrary<{ x: number[]; y: T[] }> {
  return fc
    .record({
      from,
      to,
      first: value,
      rest: fc.array(fc.record({ w: fc.integer({ min: 5, max: 100 }), y: value }), { maxLength: maxPoints - 1 }),
    })
    .map(({ from, to, first, rest }) => ({
      x: axisFrom(
        from,
        to,
        rest.map((p) => p.w),
      ),
      y: [first, ...rest.map((p) => p.y)],
    }));
}

// ---------------------------------------------------------------------------------------
// Chemistries
// ---------------------------------------------------------------------------------------

export interface ChemistryOptions {
  /** Resistance form; both when omitted. */
  form?: 'arrhenius' | 'table2d';
  /** Include a low-temperature capacity table (sometimes, when omitted). */
  lowTemperature?: boolean;
  /** Number of RC branches; 0..2 when omitted. */
  nRC?: number;
}

/** Per-breakpoint factors of the resistance tables (R0, R1, R2 and the two time constants). */
const rPoint = fc.record({
  r0: uniform(0.6, 1.6),
  r1: uniform(0.6, 1.6),
  r2: uniform(0.6, 1.6),
  t1: uniform(0.7, 1.5),
  t2: uniform(0.7, 1.5),
});
type RPoint = typeof rPoint extends fc.Arbitrary<infer T> ? T : never;

/**
 * Scale of the resistances (R0 in Ω·Ah, divided by Q; RC resistances relative to R0, 0.3–2:
 * the presets have 0.6–1.5) and time constants (s), per chemistry.
 */
const rScale = fc.record({
  r0: uniform(0.01, 0.04),
  rcRel: uniform(0.3, 2),
  tau1: uniform(20, 120),
  tau2: uniform(200, 3000),
});

/**
 * Valid chemistry files with physical parameters: capacity 0.5–200 Ah, a non-decreasing OCV
 * table from 1–2.5 V rising by 0.5–2.5 V with plateaus and slopes up to 25.5 V per unit SOC,
 * covering the voltage window, |dU/dT| ≤ 0.5 mV/K, M ≤ 50 mV, γ ≤ 100, η 0.9–1, R0·Q 6–64
 * mΩ·Ah with RC resistances 0.1–5 × R0, τ1 14–180 s, τ2 140–4500 s, Arrhenius Ea 0–50 kJ/mol
 * or 2-D tables over −30…60 °C, thermal τ 200–4000 s.
 *
 * The ranges keep a parallel group inside the stability region of the pack's explicit current
 * split at steps up to 1 s (dt < 2·3600·Q·R0 / max dOCV/dz and (1 − a_j)(1 + R_j/R0) < 2);
 * test/sim/pack.test.ts shows what happens outside it.
 */
export function chemistryFile(opts: ChemistryOptions = {}): fc.Arbitrary<ChemistryFile> {
  const form = opts.form ? fc.constant(opts.form) : fc.constantFrom<'arrhenius' | 'table2d'>('arrhenius', 'table2d');
  const nRC = opts.nRC !== undefined ? fc.constant(opts.nRC) : fc.integer({ min: 0, max: 2 });
  const lowT = opts.lowTemperature !== undefined ? fc.constant(opts.lowTemperature) : fc.boolean();
  return fc
    .record({
      Q: logUniform(0.5, 200),
      ocv: fc.record({
        v0: uniform(1.0, 2.5),
        from: uniform(-0.1, 0.02),
        to: uniform(0.98, 1.1),
        // widths > 0 (strictly ascending SOC), slopes 0..25 V per unit SOC (0 = a plateau)
        segs: fc.array(fc.record({ dx: fc.integer({ min: 10, max: 100 }), slope: orExactly(0, 0, 25) }), {
          minLength: 1,
          maxLength: 10,
        }),
        // where the voltage window sits inside the table's range (fractions of the rise)
        below: uniform(0, 0.1),
        above: uniform(0, 0.1),
      }),
      dudt: table1d(uniform(-0.1, 0.3), uniform(0.7, 1.1), uniform(-5e-4, 5e-4), 4),
      hyst: table1d(uniform(-0.1, 0.3), uniform(0.7, 1.1), uniform(0, 0.05), 4),
      gamma: orExactly(0, 0, 100),
      eta: orExactly(1, 0.9, 1),
      T_ref: uniform(15, 35),
      form,
      nRC,
      rs: rScale,
      // arrhenius: 1-D over SOC
      rSoc: table1d(uniform(-0.1, 0.3), uniform(0.7, 1.1), rPoint, 5),
      Ea0: orExactly(0, 0, 50000),
      EaRC: orExactly(0, 0, 50000),
      // table2d: up to 4 SOC x 3 temperature breakpoints
      tSoc: table1d(uniform(-0.1, 0.3), uniform(0.7, 1.1), fc.constant(0), 4),
      tTemp: table1d(uniform(-30, 10), uniform(20, 60), fc.constant(0), 3),
      grid: fc.array(rPoint, { minLength: 12, maxLength: 12 }),
      heatPerAh: uniform(15, 40),
      tauTh: uniform(200, 4000),
      lowT,
      lowTable: table1d(uniform(-40, -20), uniform(-10, 25), uniform(0.6, 1), 4),
    })
    .map((g): ChemistryFile => {
      const Q = g.Q;
      // OCV: every segment rises by (slope + 0.5 V)·width, scaled down when the whole table
      // would rise by more than 2.5 V: it rises by 0.5–2.5 V and its steepest segment is
      // ≤ 25.5 V per unit SOC (the presets reach ~15, the NVPF step ~55)
      const ocvSoc = axisFrom(
        g.ocv.from,
        g.ocv.to,
        g.ocv.segs.map((s) => s.dx),
      );
      const steps = g.ocv.segs.map((s, i) => (s.slope + 0.5) * (ocvSoc[i + 1]! - ocvSoc[i]!));
      const scale = Math.min(1, 2.5 / steps.reduce((a, b) => a + b, 0));
      const ocvV = [g.ocv.v0];
      for (let i = 0; i < steps.length; i++) ocvV.push(ocvV[i]! + steps[i]! * scale);
      const rise = ocvV[ocvV.length - 1]! - g.ocv.v0;
      const minV = g.ocv.v0 + g.ocv.below * rise;
      const maxV = ocvV[ocvV.length - 1]! - g.ocv.above * rise;
      const r0 = (p: RPoint) => (g.rs.r0 * p.r0) / Q;
      const rj = (p: RPoint, j: number) => (g.rs.r0 * g.rs.rcRel * (j === 0 ? p.r1 : p.r2)) / Q;
      const cj = (p: RPoint, j: number) => (j === 0 ? g.rs.tau1 * p.t1 : g.rs.tau2 * p.t2) / rj(p, j);
      const branches = [0, 1].slice(0, g.nRC);
      let resistance: ChemistryFile['resistance'];
      if (g.form === 'arrhenius') {
        const pts = g.rSoc.y;
        resistance = {
          form: 'arrhenius',
          soc: g.rSoc.x,
          r0_ohm: pts.map(r0),
          rc: branches.map((j) => ({ r_ohm: pts.map((p) => rj(p, j)), c_F: pts.map((p) => cj(p, j)) })),
          r0_Ea_J_per_mol: g.Ea0,
          rc_Ea_J_per_mol: g.EaRC,
        };
      } else {
        const ns = g.tSoc.x.length;
        const nt = g.tTemp.x.length;
        const at = (i: number, j: number) => g.grid[i * 3 + j]!;
        const rows = (f: (p: RPoint) => number) => Array.from({ length: ns }, (_, i) => Array.from({ length: nt }, (_, j) => f(at(i, j))));
        resistance = {
          form: 'table2d',
          soc: g.tSoc.x,
          temperature_C: g.tTemp.x,
          r0_ohm: rows(r0),
          rc: branches.map((j) => ({ r_ohm: rows((p) => rj(p, j)), c_F: rows((p) => cj(p, j)) })),
        };
      }
      const heat = g.heatPerAh * Q;
      return {
        name: 'random',
        description: 'generated by test/sim/arbitraries.ts',
        family: 'layered-oxide',
        sources: ['fast-check'],
        capacity_Ah: Q,
        voltage: { min_V: minV, max_V: maxV, nominal_V: (minV + maxV) / 2 },
        T_ref_C: g.T_ref,
        coulombic_efficiency_charge: g.eta,
        ocv: { soc: ocvSoc, voltage_V: ocvV },
        dUdT: { soc: g.dudt.x, value_V_per_K: g.dudt.y },
        hysteresis: { soc: g.hyst.x, M_V: g.hyst.y, gamma: g.gamma },
        resistance,
        thermal: { heat_capacity_J_per_K: heat, hA_W_per_K: heat / g.tauTh, mass_kg: 0.025 * Q },
        low_temperature_capacity: g.lowT ? { temperature_C: g.lowTable.x, factor: g.lowTable.y } : undefined,
        limits: {
          charge_current_A: Q,
          discharge_current_A: 3 * Q,
          peak_discharge_current_A: 5 * Q,
          peak_duration_s: 10,
          charge_temperature_C: { min: -10, max: 45 },
          discharge_temperature_C: { min: -30, max: 60 },
          cutoff_temperature_C: 65,
          charge_derating: { temperature_C: [-10, 10], factor: [0, 1] },
        },
        envelope: { soc_margin: 0.05, voltage_V: { min: 0, max: maxV + 1 }, temperature_C: { min: -60, max: 90 }, current_A: 5 * Q },
      };
    });
}

/** A validated, compiled random chemistry (the file goes through readChemistry as a user's would). */
export function chemistry(opts: ChemistryOptions = {}): fc.Arbitrary<Chemistry> {
  return chemistryFile(opts).map((f) => compileChemistry(readChemistry('random.json', f), 'random.json'));
}

// ---------------------------------------------------------------------------------------
// Profiles, initial states, packs
// ---------------------------------------------------------------------------------------

/**
 * A current profile in C-rates (charge positive), one value per step: 1..maxSegments segments
 * of 1..maxRun steps, each at rest or at a C-rate of magnitude minC..maxC. The first segment
 * always carries current (so the profile has throughput).
 */
export function cRateProfile(opts: { maxSegments: number; maxRun: number; minC?: number; maxC: number }): fc.Arbitrary<Float64Array> {
  const minC = opts.minC ?? 0.05;
  const magnitude = uniform(minC, opts.maxC);
  const seg = (rest: boolean) =>
    fc.record({
      rest: rest ? fc.boolean() : fc.constant(false),
      charge: fc.boolean(),
      c: magnitude,
      n: fc.integer({ min: 1, max: opts.maxRun }),
    });
  return fc.tuple(seg(false), fc.array(seg(true), { maxLength: opts.maxSegments - 1 })).map(([first, rest]) => {
    const segs = [first, ...rest];
    const out: number[] = [];
    for (const s of segs) {
      const c = s.rest ? 0 : s.charge ? s.c : -s.c;
      for (let k = 0; k < s.n; k++) out.push(c);
    }
    return Float64Array.from(out);
  });
}

export interface InitialState {
  soc: number;
  T_C: number;
  h: number;
}

/** Initial SOC 0.1–0.9, temperature −10…45 °C, hysteresis −1…1 (or exactly 0). */
export const initialState: fc.Arbitrary<InitialState> = fc.record({
  soc: uniform(0.1, 0.9),
  T_C: uniform(-10, 45),
  h: orExactly(0, -1, 1),
});

export interface PackShape {
  ns: number;
  np: number;
  seed: number;
  spread: SpreadConfig;
  /** Connection resistance as a fraction of the cell's R·Q scale (Ω·Ah / Q). */
  connRel: number;
  busbar_ohm: number;
  /** Neighbour conductance as a multiple of the cell's hA. */
  neighbourRel: number;
  cellsPerModule: number;
  /** Cell (index modulo n) with a shunt, and its conductance in S per Ah of capacity. */
  shunt: { cell: number; S_per_Ah: number } | null;
  /** Cell (index modulo n) disconnected from its group; only used when np >= 2. */
  disconnect: number | null;
  /**
   * Step implementation: 'auto' runs the WebAssembly kernel for Arrhenius-form chemistries,
   * 'js' the JS path; both must satisfy every property.
   */
  kernel: 'auto' | 'js';
  /** Parallel split; the explicit one only where stable (callers check sim/stability.ts). */
  split: 'implicit' | 'explicit';
}

export const spreadConfig: fc.Arbitrary<SpreadConfig> = fc.record({
  capacity_rel_sigma: uniform(0, 0.05),
  resistance_rel_sigma: uniform(0, 0.1),
  soc_sigma: uniform(0, 0.03),
  truncate_sigma: uniform(1, 3),
});

/**
 * Pack shapes up to 4s4p with every feature that changes the current split; `faults` puts a
 * shunt on one cell and disconnects another (or the same) cell in every shape.
 */
export function packShape(opts: { maxNs?: number; maxNp?: number; minNp?: number; faults?: boolean } = {}): fc.Arbitrary<PackShape> {
  const shunt = fc.record({ cell: fc.nat({ max: 15 }), S_per_Ah: uniform(0.001, 0.05) });
  const disconnect = fc.nat({ max: 15 });
  return fc.record({
    ns: fc.integer({ min: 1, max: opts.maxNs ?? 4 }),
    np: fc.integer({ min: opts.minNp ?? 1, max: opts.maxNp ?? 4 }),
    seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    spread: spreadConfig,
    connRel: orExactly(0, 0, 0.01),
    busbar_ohm: orExactly(0, 0, 0.01),
    neighbourRel: orExactly(0, 0, 2),
    cellsPerModule: fc.integer({ min: 1, max: 8 }),
    shunt: opts.faults ? shunt : fc.option(shunt, { nil: null }),
    disconnect: opts.faults ? disconnect : fc.option(disconnect, { nil: null }),
    kernel: fc.constantFrom<'auto' | 'js'>('auto', 'js'),
    split: fc.constantFrom<'implicit' | 'explicit'>('implicit', 'explicit'),
  });
}

/** The PackConfig for a shape (low-temperature capacity as asked). */
export function packConfig(chem: Chemistry, shape: PackShape, init: InitialState, dt_s: number, lowT = false): PackConfig {
  const hA = chem.hA_W_per_K;
  return {
    chemistry: chem,
    ns: shape.ns,
    np: shape.np,
    dt_s,
    seed: shape.seed,
    spread: shape.spread,
    thermal: { neighbour_W_per_K: shape.neighbourRel * hA, cells_per_module: shape.cellsPerModule },
    cell_connection_ohm: (shape.connRel * 0.01) / chem.capacity_Ah,
    busbar_ohm: shape.busbar_ohm,
    low_temperature_capacity: lowT,
    init,
    kernel: shape.kernel,
    split: shape.split,
  };
}

/** Ns x 1, no spread, no coupling: the configuration that must equal the single cell. */
export function plainPackConfig(
  chem: Chemistry,
  ns: number,
  init: InitialState,
  dt_s: number,
  extra: { busbar_ohm?: number; cell_connection_ohm?: number; kernel?: 'auto' | 'js' } = {},
): PackConfig {
  return {
    chemistry: chem,
    ns,
    np: 1,
    dt_s,
    seed: 1,
    spread: NO_SPREAD,
    thermal: { neighbour_W_per_K: 0, cells_per_module: ns },
    cell_connection_ohm: extra.cell_connection_ohm ?? 0,
    busbar_ohm: extra.busbar_ohm ?? 0,
    low_temperature_capacity: true,
    init,
    kernel: extra.kernel ?? 'auto',
  };
}
