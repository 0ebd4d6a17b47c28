/**
 * The pack: Ns series groups of Np parallel cells, each cell the model of cell-model.md,
 * with a seeded spread, a closed-form parallel current split, neighbour conduction inside
 * a module and an optional busbar and cell-connection resistance.
 *
 * State lives in struct-of-arrays `Float64Array`s, one entry per cell (index g*Np + p).
 * A step is two calls, so that a controller can solve for the current in between:
 *   prepare(T_sink)  evaluates every cell's tables at (z_k, T_k) and the open-circuit part
 *                    E_k of its terminal voltage; the pack is then linear in its current:
 *                    V_pack = packA + packB * I (and every cell voltage likewise);
 *   advance(I)       splits I over each group, reports V_k, I_k, q_k and moves to k+1.
 * Nothing is allocated per step.
 *
 * Two implementations of the step behind one interface (pack/stepper.ts): the JS path
 * (pack/js.ts, the readable reference, and the path for what the kernel does not cover:
 * 'table2d' resistances) and a WebAssembly kernel (pack/wasm.ts over sim/kernel/), which
 * evaluates the same expressions in the same order two cells at a time. With the kernel,
 * every per-cell array below is a view into the pack's own wasm memory; the public API is the
 * same either way. Tables: pack/tables.ts; the seeded spread: pack/spread.ts.
 */
import type { Chemistry } from './chemistry.ts';
import type { PackKernel } from './kernel/index.ts';
import {
  H_CONN,
  H_CUR,
  H_DECAY,
  H_GV,
  H_H,
  H_HEAT,
  H_INVH,
  H_INV_SUMG,
  H_IRS,
  H_KH,
  H_KL,
  H_KR,
  H_KZ,
  H_RS,
  H_SHUNT,
  H_SUMG,
  H_SUMGE,
  H_T,
  H_TCUR,
  H_TN,
  H_V1,
  H_V2,
  H_VOLT,
  H_Z,
} from './kernel/layout.ts';
import { JsStepper } from './pack/js.ts';
import { type SpreadConfig, drawSpread } from './pack/spread.ts';
import { type Stepper, W, W_E, W_ET, W_ETH, W_G, W_R0, W_RT, W_RTH } from './pack/stepper.ts';
import { WasmStepper, createKernel } from './pack/wasm.ts';
import { isStableStep } from './stability.ts';

export { NO_SPREAD, type SpreadConfig } from './pack/spread.ts';

export interface PackThermalConfig {
  /** Heat transfer of each cell to its sink (ambient or coolant), W/K; default: the chemistry's. */
  hA_W_per_K?: number;
  /** Conductance between neighbouring cells of a module, W/K (0: no coupling). */
  neighbour_W_per_K: number;
  /** Cells per module; neighbours are consecutive cells (index order) in one module. */
  cells_per_module: number;
}

export interface PackConfig {
  chemistry: Chemistry;
  ns: number;
  np: number;
  dt_s: number;
  seed: number;
  spread: SpreadConfig;
  thermal: PackThermalConfig;
  /** Resistance in series with each cell inside its parallel group, Ω. */
  cell_connection_ohm: number;
  /** Total series busbar resistance of the pack, Ω. */
  busbar_ohm: number;
  /** Apply the low-temperature capacity extension (sim/chemistry/README.md). */
  low_temperature_capacity: boolean;
  init: { soc: number; T_C: number; h: number };
  /**
   * Step implementation: 'auto' (default) runs the WebAssembly kernel where it covers the
   * configuration and is available, else JS; 'js' always runs the JS path (run option `kernel`).
   */
  kernel?: 'auto' | 'js';
  /**
   * Parallel current split (sim/MODEL.md, "Parallel split"): 'implicit' balances the cells'
   * end-of-step voltages (stable at any step), 'explicit' their start-of-step voltages (the
   * reference; stable only below sim/stability.ts's step, and cheaper: two loops over the
   * groups fewer per step). Default 'auto': the explicit split where it is stable at twice the
   * step (EXPLICIT_MARGIN), else the implicit one. With np = 1 there is no split and both are
   * the cell model exactly (`Pack.split` says 'explicit').
   */
  split?: SplitMethod | 'auto';
}

export type SplitMethod = 'implicit' | 'explicit';

/** 'auto' takes the explicit split only where it is stable at this many times the step. */
export const EXPLICIT_MARGIN = 2;

/** The split 'auto' picks for a pack (see PackConfig.split). */
export function autoSplit(chem: Chemistry, np: number, spread: SpreadConfig, dt_s: number): SplitMethod {
  return isStableStep(chem, np, spread, EXPLICIT_MARGIN * dt_s, 'explicit') ? 'explicit' : 'implicit';
}

export class Pack {
  readonly chem: Chemistry;
  readonly ns: number;
  readonly np: number;
  readonly n: number;
  readonly nRC: number;
  dt_s: number;
  /** The step implementation in use: the WebAssembly kernel or the JS path. */
  readonly kernel: 'wasm' | 'js';
  /** The parallel split in use ('explicit' when np = 1: no split). */
  readonly split: SplitMethod;
  /** @internal the split is the implicit one (for the steppers) */
  readonly implicit: boolean;
  private readonly stepper: Stepper;

  // --- state (k) ---
  readonly z: Float64Array;
  readonly v1: Float64Array;
  readonly v2: Float64Array;
  readonly h: Float64Array;
  /** Temperature, °C; swapped with an internal buffer each step (read it after advance). */
  T: Float64Array;
  /** @internal the other temperature buffer (written by advance, then swapped) */
  Tnext: Float64Array;

  // --- per-cell parameters ---
  /** Capacity, Ah. */
  readonly capacity_Ah: Float64Array;
  /** Resistance multiplier from the spread. */
  readonly rScale: Float64Array;
  /** @internal 1 / rScale */
  readonly invRScale: Float64Array;
  /** 1 = connected, 0 = disconnected from its group. */
  readonly connected: Float64Array;
  /**
   * Conductance across each cell's terminals, S: a balancing bleed resistor when it is
   * switched on, or an internal short. Its current is drawn from the cell and its heat
   * (V²·G) is added to the cell's. 0 = none.
   */
  readonly shunt_S: Float64Array;
  readonly heatCapacity: Float64Array;
  readonly hA: Float64Array;
  // @internal step constants (updateStepConstants), read by the steppers
  readonly kLeft: Float64Array;
  readonly kRight: Float64Array;
  readonly decay: Float64Array;
  readonly invH: Float64Array;
  readonly kz: Float64Array;
  readonly kh: Float64Array;
  readonly cellConnection_ohm: number;
  readonly busbar_ohm: number;
  readonly lowTemperatureCapacity: boolean;

  // --- step k, written by prepare() ---
  // @internal per-step scratch (pack/stepper.ts layout) and group sums, shared by the steppers
  readonly w: Float64Array;
  readonly sumG: Float64Array;
  readonly sumGE: Float64Array;
  readonly invSumG: Float64Array;
  /** @internal the sink temperature of step k (set by prepare) */
  sinkT = 25;
  /** Pack terminal voltage is packA + packB * I at step k (after prepare); packB is Infinity when a group is open. */
  packA = 0;
  packB = 0;

  // --- step k, written by advance() ---
  /** Cell terminal voltage V_k, V. */
  readonly voltage: Float64Array;
  /** Current through the cell model I_k (charge positive), A. */
  readonly current: Float64Array;
  /** Current into the cell's terminals from its group (cell current + shunt current), A. */
  readonly terminalCurrent: Float64Array;
  /** Heat generated q_k, W. */
  readonly heat: Float64Array;
  /** Parallel-group node voltage, V (length ns). */
  readonly groupVoltage: Float64Array;
  packVoltage = 0;
  packCurrent = 0;

  constructor(cfg: PackConfig) {
    const { chemistry: chem, ns, np } = cfg;
    if (!(Number.isInteger(ns) && ns >= 1)) throw new TypeError(`"ns" must be a whole number >= 1, got ${ns}`);
    if (!(Number.isInteger(np) && np >= 1)) throw new TypeError(`"np" must be a whole number >= 1, got ${np}`);
    if (!(cfg.dt_s > 0)) throw new TypeError(`"dt_s" must be > 0, got ${cfg.dt_s}`);
    const n = ns * np;
    this.chem = chem;
    this.ns = ns;
    this.np = np;
    this.n = n;
    this.nRC = chem.nRC;
    this.dt_s = cfg.dt_s;
    this.cellConnection_ohm = cfg.cell_connection_ohm;
    this.busbar_ohm = cfg.busbar_ohm;
    this.lowTemperatureCapacity = cfg.low_temperature_capacity && chem.capF !== null;
    const split = cfg.split ?? 'auto';
    this.split = np < 2 ? 'explicit' : split === 'auto' ? autoSplit(chem, np, cfg.spread, cfg.dt_s) : split;
    this.implicit = this.split === 'implicit';

    const kern: PackKernel | null =
      (cfg.kernel ?? 'auto') === 'js'
        ? null
        : createKernel({
            chem,
            ns,
            np,
            lowTemperatureCapacity: this.lowTemperatureCapacity,
            cellConnection_ohm: cfg.cell_connection_ohm,
            busbar_ohm: cfg.busbar_ohm,
            implicit: this.implicit,
          });
    this.kernel = kern ? 'wasm' : 'js';
    const f = () => new Float64Array(n);
    const c = (slot: number) => (kern ? kern.cellArray(slot) : f());
    const g = (slot: number) => (kern ? kern.groupArray(slot) : new Float64Array(ns));
    this.z = c(H_Z);
    this.v1 = c(H_V1);
    this.v2 = c(H_V2);
    this.h = c(H_H);
    this.T = c(H_T);
    this.Tnext = c(H_TN);
    this.capacity_Ah = kern ? kern.hostArray(0) : f();
    this.rScale = c(H_RS);
    this.invRScale = c(H_IRS);
    this.connected = c(H_CONN);
    this.shunt_S = c(H_SHUNT);
    this.heatCapacity = kern ? kern.hostArray(1) : f();
    this.hA = kern ? kern.hostArray(2) : f();
    this.kLeft = c(H_KL);
    this.kRight = c(H_KR);
    this.decay = c(H_DECAY);
    this.invH = c(H_INVH);
    this.kz = c(H_KZ);
    this.kh = c(H_KH);
    this.w = kern ? kern.scratch() : new Float64Array(n * W);
    this.voltage = c(H_VOLT);
    this.current = c(H_CUR);
    this.terminalCurrent = c(H_TCUR);
    this.heat = c(H_HEAT);
    this.sumG = g(H_SUMG);
    this.sumGE = g(H_SUMGE);
    this.invSumG = g(H_INV_SUMG);
    this.groupVoltage = g(H_GV);

    drawSpread(this, cfg.seed, cfg.spread, cfg.init, cfg.thermal.hA_W_per_K ?? chem.hA_W_per_K);
    const k = cfg.thermal.neighbour_W_per_K;
    const perModule = Math.max(1, Math.floor(cfg.thermal.cells_per_module));
    for (let i = 0; i < n; i++) {
      const pos = i % perModule;
      this.kLeft[i] = k > 0 && pos > 0 ? k : 0;
      this.kRight[i] = k > 0 && pos < perModule - 1 && i + 1 < n ? k : 0;
    }
    this.stepper = kern ? new WasmStepper(kern, chem) : new JsStepper(this);
    this.updateStepConstants();
  }

  /** Recompute the per-cell constants that depend on dt, capacity and heat transfer. */
  updateStepConstants(): void {
    const dt = this.dt_s;
    const gamma = this.chem.gamma;
    for (let i = 0; i < this.n; i++) {
      const Q = this.capacity_Ah[i]!;
      this.kz[i] = dt / (3600 * Q);
      this.kh[i] = (gamma * dt) / (3600 * Q);
      const H = this.hA[i]! + this.kLeft[i]! + this.kRight[i]!;
      const tau = this.heatCapacity[i]! / H;
      this.decay[i] = Math.exp(-dt / tau);
      this.invH[i] = 1 / H;
    }
  }

  setStep(dt_s: number): void {
    if (!(dt_s > 0)) throw new TypeError(`"dt_s" must be > 0, got ${dt_s}`);
    this.dt_s = dt_s;
    this.updateStepConstants();
  }

  /** Pack capacity (sum over a group), Ah: the 1C current in A. */
  nominalCapacity_Ah(): number {
    return this.chem.capacity_Ah * this.np;
  }

  /** Index of field f of cell i in the scratch (the kernel's pairs, or JS's cells). */
  private wAt(i: number, f: number): number {
    return this.kernel === 'wasm' ? ((i >> 1) * W + f) * 2 + (i & 1) : i * W + f;
  }

  /** Terminal-voltage terms of cell i at step k but the ohmic one (after prepare), V. */
  openCircuitPart(i: number): number {
    return this.w[this.wAt(i, W_E)]!;
  }

  /** R0 of cell i at step k (after prepare), Ω. */
  ohmicResistance(i: number): number {
    return this.w[this.wAt(i, W_R0)]!;
  }

  /**
   * Evaluate every cell at step k. After it, packA/packB describe the pack voltage as a
   * function of the pack current, and cellLinear() each cell's.
   */
  prepare(sinkT_C: number): void {
    this.sinkT = sinkT_C;
    this.stepper.prepare(this, sinkT_C);
  }

  /**
   * Voltage of cell i as a linear function of the pack current at step k:
   * returns alpha and writes beta to `out[0]` (V_i = alpha + beta * I).
   */
  cellLinear(i: number, out: Float64Array): number {
    const g = (i / this.np) | 0;
    const sG = this.sumG[g]!;
    const w = this.w;
    // field f of cell i at at + f * st (the kernel keeps pairs of cells side by side)
    const pairs = this.kernel === 'wasm';
    const at = pairs ? (i >> 1) * W * 2 + (i & 1) : i * W;
    const st = pairs ? 2 : 1;
    const eth = w[at + W_ETH * st]!;
    if (sG === 0) {
      out[0] = 0;
      return eth;
    }
    if (this.implicit) {
      // I_t = G (V~_g - Eth~), V~_g = (I + sGE) / sG; I_cell from the shunt; V_i = E + R0 I_cell
      const inv = this.invSumG[g]!;
      const gi = w[at + W_G * st]!;
      const wt = gi * inv;
      const atc = gi * (this.sumGE[g]! * inv - eth);
      let aI = atc;
      let bI = wt;
      if (this.shunt_S[i] !== 0) {
        const rt = w[at + W_RT * st]!;
        aI = (eth + w[at + W_RTH * st]! * atc - w[at + W_ET * st]!) / rt;
        bI = (w[at + W_RTH * st]! * wt) / rt;
      }
      const r0 = w[at + W_R0 * st]!;
      out[0] = r0 * bI;
      return w[at + W_E * st]! + r0 * aI;
    }
    // V_g = (I + sGE)/sG; terminal current G_i (V_g - Eth_i); V_i = Eth_i + Rth_i * that
    const k = w[at + W_RTH * st]! * w[at + W_G * st]!;
    out[0] = k / sG;
    return eth + k * (this.sumGE[g]! / sG - eth);
  }

  /**
   * After prepare(), for a chemistry with a charge resistance (sim/MODEL.md, "Charge
   * resistance"): when current I flows the other way than the previous step's, evaluate the
   * step for I's direction and return true: packA/packB and cellLinear() change, so a load
   * that solved for I on them solves again. False, and nothing changed, otherwise.
   */
  redirect(I: number): boolean {
    return this.stepper.redirect(this, I);
  }

  /** Apply pack current I (charge positive) for one step; states move from k to k+1. */
  advance(I: number): void {
    this.stepper.advance(this, I);
  }

  /** Change one cell's heat transfer (cooling faults) and refresh its step constants. */
  setHeatTransfer(i: number, hA_W_per_K: number): void {
    this.hA[i] = hA_W_per_K;
    this.updateStepConstants();
  }
}
