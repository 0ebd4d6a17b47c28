/**
 * The BMS state machine (style.md habit 6, after foxBMS 2's BMS_Trigger):
 *   INIT → STANDBY → PRECHARGE → NORMAL (discharge) or CHARGE → STANDBY on request; a
 *   request for CHARGE in NORMAL (or NORMAL in CHARGE) opens to STANDBY and precharges again;
 *   ERROR from any state when diag says a fatal fault is due; ERROR is latched until no
 *   fatal fault remains and a RESET or STANDBY request arrives, and then goes to STANDBY.
 * Precharge closes minus, then precharge, waits until the bus voltage is within the threshold
 * of the pack voltage and the current has settled, closes plus and opens precharge; a timeout
 * opens everything and retries, and after the last retry raises PRECHARGE_FAILURE. The main
 * path is opened only below the break current, unless the time limit has passed.
 * Scripted requests (`request`) are queued and taken one per tick; illegal ones are counted.
 * A host's commands (`command`, protocol/PROTOCOL.md §11.1) are decided at once instead: accept,
 * ILLEGAL_TRANSITION or FAULT_ACTIVE, and an accepted one is carried out from the next tick on
 * (a later accepted command supersedes one not yet carried out).
 */
import type { BmsConfig } from './config.ts';
import { CurrentBlock, DiagBlock, StateBlock, type Database } from './database.ts';
import type { ContactorControl } from './contactor.ts';
import { CHECK_INDEX, type Diag, NC } from './diag.ts';
import type { HostRequest } from './interface.ts';
import { assertNever, protocolState, type StateName, type SubstateName } from './types.ts';

export interface Transition {
  t_s: number;
  from: string;
  to: string;
}

const QUEUE = 16;

/** What `command` decides: the command is carried out, or refused for this reason. */
export type CommandDecision = 'accept' | 'illegal' | 'faultActive';

/** The substates in which NORMAL, CHARGE or PRECHARGE are already on their way to STANDBY. */
const OPENING: ReadonlySet<SubstateName> = new Set(['waitBreakCurrent', 'openMinus']);
const REQUESTS: readonly HostRequest[] = ['STANDBY', 'NORMAL', 'CHARGE', 'RESET'];

export class StateMachine {
  state: StateName = 'hasNeverRun';
  substate: SubstateName = 'entry';
  waitTicks = 0;
  readonly transitions: Transition[] = [];
  /** Requests refused (illegal in the present state) and dropped (queue full). */
  illegalRequests = 0;
  droppedRequests = 0;
  /** Precharge attempts that timed out in the present precharge. */
  prechargeFailures = 0;
  /** Where PRECHARGE leads. */
  private target: 'NORMAL' | 'CHARGE' = 'NORMAL';
  /** A mode asked for while in the other one: taken up again in STANDBY. */
  private pendingTarget: 'NORMAL' | 'CHARGE' | null = null;
  private timerTicks = 0;
  /** A host's RESET_FAULTS accepted in ERROR before the contactors were open: taken up in 'latched'. */
  private resetPending = false;
  private readonly queue = new Int8Array(QUEUE);
  private qHead = 0;
  private qLen = 0;
  private now_ms = 0;
  private readonly cur = new CurrentBlock();
  private readonly diagB = new DiagBlock(NC);
  private readonly out = new StateBlock();
  private readonly ticks: (ms: number) => number;
  private readonly breakCurrent_A: number;
  /** Called once when INIT has valid measurements (SOC initialisation). */
  onMeasurementsValid: (() => void) | null = null;

  constructor(
    private readonly cfg: BmsConfig,
    private readonly np: number,
    private readonly contactors: ContactorControl,
    private readonly diag: Diag,
  ) {
    const fast = cfg.scheduler.fast_period_ms;
    this.ticks = (ms) => Math.round(ms / fast);
    this.breakCurrent_A = cfg.contactors.break_current_A * np;
  }

  /** Queue a host request (taken by a later tick). */
  request(req: HostRequest): void {
    if (this.qLen === QUEUE) {
      this.droppedRequests++;
      return;
    }
    this.queue[(this.qHead + this.qLen) % QUEUE] = REQUESTS.indexOf(req);
    this.qLen++;
  }

  /**
   * A host's command, decided now (PROTOCOL.md §11.1, the state-request table). `fatal`: a FATAL
   * fault other than PRECHARGE_FAILURE is raised. The decision depends on the state only (and
   * `fatal`); an accepted command changes where the machine is going, not its outputs: the
   * contactors move from the next tick on.
   */
  command(req: HostRequest, fatal: boolean): CommandDecision {
    const s = this.state;
    if (s === 'hasNeverRun' || s === 'INIT') return req === 'RESET' ? (fatal ? 'faultActive' : 'accept') : 'illegal';
    if (req === 'RESET') {
      if (fatal) return 'faultActive';
      if (s === 'ERROR') this.resetFaults();
      return 'accept';
    }
    if (s === 'ERROR' && !this.resetPending) return req !== 'STANDBY' && fatal ? 'faultActive' : 'illegal';
    if (req !== 'STANDBY' && fatal) return 'faultActive';
    if (s === 'ERROR' || s === 'STANDBY' || OPENING.has(this.substate)) {
      // STANDBY, or on the way there: go on (to the mode asked for) from STANDBY
      this.pendingTarget = req === 'STANDBY' ? null : req;
    } else if (req === 'STANDBY') {
      this.pendingTarget = null;
      this.timerTicks = 0;
      this.setState(s, 'waitBreakCurrent', 0);
    } else if (s === 'PRECHARGE') {
      this.target = req;
    } else if (req !== s && this.substate === 'running') {
      // switching between drive and charge goes through STANDBY (open, precharge again)
      this.pendingTarget = req;
      this.timerTicks = 0;
      this.setState(s, 'waitBreakCurrent', 0);
    }
    return 'accept';
  }

  /** RESET_FAULTS accepted in ERROR: to STANDBY now if the contactors are open, else once they are. */
  private resetFaults(): void {
    this.pendingTarget = null;
    if (this.substate !== 'latched') {
      this.resetPending = true;
      return;
    }
    this.diag.reset(CHECK_INDEX.precharge_failure);
    this.setState('STANDBY', 'idle', 0);
  }

  private nextRequest(): HostRequest | null {
    if (this.qLen === 0) return null;
    const r = REQUESTS[this.queue[this.qHead]!]!;
    this.qHead = (this.qHead + 1) % QUEUE;
    this.qLen--;
    return r;
  }

  private setState(state: StateName, substate: SubstateName, wait_ticks: number): void {
    if (state !== this.state && this.state !== 'hasNeverRun') {
      this.transitions.push({ t_s: this.now_ms / 1000, from: this.state, to: state });
    }
    this.state = state;
    this.substate = substate;
    this.waitTicks = wait_ticks;
  }

  /** One fast tick: read inputs, count the wait down, run the state's function. */
  trigger(db: Database): void {
    this.now_ms = db.now_ms;
    db.read(this.cur);
    db.read(this.diagB);
    if (this.waitTicks > 0) {
      this.waitTicks--;
    } else {
      const s = this.state;
      switch (s) {
        case 'hasNeverRun':
          this.setState('INIT', 'entry', 0);
          break;
        case 'INIT':
          this.init();
          break;
        case 'STANDBY':
          this.standby();
          break;
        case 'PRECHARGE':
          this.precharge();
          break;
        case 'NORMAL':
        case 'CHARGE':
          this.running();
          break;
        case 'ERROR':
          this.error();
          break;
        default:
          assertNever(s);
      }
    }
    const o = this.out;
    o.state = protocolState(this.state);
    o.running = (this.state === 'NORMAL' || this.state === 'CHARGE') && this.substate === 'running' ? 1 : 0;
    o.zeroCurrent = this.state === 'ERROR' || this.substate === 'waitBreakCurrent' || this.diagB.fatalCount > 0 ? 1 : 0;
    o.charging = this.state === 'CHARGE' ? 1 : 0;
    db.write(o, 'bms');
  }

  private get operateTicks(): number {
    return this.ticks(this.cfg.contactors.operate_ms);
  }

  private init(): void {
    switch (this.substate) {
      case 'entry':
        this.contactors.openAll();
        this.setState('INIT', 'waitMeasurements', this.ticks(this.cfg.init.wait_ms));
        break;
      case 'waitMeasurements':
        if (this.cur.valid) {
          this.onMeasurementsValid?.();
          this.setState('STANDBY', 'idle', 0);
        }
        break;
      default:
        this.illegalSubstate();
    }
  }

  private standby(): void {
    this.contactors.openAll();
    if (this.diagB.fatalDue) {
      this.setState('ERROR', 'entry', 0);
      return;
    }
    const pending = this.pendingTarget;
    this.pendingTarget = null;
    const r = pending ?? this.nextRequest();
    if (r === 'NORMAL' || r === 'CHARGE') {
      if (this.diagB.fatalCount > 0) {
        this.illegalRequests++;
        return;
      }
      this.target = r;
      this.prechargeFailures = 0;
      this.setState('PRECHARGE', 'entry', 0);
    }
  }

  private precharge(): void {
    const c = this.contactors;
    if (this.diagB.fatalDue) {
      c.openAll();
      this.setState('ERROR', 'entry', 0);
      return;
    }
    const r = this.nextRequest();
    if (r === 'STANDBY') {
      // the main path is not closed yet (or only just): open it as from NORMAL
      if (c.plus) this.setState('PRECHARGE', 'waitBreakCurrent', 0);
      else {
        c.openAll();
        this.setState('STANDBY', 'idle', this.operateTicks);
      }
      return;
    }
    if (r === 'NORMAL' || r === 'CHARGE' || r === 'RESET') this.illegalRequests++;
    const pc = this.cfg.precharge;
    switch (this.substate) {
      case 'entry':
        c.set('minus', true);
        this.setState('PRECHARGE', 'closePrecharge', this.operateTicks);
        break;
      case 'closePrecharge':
        c.set('precharge', true);
        this.timerTicks = 0;
        this.setState('PRECHARGE', 'waitBus', this.operateTicks);
        break;
      case 'waitBus': {
        this.timerTicks++;
        const vp = this.cur.packVoltage_V;
        const dv = Math.abs(this.cur.busVoltage_V - vp);
        const thr = (pc.voltage_threshold_pct / 100) * vp;
        if (dv <= thr && Math.abs(this.cur.current_A) <= pc.settled_current_A * this.np && this.cur.minusClosed && this.cur.prechargeClosed) {
          c.set('plus', true);
          this.setState('PRECHARGE', 'openPrecharge', this.operateTicks);
        } else if (this.timerTicks >= this.ticks(pc.timeout_ms)) {
          c.openAll();
          this.prechargeFailures++;
          if (this.prechargeFailures > pc.retries) {
            this.diag.report(CHECK_INDEX.precharge_failure, 0b100, dv, thr);
            this.setState('ERROR', 'entry', 0);
          } else {
            this.setState('PRECHARGE', 'retryWait', this.ticks(pc.retry_wait_ms));
          }
        }
        break;
      }
      case 'retryWait':
        this.setState('PRECHARGE', 'entry', 0);
        break;
      case 'openPrecharge':
        c.set('precharge', false);
        this.setState(this.target, 'running', this.operateTicks);
        break;
      default:
        if (!this.stepToStandby()) this.illegalSubstate();
    }
  }

  private running(): void {
    if (this.diagB.fatalDue) {
      this.setState('ERROR', 'entry', 0);
      return;
    }
    switch (this.substate) {
      case 'running': {
        const r = this.nextRequest();
        if (r === 'STANDBY' || ((r === 'NORMAL' || r === 'CHARGE') && r !== this.state)) {
          // switching between drive and charge goes through STANDBY (open, precharge again)
          this.pendingTarget = r === 'STANDBY' ? null : r;
          this.timerTicks = 0;
          this.setState(this.state, 'waitBreakCurrent', 0);
        } else if (r === 'RESET') {
          this.illegalRequests++;
        }
        break;
      }
      default:
        if (!this.stepToStandby()) this.illegalSubstate();
    }
  }

  /**
   * Wait (with the current limits at zero) until the current is below the break current or
   * the time limit has passed, then open plus (and precharge); minus follows.
   */
  /**
   * The way back to STANDBY that PRECHARGE and NORMAL/CHARGE share: wait for the break
   * current (or its time limit), open plus and precharge, then minus. False when the substate
   * is not one of these.
   */
  private stepToStandby(): boolean {
    switch (this.substate) {
      case 'waitBreakCurrent':
        this.openMainPath('STANDBY');
        return true;
      case 'openMinus':
        this.contactors.openAll();
        this.setState('STANDBY', 'idle', this.operateTicks);
        return true;
      default:
        return false;
    }
  }

  private openMainPath(next: 'STANDBY' | 'ERROR'): void {
    const c = this.contactors;
    this.timerTicks++;
    const below = Math.abs(this.cur.current_A) <= this.breakCurrent_A;
    if (below || this.timerTicks > this.ticks(this.cfg.contactors.max_break_wait_ms)) {
      if (!below) c.noteOpenedUnderLoad();
      c.set('plus', false);
      c.set('precharge', false);
      if (next === 'STANDBY') this.setState(this.state, 'openMinus', this.operateTicks);
      else this.setState('ERROR', 'openMinus', this.operateTicks);
    }
  }

  private error(): void {
    const c = this.contactors;
    switch (this.substate) {
      case 'entry':
        c.set('precharge', false);
        if (!this.resetPending) this.pendingTarget = null; // a host's reset may already wait for 'latched'
        this.timerTicks = 0;
        if (c.plus) this.setState('ERROR', 'waitBreakCurrent', 0);
        else {
          c.openAll();
          this.setState('ERROR', 'latched', this.operateTicks);
        }
        break;
      case 'waitBreakCurrent':
        this.openMainPath('ERROR');
        break;
      case 'openMinus':
        c.openAll();
        this.setState('ERROR', 'latched', this.operateTicks);
        break;
      case 'latched': {
        c.openAll();
        if (this.resetPending) {
          this.resetPending = false;
          const pending = this.pendingTarget;
          if (this.diagB.fatalCount - ((this.diagB.raised[CHECK_INDEX.precharge_failure]! >> 2) & 1) === 0) {
            this.resetFaults();
            this.pendingTarget = pending;
          } else {
            this.illegalRequests++;
          }
          return;
        }
        const r = this.nextRequest();
        if (r === 'RESET' || r === 'STANDBY') {
          // a precharge failure is an event: the request acknowledges it
          const pf = CHECK_INDEX.precharge_failure;
          const remaining = this.diagB.fatalCount - ((this.diagB.raised[pf]! >> 2) & 1);
          if (remaining === 0) {
            this.diag.reset(pf);
            this.setState('STANDBY', 'idle', 0);
          } else {
            this.illegalRequests++;
          }
        } else if (r !== null) {
          this.illegalRequests++;
        }
        break;
      }
      default:
        this.illegalSubstate();
    }
  }

  private illegalSubstate(): never {
    throw new Error(`state machine: substate "${this.substate}" is not one of state ${this.state}`);
  }
}
