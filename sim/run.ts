/**
 * The scenario runner: owns simulated time, executes the steps (experiment steps and
 * drive cycles) on the pack, and (when a BMS is attached) drives it through the seam in
 * sim/bms/interface.ts. Recording and progress are callbacks; the runner does no I/O.
 */
import type { BmsHooks, BmsTraceRow } from './bms/interface.ts';
import { EnvelopeWatch, PROGRESS_C_RATE, PROGRESS_FILLS } from './envelope.ts';
import { InputError } from './errors.ts';
import type { Termination } from './load/experiment.ts';
import { Pack, type SplitMethod } from './pack.ts';
import type { Scenario, ScenarioStep } from './scenario.ts';
import { isStableStep, maxStableStep_s } from './stability.ts';

export type EndReason =
  | 'bms_error'
  | 'bms_open'
  | 'duration'
  | 'voltage'
  | 'current'
  | 'soc'
  | 'repeat'
  | 'profile_end'
  | 'cutoff_low'
  | 'cutoff_high'
  | 'power_unattainable'
  | 'open_circuit'
  | 'scenario_duration';

export interface StepLog {
  text: string;
  start_s: number;
  end_s: number;
  end_reason: EndReason;
}

export interface Summary {
  scenario: string;
  chemistry: string;
  pack: string;
  dt_s: number;
  duration_s: number;
  steps_simulated: number;
  energy: { discharged_Wh: number; charged_Wh: number; net_Wh: number; heat_Wh: number };
  charge: { discharged_Ah: number; charged_Ah: number };
  cell_voltage: { min_V: number; max_V: number };
  temperature: { min_C: number; max_C: number; final_max_C: number };
  /** The pack's true SOC (charge-weighted mean of the cells), and the extremes over cells. */
  pack_soc: { initial_pct: number; final_pct: number; final_min_pct: number; final_max_pct: number };
  distance_km: number;
  Wh_per_km: number | null;
  steps: StepLog[];
  /** Present when a cell left the validity envelope (only with allowAbuse: otherwise the run stops). */
  envelope?: NonNullable<ReturnType<EnvelopeWatch['summary']>>;
}

/** What a recorder sees each recorded step (read the pack's arrays; copy what you keep). */
export interface StepView {
  /** Time t_k at the start of the step. */
  t_s: number;
  /** The pack after the step: voltage/current/heat are V_k, I_k, q_k (its z and T are already k+1). */
  pack: Pack;
  /** Cell SOC z_k and temperature T_k at the start of the step. */
  z: Float64Array;
  T_C: Float64Array;
  ambient_C: number;
  /** Pack SOC, charge-weighted mean of the cells' true SOC. */
  soc: number;
  bms: BmsTraceRow | null;
}

export interface RunOptions {
  /** Record every Nth step: steps 0, N, 2N, … (default 1). */
  every?: number;
  onRecord?: (view: StepView) => void;
  /** Called about every 1 % of progress with the simulated time reached. */
  onProgress?: (t_s: number) => void;
  /** Override the scenario's duration (s). */
  duration_s?: number;
  /** Attach a BMS (built from the scenario by sim/bms when it has a "bms" section). */
  bms?: (pack: Pack, scenario: Scenario) => BmsHooks;
  /**
   * After the last step, keep the pack at rest (and the BMS running) until the duration
   * ends, instead of stopping: a device that outlives its script (the serial emulator).
   */
  restAfterSteps?: boolean;
  /**
   * A cell leaving the chemistry's validity envelope (sim/envelope.ts) stops the run with an
   * AbuseError; with allowAbuse the run goes on and the summary lists the excursions.
   */
  allowAbuse?: boolean;
  /**
   * The caller runs the BMS's ticks (bms.afterStep) as its own clock advances, so that the BMS
   * acts on its 10 ms grid whatever the pack step (the serial emulator): the runner then runs
   * them only to catch up, before it looks at the BMS after a step, not at the end of each step.
   */
  bmsTicksByCaller?: boolean;
  /** Pack step implementation (PackConfig.kernel): 'auto' (default) or 'js'. */
  kernel?: 'auto' | 'js';
  /** Parallel current split (PackConfig.split): 'implicit' (default) or 'explicit', the reference. */
  split?: SplitMethod;
}

const REST_AFTER_STEPS: ScenarioStep = {
  kind: 'experiment',
  text: 'Rest (after the steps)',
  control: { mode: 'rest' },
  duration_s: null,
  until: [],
};

export interface RunResult {
  summary: Summary;
  pack: Pack;
  bms: BmsHooks | null;
}

export function buildPack(sc: Scenario, opts: Pick<RunOptions, 'kernel' | 'split'> = {}): Pack {
  const T0 = sc.initial.temperature_C ?? sc.ambient.at(sc.start_time_h * 3600);
  const { np, spread } = sc.pack;
  if (opts.split === 'explicit' && !isStableStep(sc.chemistry, np, spread, sc.dt_s, 'explicit')) {
    const max = Math.floor(maxStableStep_s(sc.chemistry, np, spread, 'explicit') * 1000) / 1000;
    throw new InputError(
      sc.name,
      'dt_s',
      `${sc.dt_s} s is too long for the explicit split of ${np} cells of ${sc.chemistry.name} in parallel: it is stable up to ${max} s (sim/MODEL.md, "Step size")`,
    );
  }
  return new Pack({
    kernel: opts.kernel,
    split: opts.split,
    chemistry: sc.chemistry,
    ...sc.pack,
    dt_s: sc.dt_s,
    seed: sc.seed,
    low_temperature_capacity: sc.low_temperature_capacity,
    init: { soc: sc.initial.soc, T_C: T0, h: sc.initial.hysteresis },
  });
}

/** Run a scenario to its end. */
export function runScenario(sc: Scenario, opts: RunOptions = {}): RunResult {
  const run = startScenario(sc, opts);
  while (run.step()) {
    // each call advances one pack step
  }
  return run.result();
}

/**
 * A scenario run that advances one pack step per `step()` call, for callers that interleave
 * the simulation with I/O (the serial emulator). `step()` returns false once the run is over.
 */
export interface ScenarioRun {
  readonly pack: Pack;
  readonly bms: BmsHooks | null;
  readonly scenario: Scenario;
  /** Simulated time reached, s. */
  time_s(): number;
  /** Pack SOC (charge-weighted mean of the cells' true SOC). */
  soc(): number;
  /**
   * True once the scenario's steps are over (the rest after them, with `restAfterSteps`, may
   * still be running); false while a step runs and when the duration cut the steps short.
   */
  stepsOver(): boolean;
  step(): boolean;
  result(): RunResult;
}

export function startScenario(sc: Scenario, opts: RunOptions = {}): ScenarioRun {
  const pack = buildPack(sc, opts);
  const bms = opts.bms ? opts.bms(pack, sc) : null;
  const runner = new Runner(sc, pack, bms, opts);
  const it = runner.run();
  let done = false;
  return {
    pack,
    bms,
    scenario: sc,
    time_s: () => runner.time(),
    soc: () => runner.packSoc(),
    stepsOver: () => runner.stepsOver,
    step() {
      if (done) return false;
      done = it.next().done === true;
      return !done;
    },
    result: () => ({ summary: runner.summary(), pack, bms }),
  };
}

const MAX_STEPS_PER_STEP = Number.MAX_SAFE_INTEGER;

class Runner {
  private readonly dt: number;
  private readonly n: number;
  private readonly np: number;
  private readonly capWeights: Float64Array;
  private readonly capTotal: number;
  private readonly lin = new Float64Array(1);
  private t = 0;
  private k = 0;
  private readonly every: number;
  private readonly limit_s: number;
  private readonly progressEvery: number;
  // ledger
  private dischargedWh = 0;
  private chargedWh = 0;
  private dischargedAh = 0;
  private chargedAh = 0;
  private heatWh = 0;
  private vMin = Infinity;
  private vMax = -Infinity;
  private tMin = Infinity;
  private tMax = -Infinity;
  private distance_km = 0;
  private driveWh = 0;
  private readonly socInitial: number;
  private readonly watch: EnvelopeWatch;
  private readonly logs: StepLog[] = [];
  private stopped = false;
  /** The step list has run to its end (not cut short by the duration). */
  stepsOver = false;
  private hostNext = 0;
  private lastChargeCurrent = 0;
  // statistics of the last step, from one pass over the cells (account())
  private stepVMin = Infinity;
  private stepVMax = -Infinity;
  private stepSoc = 0;
  private readonly zRec: Float64Array;
  private readonly TRec: Float64Array;
  private socRec = 0;

  constructor(
    private readonly sc: Scenario,
    private readonly pack: Pack,
    private readonly bms: BmsHooks | null,
    private readonly opts: RunOptions,
  ) {
    this.dt = sc.dt_s;
    this.n = pack.n;
    this.np = pack.np;
    this.capWeights = Float64Array.from(pack.capacity_Ah);
    this.capTotal = this.capWeights.reduce((a, b) => a + b, 0);
    this.every = Math.max(1, Math.floor(opts.every ?? 1));
    this.limit_s = opts.duration_s ?? sc.duration_s ?? Infinity;
    this.progressEvery = Number.isFinite(this.limit_s) ? Math.max(1, Math.floor(this.limit_s / this.dt / 100)) : 1000;
    this.socInitial = this.packSoc();
    const np = this.np;
    this.watch = new EnvelopeWatch(sc.chemistry, opts.allowAbuse ?? false, (i) => `cell ${i + 1} (group ${Math.floor(i / np) + 1}, position ${(i % np) + 1})`);
    this.zRec = new Float64Array(this.n);
    this.TRec = new Float64Array(this.n);
    const T = pack.T;
    for (let i = 0; i < this.n; i++) {
      this.tMin = Math.min(this.tMin, T[i]!);
      this.tMax = Math.max(this.tMax, T[i]!);
    }
  }

  packSoc(): number {
    const z = this.pack.z;
    let s = 0;
    for (let i = 0; i < this.n; i++) s += z[i]! * this.capWeights[i]!;
    return s / this.capTotal;
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
    const start = this.t;
    const oneC = pack.nominalCapacity_Ah();
    // a step that only its end conditions can end must make progress towards them (sim/envelope.ts)
    const open = step.duration_s === null && step.until.length > 0 && !(step.kind === 'drive' && step.repeat !== null) && step.kind !== 'current';
    // bounds on the charge passed (the ledger's, from this step's start) and on the time
    const ahLimit = open ? this.dischargedAh + this.chargedAh + PROGRESS_FILLS * oneC : Infinity;
    const tLimit = open ? start + (PROGRESS_FILLS / PROGRESS_C_RATE) * 3600 : Infinity;
    const duration = step.duration_s ?? Infinity;
    let reason: EndReason = 'duration';
    // drive-cycle state
    let loops = 0;
    let idx = 0;
    let tau = 0;
    const isDrive = step.kind === 'drive';
    const prof = isDrive ? step.profile : null;
    const cycleEnd = prof ? prof.time_s[prof.time_s.length - 1]! : 0;
    const speeds = isDrive ? step.cycle.speed_kmh : null;
    const ctrl = step.kind === 'experiment' ? step.control : null;
    // current-profile state (zero-order hold from the profile's first stamp)
    const cur = step.kind === 'current' ? step.profile : null;
    let cIdx = 0;

    const charging =
      ctrl !== null &&
      ((ctrl.mode === 'current' && ctrl.current_A > 0) ||
        (ctrl.mode === 'c_rate' && ctrl.c_rate > 0) ||
        (ctrl.mode === 'power' && ctrl.power_W > 0) ||
        ctrl.mode === 'voltage');
    if (this.bms && step.kind === 'current') {
      if (step.request !== null) this.bms.request(step.request, this.t);
    } else if (this.bms && ctrl?.mode !== 'rest') this.bms.request(charging ? 'CHARGE' : 'NORMAL', this.t);
    let lastChargeCurrent = this.lastChargeCurrent;
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
      const pTau = cur ? cur.time_s[0]! + this.t - start : 0;
      if (cur && pTau >= cur.time_s[cur.time_s.length - 1]! - 1e-9) {
        reason = 'profile_end';
        break;
      }
      this.hostRequests(this.t);
      pack.prepare(this.sinkAt(this.t));
      // a faulty charger (injected) regulates to its own setpoint or never terminates
      const chargerFault = this.bms?.chargerFault && charging ? this.bms.chargerFault(this.t) : null;
      // --- the load's request ---
      let I = 0;
      let direction = 0; // +1 charging step, -1 discharging step, 0 rest/hold
      let powerShort = false;
      if (prof) {
        // power over the cycle interval containing tau
        while (idx + 1 < prof.time_s.length - 1 && prof.time_s[idx + 1]! <= tau) idx++;
        const P = prof.power_W[idx]!;
        const r = this.solvePower(P);
        I = r;
        powerShort = Number.isNaN(r);
        if (powerShort) I = -this.pack.packA / (2 * this.pack.packB);
        direction = -1;
      } else if (cur) {
        while (cIdx + 1 < cur.time_s.length && cur.time_s[cIdx + 1]! <= pTau + 1e-9) cIdx++;
        I = cur.current_A[cIdx]!;
        direction = Math.sign(I);
      } else if (ctrl) {
        switch (ctrl.mode) {
          case 'current':
            I = ctrl.current_A;
            direction = Math.sign(I);
            break;
          case 'c_rate':
            I = ctrl.c_rate * oneC;
            direction = Math.sign(I);
            break;
          case 'power': {
            const r = this.solvePower(ctrl.power_W);
            powerShort = Number.isNaN(r);
            I = powerShort ? -pack.packA / (2 * pack.packB) : r;
            direction = Math.sign(ctrl.power_W);
            break;
          }
          case 'voltage': {
            if (chargerFault?.mode === 'no_termination') {
              I = lastChargeCurrent; // the charger never switches to CV: it keeps its CC current
              direction = 1;
              break;
            }
            const Vt = chargerFault?.mode === 'cv_too_high' ? chargerFault.cv_V : ctrl.voltage_V;
            const ref = chargerFault?.mode === 'cv_too_high' ? 'cell' : ctrl.reference;
            I = ref === 'pack' ? (Vt - pack.packA) / pack.packB : this.cellHoldCurrent(Vt);
            // a charger regulating to a wrong setpoint is still limited to its own CC current
            if (chargerFault !== null && lastChargeCurrent > 0) I = Math.min(I, lastChargeCurrent);
            direction = 0;
            break;
          }
          case 'rest':
            I = 0;
            break;
        }
      }
      if (!Number.isFinite(pack.packB)) I = 0; // an open group: no path for current
      if (charging && I > 0 && ctrl?.mode !== 'voltage') lastChargeCurrent = I;
      const requested = I;
      if (this.bms) I = this.bms.admitCurrent(I, this.t);
      // record steps k = 0, every, 2·every, … (the first row is t = 0)
      const record = this.opts.onRecord !== undefined && this.k % this.every === 0;
      if (record) {
        this.zRec.set(pack.z);
        this.TRec.set(pack.T);
        this.socRec = this.packSoc();
      }
      pack.advance(I);
      const t0 = this.t;
      this.k++;
      this.t = this.k * this.dt;
      if (this.bms && !this.opts.bmsTicksByCaller) this.bms.afterStep(this.t);
      this.account(I, t0, record); // checks the validity envelope too
      yield; // one pack step done
      if (this.bms && this.opts.bmsTicksByCaller) this.bms.afterStep(this.t); // the ticks the caller has not run yet
      if (this.t > tLimit || this.dischargedAh + this.chargedAh > ahLimit) this.noProgress(step, index, start, ahLimit);
      if (prof) {
        this.distance_km += (speeds![Math.min(idx, speeds!.length - 1)]! * this.dt) / 3600;
        this.driveWh -= (pack.packVoltage * I * this.dt) / 3600;
        tau += this.dt;
        if (tau >= cycleEnd - 1e-9) {
          loops++;
          tau = 0;
          idx = 0;
          if (step.kind === 'drive' && step.repeat !== null && loops >= step.repeat) {
            reason = 'repeat';
            break;
          }
        }
      }
      // --- terminations (on V_k, I_k and the SOC reached) ---
      const hit = chargerFault?.mode === 'no_termination' ? null : this.terminated(step.until, direction, I, oneC);
      if (hit) {
        reason = hit;
        break;
      }
      if (powerShort) {
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
        const cut = this.cutoff(direction, I);
        if (cut) {
          reason = cut;
          break;
        }
      }
      if (!Number.isFinite(pack.packB) && I === 0 && ctrl?.mode !== 'rest') {
        reason = 'open_circuit';
        break;
      }
    }
    this.lastChargeCurrent = lastChargeCurrent;
    this.logs.push({ text: step.text, start_s: start, end_s: this.t, end_reason: reason });
  }

  private noProgress(step: ScenarioStep, index: number, start: number, ahLimit: number): never {
    const elapsed_s = this.t - start;
    const passedAh = this.dischargedAh + this.chargedAh - (ahLimit - PROGRESS_FILLS * this.pack.nominalCapacity_Ah());
    const how =
      elapsed_s > (PROGRESS_FILLS / PROGRESS_C_RATE) * 3600
        ? `${Number((elapsed_s / 3600).toFixed(1))} h (${PROGRESS_FILLS} fills of the pack at C/${1 / PROGRESS_C_RATE})`
        : `${Number(passedAh.toFixed(3))} Ah passed (${PROGRESS_FILLS} × the charge from empty to full)`;
    throw new InputError(this.sc.file, `steps[${index}]`, `"${step.text}" made no progress towards its end: ${how} without reaching it`);
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
    for (let i = 0; i < this.n; i++) {
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

  private terminated(until: Termination[], direction: number, I: number, oneC: number): EndReason | null {
    if (until.length === 0) return null;
    const pack = this.pack;
    for (const u of until) {
      switch (u.kind) {
        case 'voltage': {
          if (u.reference === 'pack') {
            if (direction > 0 && pack.packVoltage >= u.voltage_V) return 'voltage';
            if (direction < 0 && pack.packVoltage <= u.voltage_V) return 'voltage';
          } else {
            if (direction > 0 && this.maxCellV() >= u.voltage_V) return 'voltage';
            if (direction < 0 && this.minCellV() <= u.voltage_V) return 'voltage';
          }
          break;
        }
        case 'current_A':
          if (Math.abs(I) <= u.current_A) return 'current';
          break;
        case 'c_rate':
          if (Math.abs(I) <= u.c_rate * oneC) return 'current';
          break;
        case 'soc': {
          const soc = this.stepSoc; // pack SOC after the step (account())
          if (direction > 0 && soc >= u.soc) return 'soc';
          if (direction <= 0 && soc <= u.soc) return 'soc';
          break;
        }
      }
    }
    return null;
  }

  private cutoff(direction: number, I: number): EndReason | null {
    const chem = this.pack.chem;
    if (I < 0 && this.minCellV() <= chem.minV) return 'cutoff_low';
    if (I > 0 && this.maxCellV() >= chem.maxV + 1e-9) return 'cutoff_high';
    void direction;
    return null;
  }

  /** Lowest and highest cell voltage V_k of the last step (from account()). */
  private minCellV(): number {
    return this.stepVMin;
  }

  private maxCellV(): number {
    return this.stepVMax;
  }

  private account(I: number, t0: number, record: boolean): void {
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
    if (record) {
      this.opts.onRecord!({
        t_s: t0,
        pack,
        z: this.zRec,
        T_C: this.TRec,
        ambient_C: this.sc.ambient.at(t0 + this.sc.start_time_h * 3600),
        soc: this.socRec,
        bms: this.bms ? this.bms.traceRow() : null,
      });
    }
    if (this.opts.onProgress && this.k % this.progressEvery === 0) this.opts.onProgress(this.t);
  }

  summary(): Summary {
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
    return {
      scenario: this.sc.name,
      chemistry: this.sc.chemistry.name,
      pack: `${pack.ns}s${this.np}p`,
      dt_s: this.dt,
      duration_s: r(this.t, 3),
      steps_simulated: this.k,
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
      steps: this.logs,
      ...(this.watch.summary() ? { envelope: this.watch.summary()! } : {}),
    };
  }
}
