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
 * Two implementations of the step: this file's JS (the readable reference, and the path for
 * what the kernel does not cover: 'table2d' resistances) and a WebAssembly kernel
 * (sim/kernel/), which evaluates the same expressions in the same order two cells at a
 * time. With the kernel, every per-cell array below is a view into the pack's own wasm
 * memory; the public API is the same either way.
 */
import { KELVIN, type Chemistry } from './chemistry.ts';
import { arrheniusFill, expStrided, hysteresisDecay } from './internal/fastmath.ts';
import { type KernelExports, PackKernel } from './kernel/index.ts';
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
  H_PACK_A,
  H_PACK_B,
  H_PACK_V,
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
  TAB_ROW,
} from './kernel/layout.ts';
import { Random } from './random.ts';

// header slots read every step, as module constants (no import binding on the hot path)
const HDR_PACK_A = H_PACK_A;
const HDR_PACK_B = H_PACK_B;
const HDR_PACK_V = H_PACK_V;

export interface SpreadConfig {
  /** Relative standard deviation of cell capacity (e.g. 0.01 = 1 %). */
  capacity_rel_sigma: number;
  /** Relative standard deviation of R0 and RC resistances (capacitances scale inversely, τ kept). */
  resistance_rel_sigma: number;
  /** Standard deviation of the initial SOC, fraction. */
  soc_sigma: number;
  /** Draws are truncated at this many sigmas. */
  truncate_sigma: number;
}

export const NO_SPREAD: SpreadConfig = { capacity_rel_sigma: 0, resistance_rel_sigma: 0, soc_sigma: 0, truncate_sigma: 3 };

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
   * Step implementation: 'auto' runs the WebAssembly kernel where it covers the configuration
   * and is available, else JS; 'js' always runs the JS path. Default: 'auto', or the
   * NATRIUM_KERNEL environment variable ('js' to switch the kernel off everywhere).
   */
  kernel?: 'auto' | 'js';
  /**
   * Parallel current split (sim/MODEL.md, "Parallel split"): 'implicit' balances the cells'
   * end-of-step voltages (stable at any step), 'explicit' their start-of-step voltages (the
   * reference; stable only below sim/stability.ts's step). Default 'implicit'. With np = 1
   * there is no split and both are the cell model exactly (`Pack.split` says 'explicit').
   */
  split?: SplitMethod;
}

export type SplitMethod = 'implicit' | 'explicit';

/**
 * Per-step scratch of one cell, interleaved (one buffer keeps the hot loops' registers free).
 * The kernel keeps the same fields, numbered alike, in pairs of cells (layout.ts WF_*).
 */
const W_E = 0; // every term of the terminal voltage but the ohmic one, V
const W_ETH = 1; // Thevenin source of the cell with its shunt, V
const W_RTH = 2; // Thevenin resistance of the cell with its shunt, Ω
const W_R0 = 3;
const W_G = 4; // conductance of the cell branch into its group node, S
const W_A1 = 5; // RC decays exp(-dt/τ)
const W_A2 = 6;
const W_R1 = 7;
const W_R2 = 8;
const W_IR1 = 9; // 1/R1, 1/R2
const W_IR2 = 10;
const W_M = 11;
const W_DU = 12; // dU/dT
// implicit split: the cell's end-of-step source and resistance (E~, R~), V_{k+1} ≈ E~ + R~ I
const W_ET = 13;
const W_RT = 14; // R0 + k L + kh M in prepare's first loop, then + Σ R_j (1 - a_j)
const W = 15;

/**
 * The SOC tables of an Arrhenius-form chemistry, interleaved: for breakpoint s, value and
 * slope to the next breakpoint of OCV, dU/dT, M, R0, R1, C1, R2, C2.
 */
const T_OCV = 0;
const T_DU = 2;
const T_M = 4;
const T_R0 = 6;
const T_R1 = 8;
const T_C1 = 10;
const T_R2 = 12;
const T_C2 = 14;
const TW = 16;

function interleaveTables(chem: Chemistry): Float64Array {
  const nx = chem.soc.x.length;
  const out = new Float64Array(nx * TW);
  const put = (off: number, ys: Float64Array | undefined) => {
    if (!ys) return;
    for (let s = 0; s < nx; s++) {
      out[s * TW + off] = ys[s]!;
      out[s * TW + off + 1] = s + 1 < nx ? ys[s + 1]! - ys[s]! : 0;
    }
  };
  put(T_OCV, chem.ocv);
  put(T_DU, chem.dudt);
  put(T_M, chem.m);
  if (chem.form === 'arrhenius') {
    put(T_R0, chem.r0);
    put(T_R1, chem.rcR[0]);
    put(T_C1, chem.rcC[0]);
    put(T_R2, chem.rcR[1]);
    put(T_C2, chem.rcC[1]);
  }
  return out;
}

/**
 * The SOC tables for the kernel: per breakpoint, the values of OCV, dU/dT, M, R0, R1, C1,
 * R2, C2, then their slopes to the next breakpoint (layout.ts TAB_ROW).
 */
function kernelTables(chem: Chemistry): Float64Array {
  const nx = chem.soc.x.length;
  const out = new Float64Array(nx * TAB_ROW);
  const cols = [chem.ocv, chem.dudt, chem.m, chem.r0, chem.rcR[0], chem.rcC[0], chem.rcR[1], chem.rcC[1]];
  cols.forEach((ys, c) => {
    if (!ys) return;
    for (let s = 0; s < nx; s++) {
      out[s * TAB_ROW + c] = ys[s]!;
      out[s * TAB_ROW + 8 + c] = s + 1 < nx ? ys[s + 1]! - ys[s]! : 0;
    }
  });
  return out;
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
  private readonly implicit: boolean;
  private readonly kx: KernelExports | null;
  private readonly kHeader: Float64Array | null;

  // --- state (k) ---
  readonly z: Float64Array;
  readonly v1: Float64Array;
  readonly v2: Float64Array;
  readonly h: Float64Array;
  /** Temperature, °C; swapped with an internal buffer each step (read it after advance). */
  T: Float64Array;
  private Tnext: Float64Array;

  // --- per-cell parameters ---
  /** Capacity, Ah. */
  readonly capacity_Ah: Float64Array;
  /** Resistance multiplier from the spread. */
  readonly rScale: Float64Array;
  private readonly invRScale: Float64Array;
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
  private readonly kLeft: Float64Array;
  private readonly kRight: Float64Array;
  private readonly decay: Float64Array;
  private readonly invH: Float64Array;
  private readonly kz: Float64Array;
  private readonly kh: Float64Array;
  readonly cellConnection_ohm: number;
  readonly busbar_ohm: number;
  readonly lowTemperatureCapacity: boolean;

  // --- step k, written by prepare() ---
  private readonly w: Float64Array;
  private readonly tab: Float64Array;
  private readonly f0: Float64Array;
  private readonly fr: Float64Array;
  private readonly sumG: Float64Array;
  private readonly sumGE: Float64Array;
  private readonly invSumG: Float64Array;
  private sinkT = 25;
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
    this.split = np >= 2 ? (cfg.split ?? 'implicit') : 'explicit';
    this.implicit = this.split === 'implicit';

    const lowT = this.lowTemperatureCapacity;
    const kern =
      (cfg.kernel ?? defaultKernel()) !== 'js' && chem.form === 'arrhenius'
        ? PackKernel.create({
            n,
            np,
            ns,
            nRC: chem.nRC,
            xs: chem.soc.x,
            invWidth: chem.soc.invWidth,
            bucket: chem.soc.bucket,
            invBucketWidth: chem.soc.invBucketWidth,
            table: kernelTables(chem),
            T_ref_C: chem.T_ref_C,
            invTref: 1 / (chem.T_ref_C + KELVIN),
            r0EaOverR: chem.r0EaOverR,
            rcEaOverR: chem.rcEaOverR,
            capT: lowT ? chem.capT! : new Float64Array(0),
            capF: lowT ? chem.capF! : new Float64Array(0),
            capTop: lowT ? capacityTop(chem.capT!, chem.capF!) : -Infinity,
            cellConnection_ohm: cfg.cell_connection_ohm,
            busbar_ohm: cfg.busbar_ohm,
            etaCharge: chem.etaCharge,
            implicit: this.implicit,
          })
        : null;
    this.kernel = kern ? 'wasm' : 'js';
    this.kx = kern ? kern.exports : null;
    this.kHeader = kern ? kern.headerView() : null;
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
    this.tab = interleaveTables(chem);
    this.f0 = f().fill(1); // stays 1 for a chemistry without temperature dependence
    this.fr = f().fill(1);
    this.voltage = c(H_VOLT);
    this.current = c(H_CUR);
    this.terminalCurrent = c(H_TCUR);
    this.heat = c(H_HEAT);
    this.sumG = g(H_SUMG);
    this.sumGE = g(H_SUMGE);
    this.invSumG = g(H_INV_SUMG);
    this.groupVoltage = g(H_GV);

    // Seeded spread: one stream, drawn in a fixed order (capacity, resistance, SOC per cell).
    const rng = new Random(cfg.seed);
    const sp = cfg.spread;
    const hA = cfg.thermal.hA_W_per_K ?? chem.hA_W_per_K;
    for (let i = 0; i < n; i++) {
      this.capacity_Ah[i] = chem.capacity_Ah * rng.truncatedNormal(1, sp.capacity_rel_sigma, sp.truncate_sigma);
      this.rScale[i] = rng.truncatedNormal(1, sp.resistance_rel_sigma, sp.truncate_sigma);
      this.invRScale[i] = 1 / this.rScale[i]!;
      this.z[i] = rng.truncatedNormal(cfg.init.soc, sp.soc_sigma, sp.truncate_sigma);
      this.h[i] = cfg.init.h;
      this.T[i] = cfg.init.T_C;
      this.connected[i] = 1;
      this.heatCapacity[i] = chem.heatCapacity_J_per_K;
      this.hA[i] = hA;
    }
    const k = cfg.thermal.neighbour_W_per_K;
    const perModule = Math.max(1, Math.floor(cfg.thermal.cells_per_module));
    for (let i = 0; i < n; i++) {
      const pos = i % perModule;
      this.kLeft[i] = k > 0 && pos > 0 ? k : 0;
      this.kRight[i] = k > 0 && pos < perModule - 1 && i + 1 < n ? k : 0;
    }
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
    return this.kx !== null ? ((i >> 1) * W + f) * 2 + (i & 1) : i * W + f;
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
    const kx = this.kx;
    if (kx !== null) {
      kx.prepare(sinkT_C, this.dt_s);
      this.packA = this.kHeader![HDR_PACK_A]!;
      this.packB = this.kHeader![HDR_PACK_B]!;
      return;
    }
    const chem = this.chem;
    const grid = chem.soc;
    const xs = grid.x;
    const nx = xs.length;
    const x0 = grid.first;
    const xN = grid.last;
    const bucket = grid.bucket;
    const invBw = grid.invBucketWidth;
    const invW = grid.invWidth;
    const tab = this.tab;
    const Tref = chem.T_ref_C;
    const invTref = 1 / (Tref + KELVIN);
    const table2d = chem.form === 'table2d';
    const nRC = this.nRC;
    const ea0 = chem.r0EaOverR;
    const eaRC = chem.rcEaOverR;
    const capT = chem.capT;
    const capF = chem.capF;
    const lowT = this.lowTemperatureCapacity && capT !== null && capF !== null;
    // above the last breakpoint whose factor is 1, the lookup SOC is z itself
    const capTop = lowT ? capacityTop(capT!, capF!) : -Infinity;
    const dt = this.dt_s;
    const rConn = this.cellConnection_ohm;
    const { z, v1, v2, h, T, rScale, invRScale, connected, w } = this;
    const shunt = this.shunt_S;
    const np = this.np;
    const n = this.n;
    const implicit = this.implicit;
    const { kz, kh } = this;
    let A = 0;
    let B = this.busbar_ohm;

    // Arrhenius factors first, in a loop of their own: kept apart from the long loop
    // below, the exp calls there do not force every live value to be spilled.
    const f0a = this.f0;
    let fra = this.fr;
    if (!table2d) {
      if (ea0 !== 0) arrheniusFill(f0a, T, n, ea0, invTref);
      if (eaRC === ea0) fra = f0a;
      else if (eaRC !== 0) arrheniusFill(fra, T, n, eaRC, invTref);
    }

    for (let g = 0, i = 0; g < this.ns; g++) {
      let sG = 0;
      let sGE = 0;
      for (let p = 0; p < np; p++, i++) {
        const Tk = T[i]!;
        let zl = z[i]!;
        const cold = lowT && Tk < capTop;
        let invF = 1;
        if (cold) {
          invF = 1 / capacityFactorAt(capT!, capF!, Tk);
          zl = zl - (1 - zl) * (invF - 1);
        }
        // one segment for every SOC table; L = dOCV/dz (0 where the table is clamped)
        let s: number;
        let t: number;
        let L = 0;
        if (zl <= x0) {
          s = 0;
          t = 0;
        } else if (zl >= xN) {
          s = nx > 1 ? nx - 2 : 0; // one breakpoint: its row (slopes 0)
          t = 1;
        } else {
          s = bucket[((zl - x0) * invBw) | 0]!;
          while (s > 0 && xs[s]! > zl) s--;
          while (xs[s + 1]! <= zl) s++;
          t = (zl - xs[s]!) * invW[s]!;
          L = tab[s * TW + T_OCV + 1]! * invW[s]!;
          if (cold) L = L * invF; // dz_lookup/dz = 1/f
        }
        const b = s * TW;
        const o = tab[b + T_OCV]! + t * tab[b + T_OCV + 1]!;
        const du = tab[b + T_DU]! + t * tab[b + T_DU + 1]!;
        const m = tab[b + T_M]! + t * tab[b + T_M + 1]!;
        const rs = rScale[i]!;
        const irs = invRScale[i]!;
        let r0: number;
        let r1 = 0;
        let c1 = 0;
        let r2 = 0;
        let c2 = 0;
        if (!table2d) {
          const fr = fra[i]!;
          r0 = (tab[b + T_R0]! + t * tab[b + T_R0 + 1]!) * f0a[i]! * rs;
          if (nRC > 0) {
            r1 = (tab[b + T_R1]! + t * tab[b + T_R1 + 1]!) * fr * rs;
            c1 = (tab[b + T_C1]! + t * tab[b + T_C1 + 1]!) * irs;
          }
          if (nRC > 1) {
            r2 = (tab[b + T_R2]! + t * tab[b + T_R2 + 1]!) * fr * rs;
            c2 = (tab[b + T_C2]! + t * tab[b + T_C2 + 1]!) * irs;
          }
        } else {
          const tg = chem.temp!;
          const nT = tg.x.length;
          let j: number;
          let u: number;
          if (nT < 2 || Tk <= tg.first) {
            j = 0;
            u = 0;
          } else if (Tk >= tg.last) {
            j = nT - 2;
            u = 1;
          } else {
            j = tg.find(Tk);
            u = (Tk - tg.x[j]!) / (tg.x[j + 1]! - tg.x[j]!);
          }
          const j1 = nT < 2 ? j : j + 1;
          r0 = bilinear(chem.r0, nT, s, t, j, j1, u) * rs;
          if (nRC > 0) {
            r1 = bilinear(chem.rcR[0]!, nT, s, t, j, j1, u) * rs;
            c1 = bilinear(chem.rcC[0]!, nT, s, t, j, j1, u) * irs;
          }
          if (nRC > 1) {
            r2 = bilinear(chem.rcR[1]!, nT, s, t, j, j1, u) * rs;
            c2 = bilinear(chem.rcC[1]!, nT, s, t, j, j1, u) * irs;
          }
        }
        const wi = i * W;
        let e = o + du * (Tk - Tref) + m * h[i]!;
        if (nRC > 0) {
          e += v1[i]!;
          const inv = 1 / (r1 * c1);
          w[wi + W_A1] = -dt * inv; // exponentiated below
          w[wi + W_R1] = r1;
          w[wi + W_IR1] = inv * c1;
        }
        if (nRC > 1) {
          e += v2[i]!;
          const inv = 1 / (r2 * c2);
          w[wi + W_A2] = -dt * inv;
          w[wi + W_R2] = r2;
          w[wi + W_IR2] = inv * c2;
        }
        w[wi + W_E] = e;
        w[wi + W_R0] = r0;
        w[wi + W_M] = m;
        w[wi + W_DU] = du;
        if (implicit) {
          // the group's cells are balanced at k+1 (after the RC decays, below)
          w[wi + W_RT] = r0 + kz[i]! * (L > 0 ? L : 0) + kh[i]! * m;
          continue;
        }
        const gsh = shunt[i]!;
        let eth = e;
        let rth = r0;
        if (gsh !== 0) {
          const y = 1 / r0 + gsh;
          eth = e / r0 / y;
          rth = 1 / y;
        }
        w[wi + W_ETH] = eth;
        w[wi + W_RTH] = rth;
        const gi = connected[i]! / (rth + rConn);
        w[wi + W_G] = gi;
        sG += gi;
        sGE += gi * eth;
      }
      if (implicit) continue;
      this.sumG[g] = sG;
      this.sumGE[g] = sGE;
      // V_g = (I + sGE) / sG. A group with every cell disconnected has no path: the pack
      // is open (packB = Infinity) and can carry no current.
      if (sG > 0) {
        const inv = 1 / sG;
        this.invSumG[g] = inv;
        A += sGE * inv;
        B += inv;
      } else {
        this.invSumG[g] = 0;
        B = Infinity;
      }
    }
    if (nRC > 0) expStrided(w, W_A1, W, n);
    if (nRC > 1) expStrided(w, W_A2, W, n);
    if (implicit) {
      this.balanceEndOfStep();
      return;
    }
    this.packA = A;
    this.packB = B;
  }

  /**
   * The implicit split's half of prepare: each cell at the end of the step is, to first
   * order in its current, V_{k+1} = E~ + R~ I with E~ = E - Σ (1 - a_j) v_j and
   * R~ = R0 + k L + kh M + Σ R_j (1 - a_j) (k = dt/(3600 Q), L = dOCV/dz, kh the hysteresis
   * rate: its sign term linearised). The group's branches share one node voltage in that
   * form (backward Euler on the branch states); each cell's terminal voltage is then the
   * cell model's V_k = E + R0 I_k with its share. packA/packB: the group voltage is the
   * conductance-weighted mean of its cells' node voltages (V_i + r_conn I_t).
   */
  private balanceEndOfStep(): void {
    const { v1, v2, connected, w } = this;
    const shunt = this.shunt_S;
    const rConn = this.cellConnection_ohm;
    const nRC = this.nRC;
    const np = this.np;
    let A = 0;
    let B = this.busbar_ohm;
    for (let g = 0, i0 = 0; g < this.ns; g++, i0 += np) {
      let sG = 0;
      let sGE = 0;
      for (let i = i0; i < i0 + np; i++) {
        const wi = i * W;
        let et = w[wi + W_E]!;
        let rt = w[wi + W_RT]!;
        if (nRC > 0) {
          const a = w[wi + W_A1]!;
          et = et - (1 - a) * v1[i]!;
          rt = rt + w[wi + W_R1]! * (1 - a);
        }
        if (nRC > 1) {
          const a = w[wi + W_A2]!;
          et = et - (1 - a) * v2[i]!;
          rt = rt + w[wi + W_R2]! * (1 - a);
        }
        w[wi + W_ET] = et;
        w[wi + W_RT] = rt;
        const gsh = shunt[i]!;
        let eth = et;
        let rth = rt;
        if (gsh !== 0) {
          const y = 1 / rt + gsh;
          eth = et / rt / y;
          rth = 1 / y;
        }
        w[wi + W_ETH] = eth;
        w[wi + W_RTH] = rth;
        const gi = connected[i]! / (rth + rConn);
        w[wi + W_G] = gi;
        sG += gi;
        sGE += gi * eth;
      }
      this.sumG[g] = sG;
      this.sumGE[g] = sGE;
      if (!(sG > 0)) {
        this.invSumG[g] = 0;
        B = Infinity;
        continue;
      }
      const inv = 1 / sG;
      this.invSumG[g] = inv;
      // V_g = Σ_i (G_i/sG) (V_i + r_conn I_t,i), each term linear in I
      let Ag = 0;
      let Bg = 0;
      for (let i = i0; i < i0 + np; i++) {
        const wi = i * W;
        const gi = w[wi + W_G]!;
        const wt = gi * inv;
        const at = gi * (sGE * inv - w[wi + W_ETH]!);
        let aI = at;
        let bI = wt;
        if (shunt[i] !== 0) {
          const rt = w[wi + W_RT]!;
          aI = (w[wi + W_ETH]! + w[wi + W_RTH]! * at - w[wi + W_ET]!) / rt;
          bI = (w[wi + W_RTH]! * wt) / rt;
        }
        const r0 = w[wi + W_R0]!;
        Ag += wt * (w[wi + W_E]! + r0 * aI + rConn * at);
        Bg += wt * (r0 * bI + rConn * wt);
      }
      A += Ag;
      B += Bg;
    }
    this.packA = A;
    this.packB = B;
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
    const pairs = this.kx !== null;
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

  /** Apply pack current I (charge positive) for one step; states move from k to k+1. */
  advance(I: number): void {
    if (this.kx !== null) {
      this.kx.advance(I);
      const T = this.T;
      this.T = this.Tnext;
      this.Tnext = T;
      this.packVoltage = this.kHeader![HDR_PACK_V]!;
      this.packCurrent = I;
      return;
    }
    const { z, v1, v2, h, T, Tnext, w, kz, kh, voltage, current, terminalCurrent, heat } = this;
    const { kLeft, kRight, decay, invH } = this;
    const shunt = this.shunt_S;
    const np = this.np;
    const nRC = this.nRC;
    const etaC = this.chem.etaCharge;
    const Ts = this.sinkT;
    const n = this.n;
    const implicit = this.implicit;
    const rConn = this.cellConnection_ohm;
    let Vpack = this.busbar_ohm * I;

    for (let g = 0, i = 0; g < this.ns; g++) {
      const sG = this.sumG[g]!;
      const inv = this.invSumG[g]!;
      // an open group (every cell disconnected) floats; its cells carry no current
      const Vg = sG > 0 ? (I + this.sumGE[g]!) * inv : w[i * W + W_ETH]!;
      // implicit: Vg is the end-of-step node voltage; the group's is the mean of its cells'
      let Vmean = 0;
      if (!implicit) {
        this.groupVoltage[g] = Vg;
        Vpack += Vg;
      }
      for (let p = 0; p < np; p++, i++) {
        const wi = i * W;
        const E = w[wi + W_E]!;
        const gi = w[wi + W_G]!;
        const It = gi * (Vg - w[wi + W_ETH]!);
        const r0 = w[wi + W_R0]!;
        const gsh = shunt[i]!;
        let Ii = It;
        let Vi: number;
        if (gsh === 0) {
          Vi = E + r0 * Ii;
        } else if (!implicit) {
          Vi = w[wi + W_ETH]! + w[wi + W_RTH]! * It;
          Ii = (Vi - E) / r0;
        } else {
          Ii = (w[wi + W_ETH]! + w[wi + W_RTH]! * It - w[wi + W_ET]!) / w[wi + W_RT]!;
          Vi = E + r0 * Ii;
        }
        if (implicit) Vmean += gi * inv * (Vi + rConn * It);
        voltage[i] = Vi;
        current[i] = Ii;
        terminalCurrent[i] = It;
        const Tk = T[i]!;
        const hk = h[i]!;
        let q = r0 * Ii * Ii;
        if (nRC > 0) q += v1[i]! * v1[i]! * w[wi + W_IR1]!;
        if (nRC > 1) q += v2[i]! * v2[i]! * w[wi + W_IR2]!;
        q += w[wi + W_M]! * hk * Ii;
        q += Ii * (Tk + KELVIN) * w[wi + W_DU]!;
        if (gsh !== 0) q += gsh * Vi * Vi;
        heat[i] = q;

        const eta = Ii > 0 ? etaC : 1;
        z[i] = z[i]! + eta * Ii * kz[i]!;
        if (nRC > 0) {
          const a = w[wi + W_A1]!;
          v1[i] = a * v1[i]! + w[wi + W_R1]! * (1 - a) * Ii;
        }
        if (nRC > 1) {
          const a = w[wi + W_A2]!;
          v2[i] = a * v2[i]! + w[wi + W_R2]! * (1 - a) * Ii;
        }
        const hx = eta * Ii * kh[i]!;
        const bh = hysteresisDecay(hx < 0 ? hx : -hx);
        h[i] = bh * hk + (1 - bh) * (Ii > 0 ? 1 : Ii < 0 ? -1 : 0);

        const kl = kLeft[i]!;
        const kr = kRight[i]!;
        const cpl = kl * (T[i > 0 ? i - 1 : 0]! - Ts) + kr * (T[i + 1 < n ? i + 1 : i]! - Ts);
        const off = (q + cpl) * invH[i]!;
        Tnext[i] = Ts + off + (Tk - Ts - off) * decay[i]!;
      }
      if (implicit) {
        const v = sG > 0 ? Vmean : Vg;
        this.groupVoltage[g] = v;
        Vpack += v;
      }
    }
    this.T = Tnext;
    this.Tnext = T;
    this.packVoltage = Vpack;
    this.packCurrent = I;
  }

  /** Change one cell's heat transfer (cooling faults) and refresh its step constants. */
  setHeatTransfer(i: number, hA_W_per_K: number): void {
    this.hA[i] = hA_W_per_K;
    this.updateStepConstants();
  }
}

/** The step implementation when the config names none: NATRIUM_KERNEL=js turns the kernel off. */
function defaultKernel(): 'auto' | 'js' {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NATRIUM_KERNEL === 'js' ? 'js' : 'auto';
}

/** Lowest temperature from which the capacity factor stays exactly 1 (Infinity if never). */
function capacityTop(ts: Float64Array, fs: Float64Array): number {
  let top = Infinity;
  for (let j = ts.length - 1; j >= 0 && fs[j] === 1; j--) top = ts[j]!;
  return top;
}

function capacityFactorAt(ts: Float64Array, fs: Float64Array, T: number): number {
  const n = ts.length;
  if (T <= ts[0]!) return fs[0]!;
  if (T >= ts[n - 1]!) return fs[n - 1]!;
  let j = 0;
  while (ts[j + 1]! <= T) j++;
  return fs[j]! + ((T - ts[j]!) / (ts[j + 1]! - ts[j]!)) * (fs[j + 1]! - fs[j]!);
}

function bilinear(tab: Float64Array, nT: number, s: number, t: number, j: number, j1: number, u: number): number {
  const v00 = tab[s * nT + j]!;
  const v01 = tab[s * nT + j1]!;
  const v10 = tab[(s + 1) * nT + j]!;
  const v11 = tab[(s + 1) * nT + j1]!;
  const a = v00 + u * (v01 - v00);
  const b = v10 + u * (v11 - v10);
  return a + t * (b - a);
}
