/**
 * Load control: the pack current a step asks for, each pack step. An experiment step holds a
 * current, C-rate, power or voltage (a charger's CV, with its injected faults) or rests; a drive
 * step asks for its cycle's battery power, looped; a current step plays its profile (zero-order
 * hold from its first stamp). Powers and voltages are solved on the pack's linearisation
 * (pack.packA, packB: V = A + B·I) or, for a cell voltage, each cell's.
 */
import type { ChargerFault } from '../bms/faults.ts';
import type { Pack } from '../pack.ts';
import type { ScenarioStep } from '../scenario.ts';
import type { Ledger } from './ledger.ts';

export class StepLoad {
  /** The step charges (requests CHARGE of a BMS; a faulty charger acts on it). */
  readonly charging: boolean;
  /** The step only rests (no request to a BMS; an open pack is no reason to end it). */
  readonly rest: boolean;
  /** Of the last request: +1 charging, −1 discharging, 0 rest or a hold. */
  direction = 0;
  /** The last request was a power the pack cannot deliver (it got the current of the maximum power). */
  powerShort = false;
  /** The charger's last CC current (what a charger stuck in CC, or at a wrong setpoint, keeps to). */
  lastChargeCurrent: number;
  private readonly lin = new Float64Array(1);
  // drive-cycle state: the interval of the cycle, the time into the loop, loops done
  private idx = 0;
  private tau = 0;
  private loops = 0;
  private readonly cycleEnd: number;
  // current-profile state
  private cIdx = 0;

  constructor(
    private readonly step: ScenarioStep,
    private readonly pack: Pack,
    private readonly oneC: number,
    lastChargeCurrent: number,
  ) {
    const ctrl = step.kind === 'experiment' ? step.control : null;
    this.charging =
      ctrl !== null &&
      ((ctrl.mode === 'current' && ctrl.current_A > 0) ||
        (ctrl.mode === 'c_rate' && ctrl.c_rate > 0) ||
        (ctrl.mode === 'power' && ctrl.power_W > 0) ||
        ctrl.mode === 'voltage');
    this.rest = ctrl?.mode === 'rest';
    this.cycleEnd = step.kind === 'drive' ? step.profile.time_s[step.profile.time_s.length - 1]! : 0;
    this.lastChargeCurrent = lastChargeCurrent;
  }

  /** A current step's profile time at simulated time t (the step began at `start`); 0 for other steps. */
  profileTime(t: number, start: number): number {
    const cur = this.step.kind === 'current' ? this.step.profile : null;
    return cur ? cur.time_s[0]! + t - start : 0;
  }

  /** A current step has played its profile to the end by profile time pTau. */
  profileOver(pTau: number): boolean {
    const cur = this.step.kind === 'current' ? this.step.profile : null;
    return cur !== null && pTau >= cur.time_s[cur.time_s.length - 1]! - 1e-9;
  }

  /** The pack current the load asks for this step (before a BMS admits it); sets direction and powerShort. */
  request(pTau: number, chargerFault: ChargerFault | null): number {
    const step = this.step;
    const pack = this.pack;
    let I = 0;
    this.direction = 0;
    this.powerShort = false;
    if (step.kind === 'drive') {
      // power over the cycle interval containing tau
      const prof = step.profile;
      while (this.idx + 1 < prof.time_s.length - 1 && prof.time_s[this.idx + 1]! <= this.tau) this.idx++;
      const P = prof.power_W[this.idx]!;
      const r = this.solvePower(P);
      I = r;
      this.powerShort = Number.isNaN(r);
      if (this.powerShort) I = -pack.packA / (2 * pack.packB);
      this.direction = -1;
    } else if (step.kind === 'current') {
      const cur = step.profile;
      while (this.cIdx + 1 < cur.time_s.length && cur.time_s[this.cIdx + 1]! <= pTau + 1e-9) this.cIdx++;
      I = cur.current_A[this.cIdx]!;
      this.direction = Math.sign(I);
    } else {
      const ctrl = step.control;
      switch (ctrl.mode) {
        case 'current':
          I = ctrl.current_A;
          this.direction = Math.sign(I);
          break;
        case 'c_rate':
          I = ctrl.c_rate * this.oneC;
          this.direction = Math.sign(I);
          break;
        case 'power': {
          const r = this.solvePower(ctrl.power_W);
          this.powerShort = Number.isNaN(r);
          I = this.powerShort ? -pack.packA / (2 * pack.packB) : r;
          this.direction = Math.sign(ctrl.power_W);
          break;
        }
        case 'voltage': {
          if (chargerFault?.mode === 'no_termination') {
            I = this.lastChargeCurrent; // the charger never switches to CV: it keeps its CC current
            this.direction = 1;
            break;
          }
          const Vt = chargerFault?.mode === 'cv_too_high' ? chargerFault.cv_V : ctrl.voltage_V;
          const ref = chargerFault?.mode === 'cv_too_high' ? 'cell' : ctrl.reference;
          I = ref === 'pack' ? (Vt - pack.packA) / pack.packB : this.cellHoldCurrent(Vt);
          // a charger regulating to a wrong setpoint is still limited to its own CC current
          if (chargerFault !== null && this.lastChargeCurrent > 0) I = Math.min(I, this.lastChargeCurrent);
          this.direction = 0;
          break;
        }
        case 'rest':
          I = 0;
          break;
      }
    }
    if (!Number.isFinite(pack.packB)) I = 0; // an open group: no path for current
    if (this.charging && I > 0 && !(step.kind === 'experiment' && step.control.mode === 'voltage')) this.lastChargeCurrent = I;
    return I;
  }

  /**
   * After a drive step's pack step at current I: distance and drive energy into the ledger, the
   * cycle's clock on. Returns true when the step's loops are done.
   */
  driveOn(I: number, dt: number, ledger: Ledger): boolean {
    const step = this.step;
    if (step.kind !== 'drive') return false;
    const speeds = step.cycle.speed_kmh;
    ledger.distance_km += (speeds[Math.min(this.idx, speeds.length - 1)]! * dt) / 3600;
    ledger.driveWh -= (this.pack.packVoltage * I * dt) / 3600;
    this.tau += dt;
    if (this.tau >= this.cycleEnd - 1e-9) {
      this.loops++;
      this.tau = 0;
      this.idx = 0;
      if (step.repeat !== null && this.loops >= step.repeat) return true;
    }
    return false;
  }

  /** Pack current for battery power P (charge positive); NaN when P is out of reach. */
  private solvePower(P: number): number {
    const A = this.pack.packA;
    const B = this.pack.packB;
    if (!Number.isFinite(B)) return 0;
    if (P === 0) return 0;
    const disc = A * A + 4 * B * P;
    if (disc < 0) return NaN;
    // the root nearest P/A (the stable operating point); written to avoid cancellation
    return (2 * P) / (A + Math.sqrt(disc));
  }

  /** Current that brings the highest cell (charging) or lowest cell (discharging) to V. */
  private cellHoldCurrent(V: number): number {
    const pack = this.pack;
    const lin = this.lin;
    let up = Infinity;
    let down = -Infinity;
    for (let i = 0; i < pack.n; i++) {
      if (pack.connected[i] === 0) continue;
      const a = pack.cellLinear(i, lin);
      const b = lin[0]!;
      if (b <= 0) continue;
      const Ii = (V - a) / b;
      if (Ii < up) up = Ii;
      if (Ii > down) down = Ii;
    }
    if (up === Infinity) return 0;
    // a hold above the cells charges (the highest cell sets it); below, it discharges
    return up >= 0 ? up : down;
  }
}
