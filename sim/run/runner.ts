/**
 * The step loop of a scenario run: simulated time, the scenario's steps in order (looped with
 * repeat_steps), host requests due, the heat sink, the BMS (admitting the load's current, its
 * ticks after each pack step), and each step's end. The load's request is load.ts, the ledger
 * ledger.ts, the ends terminations.ts, recording record.ts.
 */
import type { BmsHooks } from '../bms/interface.ts';
import type { Pack } from '../pack.ts';
import type { Scenario, ScenarioStep } from '../scenario.ts';
import { Ledger } from './ledger.ts';
import { StepLoad } from './load.ts';
import { Recorder } from './record.ts';
import { ProgressBound, cutoff, terminated } from './terminations.ts';
import type { EndReason, RunOptions, StepLog, Summary } from './types.ts';

const REST_AFTER_STEPS: ScenarioStep = {
  kind: 'experiment',
  text: 'Rest (after the steps)',
  control: { mode: 'rest' },
  duration_s: null,
  until: [],
};

const MAX_STEPS_PER_STEP = Number.MAX_SAFE_INTEGER;

export class Runner {
  private readonly dt: number;
  private t = 0;
  private k = 0;
  private readonly limit_s: number;
  private readonly progressEvery: number;
  private readonly ledger: Ledger;
  private readonly recorder: Recorder;
  private readonly logs: StepLog[] = [];
  private stopped = false;
  /** The step list has run to its end (not cut short by the duration). */
  stepsOver = false;
  private hostNext = 0;
  private lastChargeCurrent = 0;

  constructor(
    private readonly sc: Scenario,
    private readonly pack: Pack,
    private readonly bms: BmsHooks | null,
    private readonly opts: RunOptions,
  ) {
    this.dt = sc.dt_s;
    const every = Math.max(1, Math.floor(opts.every ?? 1));
    this.limit_s = opts.duration_s ?? sc.duration_s ?? Infinity;
    this.progressEvery = Number.isFinite(this.limit_s) ? Math.max(1, Math.floor(this.limit_s / this.dt / 100)) : 1000;
    this.ledger = new Ledger(pack, sc.chemistry, this.dt, opts.allowAbuse ?? false);
    this.recorder = new Recorder(sc, pack, bms, every, opts.onRecord);
  }

  packSoc(): number {
    return this.ledger.packSoc();
  }

  time(): number {
    return this.t;
  }

  /** Yields after every pack step. */
  *run(): Generator<void, void, void> {
    const steps = this.sc.steps;
    do {
      for (let i = 0; i < steps.length; i++) {
        if (this.stopped) return;
        yield* this.runStep(steps[i]!, i);
      }
    } while (this.sc.repeat_steps && !this.stopped);
    this.stepsOver = !this.stopped;
    if (this.opts.restAfterSteps && !this.stopped) yield* this.runStep(REST_AFTER_STEPS, -1);
  }

  summary(): Summary {
    return this.ledger.summary({ scenario: this.sc.name, t_s: this.t, steps: this.k, logs: this.logs });
  }

  private sinkAt(t: number): number {
    if (this.sc.coolant_C !== null) return this.sc.coolant_C;
    const amb = this.sc.ambient.at(t + this.sc.start_time_h * 3600);
    return this.bms?.ambientOffset_C ? amb + this.bms.ambientOffset_C(t) : amb;
  }

  /** Host requests scheduled in the scenario that are due by time t. */
  private hostRequests(t: number): void {
    const host = this.sc.host;
    while (this.bms && this.hostNext < host.length && host[this.hostNext]!.at_s <= t + 1e-9) {
      this.bms.request(host[this.hostNext]!.request, t);
      this.hostNext++;
    }
  }

  private *runStep(step: ScenarioStep, index: number): Generator<void, void, void> {
    const pack = this.pack;
    const ledger = this.ledger;
    const start = this.t;
    const oneC = pack.nominalCapacity_Ah();
    // a step that only its end conditions can end must make progress towards them (sim/envelope.ts)
    const bound = new ProgressBound(step, index, start, oneC, ledger);
    const duration = step.duration_s ?? Infinity;
    let reason: EndReason = 'duration';
    const load = new StepLoad(step, pack, oneC, this.lastChargeCurrent);
    if (this.bms && step.kind === 'current') {
      if (step.request !== null) this.bms.request(step.request, this.t);
    } else if (this.bms && !load.rest) this.bms.request(load.charging ? 'CHARGE' : 'NORMAL', this.t);
    let openSince = -1;

    for (let s = 0; s < MAX_STEPS_PER_STEP; s++) {
      if (this.t >= this.limit_s - 1e-9) {
        reason = 'scenario_duration';
        this.stopped = true;
        break;
      }
      if (this.t - start >= duration - 1e-9) {
        reason = 'duration';
        break;
      }
      const pTau = load.profileTime(this.t, start);
      if (load.profileOver(pTau)) {
        reason = 'profile_end';
        break;
      }
      this.hostRequests(this.t);
      pack.prepare(this.sinkAt(this.t));
      // a faulty charger (injected) regulates to its own setpoint or never terminates
      const chargerFault = this.bms?.chargerFault && load.charging ? this.bms.chargerFault(this.t) : null;
      let I = load.request(pTau, chargerFault);
      // a charge resistance: the load solved on the previous step's direction; I flows the other way
      if (pack.redirect(I)) I = load.request(pTau, chargerFault);
      const requested = I;
      if (this.bms) I = this.bms.admitCurrent(I, this.t);
      const record = this.recorder.before(this.k, ledger);
      pack.advance(I);
      const t0 = this.t;
      this.k++;
      this.t = this.k * this.dt;
      if (this.bms && !this.opts.bmsTicksByCaller) this.bms.afterStep(this.t);
      ledger.account(I, t0); // checks the validity envelope too
      if (record) this.recorder.emit(t0);
      if (this.opts.onProgress && this.k % this.progressEvery === 0) this.opts.onProgress(this.t);
      yield; // one pack step done
      if (this.bms && this.opts.bmsTicksByCaller) this.bms.afterStep(this.t); // the ticks the caller has not run yet
      bound.check(this.t, ledger, this.sc.file);
      if (load.driveOn(I, this.dt, ledger)) {
        reason = 'repeat';
        break;
      }
      // --- terminations (on V_k, I_k and the SOC reached) ---
      const hit = chargerFault?.mode === 'no_termination' ? null : terminated(step.until, load.direction, I, oneC, pack.packVoltage, ledger);
      if (hit) {
        reason = hit;
        break;
      }
      if (load.powerShort) {
        reason = 'power_unattainable';
        break;
      }
      if (this.bms && !this.bms.pathClosed && requested !== 0) {
        // the BMS has isolated the pack: the load cannot run this step
        if (this.bms.traceRow().state === 'ERROR') {
          reason = 'bms_error';
          break;
        }
        if (openSince < 0) openSince = this.t;
        else if (this.t - openSince >= this.sc.open_path_timeout_s) {
          reason = 'bms_open';
          break;
        }
      } else {
        openSince = -1;
      }
      if (this.sc.load_cutoff && !this.bms) {
        const cut = cutoff(I, pack.chem, ledger);
        if (cut) {
          reason = cut;
          break;
        }
      }
      if (!Number.isFinite(pack.packB) && I === 0 && !load.rest) {
        reason = 'open_circuit';
        break;
      }
    }
    this.lastChargeCurrent = load.lastChargeCurrent;
    this.logs.push({ text: step.text, start_s: start, end_s: this.t, end_reason: reason });
  }
}
