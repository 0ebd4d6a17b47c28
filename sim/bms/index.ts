/**
 * The BMS firmware emulator on a pack model. `createBms` wires the plant (HV path, sensor
 * hardware, cell shunts, fault injector: sim/bms/plant/) to the firmware (measurement layer,
 * database, soa/diag, state machine, contactors, SOC/SOE/SOH/SOP, balancing) and returns the
 * hooks of interface.ts plus what the runner's load and ambient steps consult.
 *
 * One fast tick, in order:
 *   plant   injector (faults due) → HV bus (contactor commands of the last tick) → host link
 *   fw      afe (fast; mid: voltages; slow: NTCs) → soc counting → soh (mid) → EKF (its task) → soc/soh/soe (slow)
 *           → soa + diag → state machine → contactor commands → sop → balancing (slow)
 */
import type { Chemistry } from '../chemistry.ts';
import { InputError } from '../errors.ts';
import type { Pack } from '../pack.ts';
import { Reader } from '../validate.ts';
import { Afe, sensorCells } from './afe.ts';
import { Balancing } from './balancing.ts';
import { type CommandDecision, StateMachine } from './bms.ts';
import { type BmsConfig, readBmsConfig } from './config.ts';
import { ContactorControl } from './contactor.ts';
import { Database } from './database.ts';
import { CHECK_INDEX, Diag, NC, buildThresholds } from './diag.ts';
import type { ChargerFault, FaultSpec } from './faults.ts';
import { cellModelOf } from './internal/cellModel.ts';
import type { BmsHooks, BmsTraceRow, HostRequest } from './interface.ts';
import { HvBus } from './plant/hvBus.ts';
import { Injector } from './plant/injector.ts';
import { SensorFaults } from './plant/sensors.ts';
import { CellShunts } from './plant/shunts.ts';
import { type BmsReport, Reporter } from './report.ts';
import { Scheduler, type TaskFlags } from './scheduler.ts';
import { Soa } from './soa.ts';
import { Soc } from './soc/soc.ts';
import { Soe } from './soe.ts';
import { Soh } from './soh.ts';
import { Sop } from './sop.ts';

export { BMS_PRESETS, readBmsConfig, selfCheck, type BmsConfig } from './config.ts';
export { FaultCode, FaultTier, BmsState } from './types.ts';
export { readFaults, describeFault, FAULT_NAMES, type FaultSpec, type ChargerFault } from './faults.ts';
export type { BmsHooks, BmsTraceRow, HostRequest } from './interface.ts';
export type { BmsReport } from './report.ts';
export type { CommandDecision } from './bms.ts';

export interface BmsOptions {
  pack: Pack;
  config: BmsConfig;
  faults: FaultSpec[];
  seed: number;
  /** Pack step, s: a whole multiple of the fast task period. */
  dt_s: number;
  /**
   * Host watchdog (default off): HOST_COMM_LOSS measures the time since the host was last
   * heard (`hostSeen`, `command`), from the first time it was; off, the host link is silent
   * only while an injected host_comm_loss fault lasts.
   */
  hostWatchdog?: boolean;
}

export interface Bms extends BmsHooks {
  /** Extra ambient temperature from injected heat waves at t_s, °C (add it to the sink). */
  ambientOffset_C(t_s: number): number;
  /** The charger fault active at t_s, or null: the charger step regulates to its cv_V per cell, or never terminates, and ignores the charge limit. */
  chargerFault(t_s: number): ChargerFault | null;
  report(): BmsReport & Record<string, unknown>;
  readonly config: BmsConfig;
  readonly db: Database;
  readonly stateMachine: StateMachine;
  readonly bus: HvBus;
  readonly diag: Diag;
  readonly soc: Soc;
  readonly contactors: ContactorControl;
  /** Requests dropped because the host link was down. */
  readonly lostRequests: number;
  /**
   * Inject a fault at run time (a host's inject command, or a test): it starts at
   * max(spec.at_s, t_s) and is reported like a scheduled one. Returns its index in `injections`.
   */
  inject(spec: FaultSpec, t_s: number): number;
  /**
   * End the fault `inject` returned `k` for, at t_s (a host's remove command): undone at the
   * next tick. Returns false when it is already over.
   */
  endFault(k: number, t_s: number): boolean;
  /**
   * A host's command (STANDBY, NORMAL, CHARGE or RESET), decided at once by the state machine
   * (StateMachine.command): accepted, or refused as illegal or for a fatal fault still raised.
   */
  command(req: HostRequest, t_s: number): CommandDecision;
  /** The host was heard at t_s (a valid command): ends its silence for the host watchdog. */
  hostSeen(t_s: number): void;
}

export function createBms(opts: BmsOptions): Bms {
  const { pack, config: cfg, faults, seed } = opts;
  const fast_ms = cfg.scheduler.fast_period_ms;
  const stepTicks = (opts.dt_s * 1000) / fast_ms;
  if (!(Math.abs(stepTicks - Math.round(stepTicks)) < 1e-6 && Math.round(stepTicks) >= 1)) {
    throw new TypeError(`"dt_s" must be a whole multiple of the fast task period (${fast_ms} ms), got ${opts.dt_s}`);
  }
  const { ns, np } = pack;
  const fast_s = fast_ms / 1000;
  const slow_s = cfg.scheduler.slow_period_ms / 1000;

  // --- plant ---
  const cells = sensorCells(cfg.afe.temperature.sensor_cells, pack.n);
  const ntcOfCell = new Int32Array(pack.n).fill(-1);
  cells.forEach((c, k) => (ntcOfCell[c] = k));
  const bus = new HvBus({ ...cfg.plant, fuse_A: cfg.plant.fuse_A * np, operate_s: cfg.contactors.operate_ms / 1000 });
  const sensors = new SensorFaults(ns, cells.length);
  const shunts = new CellShunts(pack);

  // --- firmware ---
  const db = new Database(ns, cells.length, NC);
  const afe = new Afe(pack, bus, sensors, cfg, cells, (seed ^ 0x5eed5eed) >>> 0);
  const injector = new Injector(faults, { pack, bus, sensors, shunts, ntcOfCell, currentFullScale_A: afe.fullScale_A });
  const thresholds = buildThresholds(cfg, np);
  const diag = new Diag(cfg, thresholds);
  const contactors = new ContactorControl(cfg.contactors.operate_ms, fast_ms);
  const watchdog = opts.hostWatchdog === true;
  let lastRx_s = 0;
  let now_s = 0;
  /** The watchdog is armed by the first time the host is heard. */
  let hostHeard = false;
  const hostSeen = (t_s: number): void => {
    if (injector.hostCommLost(t_s)) return;
    hostHeard = true;
    lastRx_s = Math.max(lastRx_s, t_s);
  };
  const soa = new Soa(cfg, thresholds, ns, cells.length, np, diag, {
    contactorMismatches: () => contactors.mismatches(db),
    hostSilence_s: () => now_s - lastRx_s,
  });
  const sm = new StateMachine(cfg, np, contactors, diag);
  const conn = cfg.cell_model.connection_ohm;
  const model = cellModelOf(pack.chem, pack.lowTemperatureCapacity, conn === 'pack' ? pack.cellConnection_ohm : conn);
  const soc = new Soc(model, np, ns, cells.length, cfg.soc);
  const soh = new Soh(model, ns, cells.length, np, cfg.soh, cfg.scheduler.mid_period_ms / 1000);
  const soe = new Soe(model, pack.n);
  const sop = new Sop(model, cfg.sop, thresholds, np, ns, cells.length, fast_s);
  const balancing = new Balancing(cfg.balancing, cfg.soc.rest_current_A, ns, cells.length, np);
  const reporter = new Reporter(faults, pack);
  sm.onMeasurementsValid = () => soc.initialise(db);
  diag.onRaise = (_id, tier, t) => {
    if (tier >= 1) reporter.warning(t);
  };
  const ekfOnMid = cfg.soc.ekf.period === 'mid';
  const bleedOhm = cfg.balancing.bleed_ohm;
  const sched = new Scheduler(cfg.scheduler);
  let wasClosed = false;
  let lostRequests = 0;

  const tick = (fl: TaskFlags): void => {
    const t = fl.t_ms / 1000;
    now_s = t;
    db.now_ms = fl.t_ms;
    // plant
    for (let k = injector.update(t); k >= 0; k = injector.update(t)) reporter.injected(k);
    const cmd = db.peek('contactor');
    bus.step(fast_s, cmd.plus, cmd.minus, cmd.precharge, pack.packVoltage, pack.packCurrent);
    const closed = bus.pathClosed;
    if (wasClosed && !closed) reporter.opened(t);
    wasClosed = closed;
    if (!injector.hostCommLost(t) && !(watchdog && hostHeard)) lastRx_s = t;
    // firmware
    afe.measureFast(db, t);
    if (fl.mid) afe.measureMid(db);
    if (fl.slow) afe.measureSlow(db, t);
    soc.fast(db, fast_s);
    if (fl.mid) soh.mid(db);
    if (ekfOnMid ? fl.mid : fl.slow) soc.estimate(db);
    if (fl.slow) {
      soc.slow(db, slow_s, t);
      soh.slow(db, soc.counter.last);
      soe.slow(db);
    }
    diag.begin(fl.t_ms);
    soa.runFast(db);
    if (fl.mid) soa.runMid(db);
    if (fl.slow) soa.runSlow(db);
    diag.commit(db);
    sm.trigger(db);
    contactors.commit(db);
    sop.fast(db, fl.mid);
    if (db.peek('sop').faultDerate !== 0) reporter.derated(t);
    if (fl.slow) {
      balancing.slow(db);
      const act = db.peek('balancing').active;
      for (let g = 0; g < ns; g++) shunts.setGroupBleed(g, act[g] === 1, bleedOhm);
      if (soc.initialised) reporter.sampleSoc(db.peek('soc').avg);
    }
  };

  const row: BmsTraceRow = { state: 'INIT', soc_est: NaN, charge_limit_A: 0, discharge_limit_A: 0, balancing_count: 0 };

  return {
    config: cfg,
    db,
    stateMachine: sm,
    bus,
    diag,
    soc,
    contactors,
    get lostRequests() {
      return lostRequests;
    },
    request(req: HostRequest, t_s: number): void {
      if (injector.hostCommLost(t_s)) {
        lostRequests++;
        return;
      }
      hostSeen(t_s);
      sm.request(req);
    },
    command(req: HostRequest, t_s: number): CommandDecision {
      hostSeen(t_s);
      // PRECHARGE_FAILURE is an event the command acknowledges; a watchdog's HOST_COMM_LOSS is ended by the command itself
      const ended = watchdog && !injector.hostCommLost(t_s) ? CHECK_INDEX.host_comm_loss : -1;
      const raised = db.peek('diag').raised;
      let fatal = false;
      for (let c = 0; c < NC; c++) if (c !== CHECK_INDEX.precharge_failure && c !== ended && raised[c]! & 4) fatal = true;
      return sm.command(req, fatal);
    },
    hostSeen,
    admitCurrent(requested_A: number, t_s: number): number {
      if (!Number.isFinite(pack.packB)) return 0; // a group is open: no path
      let I = requested_A;
      if (bus.pathClosed) {
        const lim = db.peek('sop');
        if (I > 0 && injector.chargerFault(t_s) === null) I = Math.min(I, lim.chargeLimit_A);
        if (I < 0) I = Math.max(I, -lim.dischargeLimit_A);
      }
      return bus.admit(I, opts.dt_s, pack.packA);
    },
    afterStep(t_s: number): void {
      sched.runUntil(Math.round(t_s * 1000), tick);
    },
    get pathClosed(): boolean {
      return bus.pathClosed;
    },
    traceRow(): BmsTraceRow {
      row.state = sm.state === 'hasNeverRun' ? 'INIT' : sm.state;
      row.soc_est = db.peek('soc').avg;
      const s = db.peek('sop');
      row.charge_limit_A = s.chargeLimit_A;
      row.discharge_limit_A = s.dischargeLimit_A;
      row.balancing_count = db.peek('balancing').count;
      return row;
    },
    report(): BmsReport & Record<string, unknown> {
      return {
        transitions: sm.transitions.map((t) => ({ ...t })),
        faults: diag.records.map((r) => ({ ...r })),
        injections: reporter.injections.map((r) => ({ ...r })),
        soc: reporter.socSummary(),
      };
    },
    inject(spec: FaultSpec, t_s: number): number {
      const k = injector.add(spec, t_s);
      reporter.add({ ...spec, at_s: Math.max(spec.at_s, t_s) });
      return k;
    },
    endFault: (k: number, t_s: number) => injector.end(k, t_s),
    ambientOffset_C: (t_s: number) => injector.ambientOffset_C(t_s),
    chargerFault: (t_s: number) => injector.chargerFault(t_s),
  };
}

/** The fields of a scenario (sim/scenario.ts) the BMS is built from. */
export interface BmsScenario {
  file: string;
  chemistry: Chemistry;
  seed: number;
  dt_s: number;
  /** The scenario's BMS configuration (validated at load); null: the default preset. */
  bms: BmsConfig | null;
  /** The scenario's faults (validated at load). */
  faults: readonly FaultSpec[];
}

/**
 * createBms for a scenario (its configuration, or the default preset for its chemistry, and its
 * faults), with errors as InputError naming the scenario file.
 */
export function createBmsForScenario(pack: Pack, sc: BmsScenario, extra: Pick<BmsOptions, 'hostWatchdog'> = {}): Bms {
  const config = sc.bms ?? readBmsConfig(new Reader(sc.file, 'default', 'bms'), sc.chemistry);
  const faults = [...sc.faults];
  try {
    return createBms({ pack, config, faults, seed: sc.seed, dt_s: sc.dt_s, ...extra });
  } catch (e) {
    if (e instanceof TypeError) {
      const m = /^"([^"]+)":? (.*)$/s.exec(e.message);
      throw new InputError(sc.file, m ? m[1]! : 'bms', m ? m[2]! : e.message);
    }
    throw e;
  }
}
