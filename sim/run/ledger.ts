/**
 * The run's ledger: charge and energy through the pack terminals, heat, the extremes of cell
 * voltage and temperature, distance driven, and the validity envelope (sim/envelope.ts), all
 * from one pass over the cells per step (`account`); the statistics of the last step are what
 * the terminations read. `summary` turns it into the run's Summary.
 */
import type { Chemistry } from '../chemistry.ts';
import { EnvelopeWatch } from '../envelope.ts';
import type { Pack } from '../pack.ts';
import type { StepLog, Summary } from './types.ts';

export class Ledger {
  dischargedWh = 0;
  chargedWh = 0;
  dischargedAh = 0;
  chargedAh = 0;
  heatWh = 0;
  vMin = Infinity;
  vMax = -Infinity;
  tMin = Infinity;
  tMax = -Infinity;
  distance_km = 0;
  /** Energy the drive cycles took from the pack (for Wh per km). */
  driveWh = 0;
  // statistics of the last step, from one pass over the cells (account())
  /** Lowest and highest cell voltage V_k of the last step. */
  stepVMin = Infinity;
  stepVMax = -Infinity;
  /** Pack SOC after the last step. */
  stepSoc = 0;
  private readonly n: number;
  private readonly capWeights: Float64Array;
  private readonly capTotal: number;
  private readonly watch: EnvelopeWatch;
  readonly socInitial: number;

  constructor(
    private readonly pack: Pack,
    private readonly chem: Chemistry,
    private readonly dt: number,
    allowAbuse: boolean,
  ) {
    this.n = pack.n;
    this.capWeights = Float64Array.from(pack.capacity_Ah);
    this.capTotal = this.capWeights.reduce((a, b) => a + b, 0);
    this.socInitial = this.packSoc();
    const np = pack.np;
    this.watch = new EnvelopeWatch(chem, allowAbuse, (i) => `cell ${i + 1} (group ${Math.floor(i / np) + 1}, position ${(i % np) + 1})`);
    const T = pack.T;
    for (let i = 0; i < this.n; i++) {
      this.tMin = Math.min(this.tMin, T[i]!);
      this.tMax = Math.max(this.tMax, T[i]!);
    }
  }

  /** Pack SOC: the charge-weighted mean of the cells' true SOC. */
  packSoc(): number {
    const z = this.pack.z;
    let s = 0;
    for (let i = 0; i < this.n; i++) s += z[i]! * this.capWeights[i]!;
    return s / this.capTotal;
  }

  /** Charge passed through the terminals so far, either way, Ah. */
  throughputAh(): number {
    return this.dischargedAh + this.chargedAh;
  }

  /**
   * Books the step just taken at pack current I from time t0, and checks the validity envelope
   * (an AbuseError unless abuse is allowed).
   */
  account(I: number, t0: number): void {
    const pack = this.pack;
    const dt = this.dt;
    const P = pack.packVoltage * I;
    if (I < 0) {
      this.dischargedWh -= (P * dt) / 3600;
      this.dischargedAh -= (I * dt) / 3600;
    } else {
      this.chargedWh += (P * dt) / 3600;
      this.chargedAh += (I * dt) / 3600;
    }
    // one pass over the cells for everything the runner needs of this step
    const v = pack.voltage;
    const T = pack.T;
    const q = pack.heat;
    const z = pack.z;
    const cur = pack.current;
    const w = this.capWeights;
    const L = this.watch.limits;
    let inside = true; // every cell inside the validity envelope (NaN counts as outside)
    let heat = 0;
    let vMin = Infinity;
    let vMax = -Infinity;
    let tMin = this.tMin;
    let tMax = this.tMax;
    let zw = 0;
    for (let i = 0; i < this.n; i++) {
      const vi = v[i]!;
      if (vi < vMin) vMin = vi;
      if (vi > vMax) vMax = vi;
      const Ti = T[i]!;
      if (Ti < tMin) tMin = Ti;
      if (Ti > tMax) tMax = Ti;
      heat += q[i]!;
      const zi = z[i]!;
      zw += zi * w[i]!;
      const Ii = cur[i]!;
      inside = inside && zi >= L.socMin && zi <= L.socMax && vi >= L.vMin && vi <= L.vMax && Ti >= L.tMin && Ti <= L.tMax && Ii <= L.iMax && Ii >= -L.iMax;
    }
    if (!inside) this.watch.outside(t0, pack, this.n);
    this.stepVMin = vMin;
    this.stepVMax = vMax;
    this.stepSoc = zw / this.capTotal;
    if (vMin < this.vMin) this.vMin = vMin;
    if (vMax > this.vMax) this.vMax = vMax;
    this.tMin = tMin;
    this.tMax = tMax;
    this.heatWh += (heat * dt) / 3600;
  }

  summary(about: { scenario: string; t_s: number; steps: number; logs: StepLog[] }): Summary {
    const pack = this.pack;
    let zMin = Infinity;
    let zMax = -Infinity;
    let Tfin = -Infinity;
    for (let i = 0; i < this.n; i++) {
      zMin = Math.min(zMin, pack.z[i]!);
      zMax = Math.max(zMax, pack.z[i]!);
      Tfin = Math.max(Tfin, pack.T[i]!);
    }
    const r = (x: number, d = 3) => Number(x.toFixed(d));
    const envelope = this.watch.summary();
    return {
      scenario: about.scenario,
      chemistry: this.chem.name,
      pack: `${pack.ns}s${pack.np}p`,
      dt_s: this.dt,
      duration_s: r(about.t_s, 3),
      steps_simulated: about.steps,
      energy: {
        discharged_Wh: r(this.dischargedWh, 1),
        charged_Wh: r(this.chargedWh, 1),
        net_Wh: r(this.chargedWh - this.dischargedWh, 1),
        heat_Wh: r(this.heatWh, 1),
      },
      charge: { discharged_Ah: r(this.dischargedAh, 3), charged_Ah: r(this.chargedAh, 3) },
      cell_voltage: { min_V: r(this.vMin, 4), max_V: r(this.vMax, 4) },
      temperature: { min_C: r(this.tMin, 2), max_C: r(this.tMax, 2), final_max_C: r(Tfin, 2) },
      pack_soc: {
        initial_pct: r(this.socInitial * 100, 2),
        final_pct: r(this.packSoc() * 100, 2),
        final_min_pct: r(zMin * 100, 2),
        final_max_pct: r(zMax * 100, 2),
      },
      distance_km: r(this.distance_km, 3),
      Wh_per_km: this.distance_km > 0 ? r(this.driveWh / this.distance_km, 1) : null,
      steps: about.logs,
      ...(envelope ? { envelope } : {}),
    };
  }
}
