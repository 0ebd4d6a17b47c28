/**
 * The model and the real system of the model-based test (style.md habit 15). The model is
 * much smaller than the system: which faults were injected, and how many commands ran. The
 * real system is a 4s1p pack with the BMS, stepped one fast tick at a time; every step
 * checks the three properties of issue 3:
 *  - contactors are never (commanded) closed while a fatal fault has outlived its reaction
 *    delay (plus the time limit for opening above the break current, the two contactor
 *    operate times of the opening sequence, a few ticks and a step), and the path is open then
 *    unless both main contactors are welded;
 *  - precharge always precedes closing the main contactor: plus closes only while minus and
 *    precharge are closed, in PRECHARGE, with the bus charged to within the threshold;
 *  - ERROR is left only as specified: to STANDBY, after a delivered RESET or STANDBY
 *    request, with no fatal fault (other than the acknowledged precharge failure) raised.
 */
import { expect } from 'vitest';
import { CHECK_INDEX } from '../../../../sim/bms/diag.ts';
import type { HostRequest } from '../../../../sim/bms/interface.ts';
import { CHECKS, CHECK_IDS, FAULT_CODE_NAMES } from '../../../../sim/bms/types.ts';
import { Rig } from '../_harness.ts';

export interface Model {
  injected: Set<string>;
  commands: number;
}

export class Real {
  readonly rig: Rig;
  /** Longest reaction delay per fault code name, s. */
  private readonly delay_s = new Map<string, number>();
  private readonly slack_s: number;
  private prevPlus = 0;
  private prevState = 'hasNeverRun';
  private exitRequestsSinceError = 0;
  /** Checks done, for the test's own sanity. */
  steps = 0;
  plusClosings = 0;
  errorExits = 0;

  constructor(seed: number) {
    // shorter precharge timeouts and host timeout than the default, so that a run of a few
    // seconds reaches ERROR and back
    this.rig = new Rig({
      ns: 4,
      np: 1,
      dt_s: 0.01,
      soc: 0.6,
      seed,
      bms: { precharge: { timeout_ms: 600, retry_wait_ms: 300 }, checks: { host_comm_loss: { msl_s: 2 } } },
    });
    const cfg = this.rig.bms.config;
    for (const id of CHECK_IDS) {
      const name = FAULT_CODE_NAMES[CHECKS[id].code]!;
      this.delay_s.set(name, Math.max(this.delay_s.get(name) ?? 0, cfg.checks[id].delay_ms / 1000));
    }
    // after the delay: ERROR on the next tick, the wait for the break current (time limit),
    // plus (and precharge) opening, then minus opening, a few ticks of sequencing, one step
    this.slack_s = (cfg.contactors.max_break_wait_ms + 2 * cfg.contactors.operate_ms + 4 * cfg.scheduler.fast_period_ms) / 1000 + this.rig.dt_s;
  }

  request(req: HostRequest): void {
    const before = this.rig.bms.lostRequests;
    this.rig.request(req);
    const delivered = this.rig.bms.lostRequests === before;
    if (delivered && (req === 'RESET' || req === 'STANDBY') && this.rig.state === 'ERROR') this.exitRequestsSinceError++;
  }

  /** Step for `seconds`, checking the properties after every step. */
  advance(seconds: number): void {
    const n = Math.max(1, Math.round(seconds / this.rig.dt_s));
    for (let k = 0; k < n; k++) {
      this.rig.step();
      this.check();
    }
  }

  private check(): void {
    const { rig } = this;
    const bms = rig.bms;
    const t = rig.t_s;
    const c = bms.contactors;
    this.steps++;
    // 1. no closed contactor while a fatal fault has outlived its reaction delay
    for (const f of bms.diag.records) {
      if (f.tier !== 'FATAL' || f.cleared_s !== null) continue;
      if (t > f.raised_s + this.delay_s.get(f.code)! + this.slack_s) {
        expect([c.minus, c.precharge, c.plus], `${f.code} raised at ${f.raised_s} s, t = ${t} s`).toEqual([0, 0, 0]);
        expect(bms.bus.pathClosed && !(bms.bus.plus.welded && bms.bus.minus.welded)).toBe(false);
      }
    }
    // 2. precharge before the main contactor
    if (c.plus === 1 && this.prevPlus === 0) {
      this.plusClosings++;
      expect(bms.stateMachine.state).toBe('PRECHARGE');
      expect([c.minus, c.precharge]).toEqual([1, 1]);
      const cur = bms.db.peek('current');
      const thr = (bms.config.precharge.voltage_threshold_pct / 100) * cur.packVoltage_V;
      expect(Math.abs(cur.busVoltage_V - cur.packVoltage_V)).toBeLessThanOrEqual(thr);
      expect(Math.abs(bms.bus.busVoltage_V - rig.pack.packVoltage)).toBeLessThanOrEqual(thr * 1.5);
    }
    this.prevPlus = c.plus;
    // 3. ERROR is left only to STANDBY, after a reset/standby request, with no fatal fault left
    //    (the state machine decides on the diagnosis of the same tick, so compare with that)
    const state = bms.stateMachine.state;
    const dg = bms.db.peek('diag');
    const fatalOthers = dg.fatalCount - ((dg.raised[CHECK_INDEX.precharge_failure]! >> 2) & 1);
    if (this.prevState === 'ERROR' && state !== 'ERROR') {
      this.errorExits++;
      expect(state).toBe('STANDBY');
      expect(this.exitRequestsSinceError).toBeGreaterThan(0);
      expect(fatalOthers).toBe(0);
    }
    if (state === 'ERROR' && this.prevState !== 'ERROR') this.exitRequestsSinceError = 0;
    this.prevState = state;
  }
}
