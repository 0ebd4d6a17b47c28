/**
 * SOC by an extended Kalman filter on the 2-RC + one-state-hysteresis cell model (Plett,
 * Battery Management Systems Vol. II, ch. 3, "ESC" model). State x = [z, v1, v2, h]:
 *   z+  = z + η·i·Δt/(3600·Q)
 *   vj+ = aj·vj + Rj·(1 − aj)·i,          aj = exp(−Δt/τj)
 *   h+  = b·h + (1 − b)·sgn(i),            b = exp(−|η·i·γ·Δt/(3600·Q)|)
 *   y   = OCV(z, T) + M(z)·h + R0·i + v1 + v2
 * i is the cell current (pack current / np); charge positive. Parameters come from the
 * firmware's cell model (cellModel.ts, built from sim/cell.ts cellParams). One instance
 * tracks one representative cell (avg, min or max group); 4×4 matrices in a Float64Array,
 * no allocation per update.
 */
import { type CellModel, newModelPoint } from '../internal/cellModel.ts';

export interface EkfTuning {
  initial_soc_sigma: number;
  process_soc_sigma_per_s: number;
  process_v_sigma_V: number;
  process_h_sigma: number;
  measurement_sigma_V: number;
}

const N = 4;

export class Ekf {
  /** State [z, v1, v2, h]. */
  readonly x = new Float64Array(N);
  /** Covariance, row-major. */
  readonly P = new Float64Array(N * N);
  /** Last innovation (measured − predicted voltage), V. */
  innovation_V = 0;
  private readonly p = newModelPoint();
  private readonly H = new Float64Array(N);
  private readonly PH = new Float64Array(N);
  private readonly tmp = new Float64Array(N * N);

  constructor(
    private readonly model: CellModel,
    private readonly tune: EkfTuning,
  ) {}

  init(z: number, h = 0): void {
    this.x.fill(0);
    this.x[0] = z;
    this.x[3] = h;
    this.P.fill(0);
    this.P[0] = this.tune.initial_soc_sigma ** 2;
    this.P[5] = 1e-4;
    this.P[10] = 1e-4;
    this.P[15] = 0.25;
  }

  get soc(): number {
    return this.x[0]!;
  }

  /** Time update over dt_s at mean cell current i_A, temperature T_C, capacity Q_Ah. */
  predict(i_A: number, dt_s: number, T_C: number, Q_Ah: number): void {
    const m = this.model;
    const p = m.eval(this.x[0]!, T_C, this.p);
    const x = this.x;
    const eta = i_A > 0 ? m.etaCharge : 1;
    const a1 = m.nRC > 0 ? Math.exp(-dt_s / p.tau1_s) : 0;
    const a2 = m.nRC > 1 ? Math.exp(-dt_s / p.tau2_s) : 0;
    const b = Math.exp(-Math.abs((eta * i_A * m.gamma * dt_s) / (3600 * Q_Ah)));
    x[0] = x[0]! + (eta * i_A * dt_s) / (3600 * Q_Ah);
    x[1] = m.nRC > 0 ? a1 * x[1]! + p.r1_ohm * (1 - a1) * i_A : 0;
    x[2] = m.nRC > 1 ? a2 * x[2]! + p.r2_ohm * (1 - a2) * i_A : 0;
    x[3] = b * x[3]! + (1 - b) * Math.sign(i_A);
    // P = A P A' + Q with A = diag(1, a1, a2, b)
    const P = this.P;
    const d0 = 1;
    for (let r = 0; r < N; r++) {
      const ar = r === 0 ? d0 : r === 1 ? a1 : r === 2 ? a2 : b;
      for (let c = 0; c < N; c++) {
        const ac = c === 0 ? d0 : c === 1 ? a1 : c === 2 ? a2 : b;
        P[r * N + c] = ar * P[r * N + c]! * ac;
      }
    }
    const t = this.tune;
    P[0] = P[0]! + t.process_soc_sigma_per_s ** 2 * dt_s;
    P[5] = P[5]! + t.process_v_sigma_V ** 2;
    P[10] = P[10]! + t.process_v_sigma_V ** 2;
    P[15] = P[15]! + t.process_h_sigma ** 2 * (1 - b) + 1e-9;
  }

  /** Measurement update with cell voltage v_V measured at cell current i_A. */
  update(v_V: number, i_A: number, T_C: number): void {
    const m = this.model;
    const x = this.x;
    const p = m.eval(x[0]!, T_C, this.p);
    const y = p.ocv_V + p.M_V * x[3]! + (i_A > 0 ? p.r0_charge_ohm : p.r0_ohm) * i_A + x[1]! + x[2]!;
    const H = this.H;
    H[0] = p.dOcv + p.dM * x[3]!;
    H[1] = m.nRC > 0 ? 1 : 0;
    H[2] = m.nRC > 1 ? 1 : 0;
    H[3] = p.M_V;
    const P = this.P;
    const PH = this.PH;
    let S = this.tune.measurement_sigma_V ** 2;
    for (let r = 0; r < N; r++) {
      let s = 0;
      for (let c = 0; c < N; c++) s += P[r * N + c]! * H[c]!;
      PH[r] = s;
      S += H[r]! * s;
    }
    const e = v_V - y;
    this.innovation_V = e;
    // x += K e, K = PH / S; P -= K (H P) = PH PH' / S
    for (let r = 0; r < N; r++) x[r] = x[r]! + (PH[r]! / S) * e;
    const tmp = this.tmp;
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) tmp[r * N + c] = P[r * N + c]! - (PH[r]! * PH[c]!) / S;
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) P[r * N + c] = 0.5 * (tmp[r * N + c]! + tmp[c * N + r]!);
      if (!(P[r * N + r]! > 1e-12)) P[r * N + r] = 1e-12;
    }
    if (x[3]! > 1) x[3] = 1;
    if (x[3]! < -1) x[3] = -1;
    if (x[0]! < -0.1) x[0] = -0.1;
    if (x[0]! > 1.1) x[0] = 1.1;
  }
}
