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
 */
import { KELVIN, type Chemistry } from './chemistry.ts';
import { Arrhenius, arrheniusFill, expInPlace } from './internal/fastmath.ts';
import { Random } from './random.ts';

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
}

export class Pack {
  readonly chem: Chemistry;
  readonly ns: number;
  readonly np: number;
  readonly n: number;
  readonly nRC: number;
  dt_s: number;

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
  private readonly kz: Float64Array;
  private readonly kh: Float64Array;
  readonly cellConnection_ohm: number;
  readonly busbar_ohm: number;
  readonly lowTemperatureCapacity: boolean;

  // --- step k, written by prepare() ---
  /** Every term of the terminal voltage but the ohmic one, V. */
  readonly E: Float64Array;
  readonly R0: Float64Array;
  /** Thevenin source and resistance of the cell with its shunt, seen from its terminals. */
  private readonly Eth: Float64Array;
  private readonly Rth: Float64Array;
  /** Conductance of the cell branch into its group node (connected / (R0 + r_conn)). */
  readonly G: Float64Array;
  private readonly a1: Float64Array;
  private readonly a2: Float64Array;
  private readonly R1: Float64Array;
  private readonly R2: Float64Array;
  private readonly M: Float64Array;
  private readonly dudt: Float64Array;
  private readonly sumG: Float64Array;
  private readonly sumGE: Float64Array;
  private sinkT = 25;
  private readonly arr0: Arrhenius;
  private readonly arrRC: Arrhenius;
  private readonly f0: Float64Array;
  private readonly hb: Float64Array;
  private readonly fr: Float64Array;
  private readonly invRScale: Float64Array;
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

    const f = () => new Float64Array(n);
    this.z = f();
    this.v1 = f();
    this.v2 = f();
    this.h = f();
    this.T = f();
    this.Tnext = f();
    this.capacity_Ah = f();
    this.rScale = f();
    this.invRScale = f();
    this.f0 = f();
    this.hb = f();
    this.fr = f();
    this.connected = f();
    this.shunt_S = f();
    this.heatCapacity = f();
    this.hA = f();
    this.kLeft = f();
    this.kRight = f();
    this.decay = f();
    this.kz = f();
    this.kh = f();
    this.E = f();
    this.R0 = f();
    this.Eth = f();
    this.Rth = f();
    this.G = f();
    this.a1 = f();
    this.a2 = f();
    this.R1 = f();
    this.R2 = f();
    this.M = f();
    this.dudt = f();
    this.voltage = f();
    this.current = f();
    this.terminalCurrent = f();
    this.heat = f();
    this.sumG = new Float64Array(ns);
    this.sumGE = new Float64Array(ns);
    this.groupVoltage = new Float64Array(ns);

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
    const invTref = 1 / (chem.T_ref_C + KELVIN);
    this.arr0 = new Arrhenius(chem.r0EaOverR, invTref, KELVIN);
    this.arrRC = new Arrhenius(chem.rcEaOverR, invTref, KELVIN);
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
    }
  }

  setStep(dt_s: number): void {
    if (!(dt_s > 0)) throw new TypeError(`"dt_s" must be > 0, got ${dt_s}`);
    this.dt_s = dt_s;
    this.updateStepConstants();
  }

  /** Pack capacity (sum over a group, minimum over groups), Ah: the 1C current in A. */
  nominalCapacity_Ah(): number {
    return this.chem.capacity_Ah * this.np;
  }

  /**
   * Evaluate every cell at step k. After it, packA/packB describe the pack voltage as a
   * function of the pack current, and E/G each cell.
   */
  prepare(sinkT_C: number): void {
    this.sinkT = sinkT_C;
    const chem = this.chem;
    const grid = chem.soc;
    const xs = grid.x;
    const nx = xs.length;
    const x0 = grid.first;
    const xN = grid.last;
    const ocv = chem.ocv;
    const dudtT = chem.dudt;
    const mT = chem.m;
    const Tref = chem.T_ref_C;
    const invTref = 1 / (Tref + KELVIN);
    const table2d = chem.form === 'table2d';
    const r0T = chem.r0;
    const r1T = chem.nRC > 0 ? chem.rcR[0]! : chem.r0;
    const c1T = chem.nRC > 0 ? chem.rcC[0]! : chem.r0;
    const r2T = chem.nRC > 1 ? chem.rcR[1]! : chem.r0;
    const c2T = chem.nRC > 1 ? chem.rcC[1]! : chem.r0;
    const nRC = this.nRC;
    const ea0 = chem.r0EaOverR;
    const eaRC = chem.rcEaOverR;
    const capT = chem.capT;
    const capF = chem.capF;
    const lowT = this.lowTemperatureCapacity && capT !== null && capF !== null;
    // above the last breakpoint whose factor is 1, the lookup SOC is z itself
    const capTop = lowT ? capacityTop(capT!, capF!) : -Infinity;
    const tGrid = chem.temp;
    const nT = tGrid ? tGrid.x.length : 1;
    const dt = this.dt_s;
    const rConn = this.cellConnection_ohm;

    const { z, v1, v2, h, T, rScale, invRScale, connected, E, R0, Eth, Rth, G, a1, a2, R1, R2, M, dudt, arr0, arrRC } = this;
    const shunt = this.shunt_S;
    const np = this.np;
    let A = 0;
    let B = this.busbar_ohm;

    // Arrhenius factors first, in a loop of their own: kept apart from the long loop
    // below, the exp calls there do not force every live value to be spilled.
    const f0a = this.f0;
    const fra = this.fr;
    if (!table2d) {
      const n = this.n;
      if (ea0 === 0) f0a.fill(1);
      else arrheniusFill(f0a, T, n, arr0, KELVIN);
      if (eaRC === 0) fra.fill(1);
      else arrheniusFill(fra, T, n, arrRC, KELVIN);
    }
    const bucket = grid.bucket;
    const invBw = grid.invBucketWidth;

    for (let g = 0, i = 0; g < this.ns; g++) {
      let sG = 0;
      let sGE = 0;
      for (let p = 0; p < np; p++, i++) {
        const Tk = T[i]!;
        let zl = z[i]!;
        if (lowT && Tk < capTop) {
          const fT = capacityFactorAt(capT!, capF!, Tk);
          zl = zl - (1 - zl) * (1 / fT - 1);
        }
        // one segment for every SOC table
        let s: number;
        let t: number;
        if (zl <= x0) {
          s = 0;
          t = 0;
        } else if (zl >= xN) {
          s = nx - 2;
          t = 1;
        } else {
          s = bucket[((zl - x0) * invBw) | 0]!;
          while (s > 0 && xs[s]! > zl) s--;
          while (xs[s + 1]! <= zl) s++;
          t = (zl - xs[s]!) / (xs[s + 1]! - xs[s]!);
        }
        const o = ocv[s]! + t * (ocv[s + 1]! - ocv[s]!);
        const du = dudtT[s]! + t * (dudtT[s + 1]! - dudtT[s]!);
        const m = mT[s]! + t * (mT[s + 1]! - mT[s]!);
        const rs = rScale[i]!;
        const irs = invRScale[i]!;
        let r0: number;
        let r1 = 0;
        let c1 = 0;
        let r2 = 0;
        let c2 = 0;
        if (!table2d) {
          const f0 = f0a[i]!;
          const fr = fra[i]!;
          r0 = (r0T[s]! + t * (r0T[s + 1]! - r0T[s]!)) * f0 * rs;
          if (nRC > 0) {
            r1 = (r1T[s]! + t * (r1T[s + 1]! - r1T[s]!)) * fr * rs;
            c1 = (c1T[s]! + t * (c1T[s + 1]! - c1T[s]!)) * irs;
          }
          if (nRC > 1) {
            r2 = (r2T[s]! + t * (r2T[s + 1]! - r2T[s]!)) * fr * rs;
            c2 = (c2T[s]! + t * (c2T[s + 1]! - c2T[s]!)) * irs;
          }
        } else {
          const tg = tGrid!;
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
          r0 = bilinear(r0T, nT, s, t, j, j1, u) * rs;
          if (nRC > 0) {
            r1 = bilinear(r1T, nT, s, t, j, j1, u) * rs;
            c1 = bilinear(c1T, nT, s, t, j, j1, u) * irs;
          }
          if (nRC > 1) {
            r2 = bilinear(r2T, nT, s, t, j, j1, u) * rs;
            c2 = bilinear(c2T, nT, s, t, j, j1, u) * irs;
          }
        }
        let e = o + du * (Tk - Tref) + m * h[i]!;
        if (nRC > 0) {
          e += v1[i]!;
          a1[i] = -dt / (r1 * c1); // exponentiated below
          R1[i] = r1;
        }
        if (nRC > 1) {
          e += v2[i]!;
          a2[i] = -dt / (r2 * c2);
          R2[i] = r2;
        }
        E[i] = e;
        R0[i] = r0;
        M[i] = m;
        dudt[i] = du;
        const gsh = shunt[i]!;
        let eth = e;
        let rth = r0;
        if (gsh !== 0) {
          const y = 1 / r0 + gsh;
          eth = e / r0 / y;
          rth = 1 / y;
        }
        Eth[i] = eth;
        Rth[i] = rth;
        const gi = connected[i]! / (rth + rConn);
        G[i] = gi;
        sG += gi;
        sGE += gi * eth;
      }
      this.sumG[g] = sG;
      this.sumGE[g] = sGE;
      // V_g = (I + sGE) / sG. A group with every cell disconnected has no path: the pack
      // is open (packB = Infinity) and can carry no current.
      if (sG > 0) {
        A += sGE / sG;
        B += 1 / sG;
      } else {
        B = Infinity;
      }
    }
    if (nRC > 0) expInPlace(a1, this.n);
    if (nRC > 1) expInPlace(a2, this.n);
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
    // V_g = (I + sGE)/sG; I_i = G_i (V_g - E_i); V_i = E_i + R0_i I_i
    // with a shunt, the same holds for the cell's Thevenin pair (Eth, Rth)
    if (sG === 0) {
      out[0] = 0;
      return this.Eth[i]!;
    }
    const k = this.Rth[i]! * this.G[i]!;
    out[0] = k / sG;
    return this.Eth[i]! + k * (this.sumGE[g]! / sG - this.Eth[i]!);
  }

  /** Apply pack current I (charge positive) for one step; states move from k to k+1. */
  advance(I: number): void {
    const { z, v1, v2, h, T, Tnext, E, Eth, Rth, R0, G, a1, a2, R1, R2, M, dudt, kz, kh, voltage, current, terminalCurrent, heat } = this;
    const shunt = this.shunt_S;
    const { kLeft, kRight, decay, hA, hb } = this;
    const np = this.np;
    const nRC = this.nRC;
    const etaC = this.chem.etaCharge;
    const Ts = this.sinkT;
    const n = this.n;
    let Vpack = this.busbar_ohm * I;

    for (let g = 0, i = 0; g < this.ns; g++) {
      const sG = this.sumG[g]!;
      // an open group (every cell disconnected) floats; its cells carry no current
      const Vg = sG > 0 ? (I + this.sumGE[g]!) / sG : this.Eth[i]!;
      this.groupVoltage[g] = Vg;
      Vpack += Vg;
      for (let p = 0; p < np; p++, i++) {
        const It = G[i]! * (Vg - Eth[i]!);
        const r0 = R0[i]!;
        const gsh = shunt[i]!;
        let Ii = It;
        let Vi: number;
        if (gsh === 0) {
          Vi = E[i]! + r0 * Ii;
        } else {
          Vi = Eth[i]! + Rth[i]! * It;
          Ii = (Vi - E[i]!) / r0;
        }
        voltage[i] = Vi;
        current[i] = Ii;
        terminalCurrent[i] = It;
        const Tk = T[i]!;
        let q = r0 * Ii * Ii;
        if (nRC > 0) q += (v1[i]! * v1[i]!) / R1[i]!;
        if (nRC > 1) q += (v2[i]! * v2[i]!) / R2[i]!;
        q += M[i]! * h[i]! * Ii;
        q += Ii * (Tk + KELVIN) * dudt[i]!;
        if (gsh !== 0) q += gsh * Vi * Vi;
        heat[i] = q;

        const eta = Ii > 0 ? etaC : 1;
        z[i] = z[i]! + eta * Ii * kz[i]!;
        if (nRC > 0) {
          const a = a1[i]!;
          v1[i] = a * v1[i]! + R1[i]! * (1 - a) * Ii;
        }
        if (nRC > 1) {
          const a = a2[i]!;
          v2[i] = a * v2[i]! + R2[i]! * (1 - a) * Ii;
        }
        hb[i] = -Math.abs(eta * Ii * kh[i]!); // hysteresis decay, exponentiated below

        const kl = kLeft[i]!;
        const kr = kRight[i]!;
        const cpl = kl * (T[i > 0 ? i - 1 : 0]! - Ts) + kr * (T[i + 1 < n ? i + 1 : i]! - Ts);
        const off = (q + cpl) / (hA[i]! + kl + kr);
        Tnext[i] = Ts + off + (Tk - Ts - off) * decay[i]!;
      }
    }
    expInPlace(hb, n);
    for (let i = 0; i < n; i++) {
      const b = hb[i]!;
      h[i] = b * h[i]! + (1 - b) * Math.sign(current[i]!);
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
