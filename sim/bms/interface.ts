/**
 * The seam between the scenario runner (sim/run.ts) and the BMS firmware emulator
 * (sim/bms/). The runner owns time, the load and the pack model; the emulator sees the
 * pack only through its own measurement layer and acts on it only through the plant
 * (contactors, balancing shunts, injected faults).
 *
 * Per pack step (dt_s, a whole multiple of the fast task period):
 *   pack.prepare(T_sink)
 *   I = load request (current, power, CV hold, drive cycle; charge positive)
 *   I = bms.admitCurrent(I, t_s)         // 0 when the main path is open; SOP-clamped
 *   pack.advance(I)
 *   bms.afterStep(t_s + dt_s)            // runs every task due up to that time
 */
import type { Pack } from '../pack.ts';

/** What the host (vehicle controller, charger, test rig) asks of the BMS. */
export type HostRequest = 'STANDBY' | 'NORMAL' | 'CHARGE' | 'RESET';

export interface BmsTraceRow {
  state: string;
  soc_est: number;
  charge_limit_A: number;
  discharge_limit_A: number;
  balancing_count: number;
}

export interface BmsHooks {
  /** Queue a host request (processed by the state machine on its next tick). */
  request(req: HostRequest, t_s: number): void;
  /**
   * The current the plant carries this step for the load's request (charge positive):
   * 0 when the main contactors are open (or a welded contactor says otherwise: the
   * plant decides), clamped to the BMS's current limits where the load respects them.
   * Called after pack.prepare(), before pack.advance().
   */
  admitCurrent(requested_A: number, t_s: number): number;
  /** Run every scheduled task due up to t_s; apply balancing and injected faults to the pack. */
  afterStep(t_s: number): void;
  /** True while the main current path is closed (the load can draw current). */
  readonly pathClosed: boolean;
  /** Row for the trace at the present time. */
  traceRow(): BmsTraceRow;
  /** Summary for `natrium sim --json` (keys: transitions, faults, injections, soc). */
  report(): Record<string, unknown>;
  /**
   * Extra ambient temperature from injected faults (heat wave) at t_s, °C: add it to the
   * sink temperature given to pack.prepare(). Optional (added for fault injection).
   */
  ambientOffset_C?(t_s: number): number;
  /**
   * The charger fault injected at t_s, or null. While one is active, a charge or CV-hold step
   * regulates to `cv_V` per cell (cv_too_high) or keeps its CC current without ending
   * (no_termination); the faulty charger ignores the charge limit, so admitCurrent() does not
   * clamp positive current then. Optional (added for fault injection).
   */
  chargerFault?(t_s: number): { mode: 'cv_too_high'; cv_V: number } | { mode: 'no_termination' } | null;
}

export type PackRef = Pack;
