/**
 * The BMS state machine (style.md habit 6, after foxBMS 2's BMS_Trigger):
 *   INIT → STANDBY → PRECHARGE → NORMAL (discharge) or CHARGE → STANDBY on request; a
 *   request for CHARGE in NORMAL (or NORMAL in CHARGE) opens to STANDBY and precharges again;
 *   ERROR when diag says a fatal fault is due; ERROR is latched until no fatal fault remains
 *   and a RESET arrives (a scripted STANDBY request too), and then goes to STANDBY.
 *
 * The state is the one the device reports (PROTOCOL.md §8, "Contactors and state"), and it
 * always agrees with the contactors' auxiliary contacts: every contactor open in INIT, STANDBY
 * and ERROR; main− and precharge closed in PRECHARGE (main+ too once the bus is charged); main+
 * and main− closed, precharge open, in NORMAL and CHARGE. So the machine moves the contactors
 * first and changes state on the tick their feedback shows the new configuration ("moves":
 * substates closing, closePlus, openPrecharge, opening), as foxBMS 2 goes through
 * OPEN_CONTACTORS before it reports ERROR or STANDBY. A move is atomic: requests and faults
 * are taken up when it is over. A contactor whose feedback has not followed within
 * FEEDBACK_WAIT_OPERATE_TIMES operate times is left to diagnosis (CONTACTOR_FEEDBACK) and the
 * machine goes on.
 *
 * Precharge closes main− and precharge together, waits until the bus voltage is within the
 * threshold of the pack voltage and the current has settled, closes main+, then opens
 * precharge; a timeout opens everything, waits in STANDBY and retries, and after the last retry
 * raises PRECHARGE_FAILURE and opens to ERROR. On the way out of NORMAL / CHARGE (a STANDBY
 * request, or a fatal fault due) the state stays while the current limits are at zero and the
 * current falls below the break current (or the time limit passes), then main+ and main− open
 * together.
 * Scripted requests (`request`) are queued and taken one per tick; illegal ones are counted, and
 * so are those still queued when the machine enters ERROR, which are dropped: only a request made
 * after the error acknowledges it.
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
/**
 * A move waits for the auxiliary contacts at most this many contactor operate times; a contact
 * that has not followed by then is a contactor fault (diagnosis raises CONTACTOR_FEEDBACK), and
 * the machine goes on as if it had.
 */
export const FEEDBACK_WAIT_OPERATE_TIMES = 2;

/** What `command` decides: the command is carried out, or refused for this reason. */
export type CommandDecision = 'accept' | 'illegal' | 'faultActive';

const REQUESTS: readonly HostRequest[] = ['STANDBY', 'NORMAL', 'CHARGE', 'RESET'];
type Mode = 'NORMAL' | 'CHARGE';
/** Where a move out of NORMAL / CHARGE / PRECHARGE ends. */
type Exit = 'STANDBY' | 'ERROR' | 'retry';

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
  private target: Mode = 'NORMAL';
  /** A mode asked for while leaving the other one: taken up again in STANDBY. */
  private pendingTarget: Mode | null = null;
  /** Where the way out of the present state ends (waitBreakCurrent, opening). */
  private exit: Exit = 'STANDBY';
  /** A STANDBY request accepted during a precharge move: carried out when the move is over. */
  private abortPrecharge = false;
  private timerTicks = 0;
  private moveTicks = 0;
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
   * contactors move from the next tick on. RESET_FAULTS in ERROR is the exception: every
   * contactor is open in ERROR, so the state is STANDBY at once.
   */
  command(req: HostRequest, fatal: boolean): CommandDecision {
    const s = this.state;
    if (s === 'hasNeverRun' || s === 'INIT') return req === 'RESET' ? (fatal ? 'faultActive' : 'accept') : 'illegal';
    if (req === 'RESET') {
      if (fatal) return 'faultActive';
      if (s === 'ERROR') this.leaveError();
      return 'accept';
    }
    if (s === 'ERROR') return req !== 'STANDBY' && fatal ? 'faultActive' : 'illegal';
    if (req !== 'STANDBY' && fatal) return 'faultActive';
    if (s === 'STANDBY') this.commandInStandby(req);
    else if (s === 'PRECHARGE') this.commandInPrecharge(req);
    else this.commandRunning(req);
    return 'accept';
  }

  private commandInStandby(req: 'STANDBY' | Mode): void {
    if (req !== 'STANDBY') {
      // idle: precharge at the next tick; closing or waiting to retry: the precharge leads there
      if (this.substate === 'idle') this.pendingTarget = req;
      else {
        this.target = req;
        this.abortPrecharge = false;
      }
      return;
    }
    this.pendingTarget = null;
    if (this.substate === 'retryWait')
      this.setState('STANDBY', 'idle', 0); // everything is open: the retry is called off
    else if (this.substate === 'closing') this.abortPrecharge = true; // called off at the next tick
  }

  private commandInPrecharge(req: 'STANDBY' | Mode): void {
    if (req !== 'STANDBY') {
      this.target = req;
      this.abortPrecharge = false;
    } else {
      this.abortPrecharge = true; // the contactors open from the next tick (after the move under way)
    }
  }

  private commandRunning(req: 'STANDBY' | Mode): void {
    const leaving = this.substate !== 'running';
    if (leaving) {
      // on the way out already: go on (to the mode asked for) from STANDBY
      if (this.exit === 'STANDBY') this.pendingTarget = req === 'STANDBY' ? null : req;
      return;
    }
    if (req === this.state) return;
    this.pendingTarget = req === 'STANDBY' ? null : req;
    this.startBreakWait('STANDBY');
  }

  /** ERROR → STANDBY (a reset, with no fatal fault left): the precharge failure is acknowledged. */
  private leaveError(): void {
    this.pendingTarget = null;
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
    if (state === 'ERROR' && this.state !== 'ERROR' && this.qLen > 0) {
      // requests still queued (a move takes none up) were made before the error: a RESET or
      // STANDBY among them must not acknowledge a fault the host had not seen yet
      this.illegalRequests += this.qLen;
      this.qLen = 0;
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
    o.zeroCurrent = this.state === 'ERROR' || this.substate === 'waitBreakCurrent' || this.substate === 'opening' || this.diagB.fatalCount > 0 ? 1 : 0;
    o.charging = this.state === 'CHARGE' ? 1 : 0;
    db.write(o, 'bms');
  }

  private get operateTicks(): number {
    return this.ticks(this.cfg.contactors.operate_ms);
  }

  /**
   * A move's end: true once every auxiliary contact shows its command, or the feedback wait is
   * over (a contactor fault, diagnosis' to report).
   */
  private moved(): boolean {
    const c = this.contactors;
    const cur = this.cur;
    if (cur.plusClosed === c.plus && cur.minusClosed === c.minus && cur.prechargeClosed === c.precharge) return true;
    return ++this.moveTicks >= FEEDBACK_WAIT_OPERATE_TIMES * this.operateTicks;
  }

  private startMove(state: StateName, substate: SubstateName): void {
    this.moveTicks = 0;
    this.setState(state, substate, 0);
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

  /** Close main− and precharge together: PRECHARGE once both contacts show closed. */
  private startPrecharge(): void {
    this.contactors.set('minus', true);
    this.contactors.set('precharge', true);
    this.startMove('STANDBY', 'closing');
  }

  private standby(): void {
    const c = this.contactors;
    switch (this.substate) {
      case 'idle': {
        c.openAll();
        if (this.diagB.fatalDue) {
          this.setState('ERROR', 'latched', 0);
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
          this.abortPrecharge = false;
          this.startPrecharge();
        }
        break;
      }
      case 'closing':
        if (!this.moved()) {
          if (this.abortPrecharge) {
            // the contacts have not closed (this tick's plant step had the closing command): open before they do
            this.abortPrecharge = false;
            c.openAll();
            this.setState('STANDBY', 'idle', 0);
          }
          return;
        }
        if (this.diagB.fatalDue || this.abortPrecharge) {
          this.startOpening(this.diagB.fatalDue ? 'ERROR' : 'STANDBY', 'PRECHARGE');
          return;
        }
        this.timerTicks = 0;
        this.setState('PRECHARGE', 'waitBus', 0);
        break;
      case 'retryWait':
        if (this.diagB.fatalDue) {
          this.setState('ERROR', 'latched', 0);
          return;
        }
        this.startPrecharge();
        break;
      default:
        this.illegalSubstate();
    }
  }

  private precharge(): void {
    const c = this.contactors;
    const pc = this.cfg.precharge;
    switch (this.substate) {
      case 'waitBus': {
        if (this.diagB.fatalDue) {
          this.startOpening('ERROR');
          return;
        }
        const r = this.nextRequest();
        if (r === 'STANDBY' || this.abortPrecharge) {
          this.abortPrecharge = false;
          this.startOpening('STANDBY');
          return;
        }
        if (r === 'NORMAL' || r === 'CHARGE' || r === 'RESET') this.illegalRequests++;
        this.timerTicks++;
        const vp = this.cur.packVoltage_V;
        const dv = Math.abs(this.cur.busVoltage_V - vp);
        const thr = (pc.voltage_threshold_pct / 100) * vp;
        if (dv <= thr && Math.abs(this.cur.current_A) <= pc.settled_current_A * this.np && this.cur.minusClosed && this.cur.prechargeClosed) {
          c.set('plus', true);
          this.startMove('PRECHARGE', 'closePlus');
        } else if (this.timerTicks >= this.ticks(pc.timeout_ms)) {
          this.prechargeFailures++;
          if (this.prechargeFailures > pc.retries) {
            this.diag.report(CHECK_INDEX.precharge_failure, 0b100, dv, thr);
            this.startOpening('ERROR');
          } else {
            this.startOpening('retry');
          }
        }
        break;
      }
      case 'closePlus':
        if (!this.moved()) return;
        if (this.abortPrecharge || this.diagB.fatalDue) {
          this.abortPrecharge = false;
          this.startOpening(this.diagB.fatalDue ? 'ERROR' : 'STANDBY');
          return;
        }
        c.set('precharge', false);
        this.startMove('PRECHARGE', 'openPrecharge');
        break;
      case 'openPrecharge':
        if (!this.moved()) return;
        this.setState(this.target, 'running', 0);
        if (this.abortPrecharge) this.startBreakWait('STANDBY');
        this.abortPrecharge = false;
        break;
      case 'opening':
        this.opening();
        break;
      default:
        this.illegalSubstate();
    }
  }

  private running(): void {
    switch (this.substate) {
      case 'running': {
        if (this.diagB.fatalDue) {
          this.startBreakWait('ERROR');
          return;
        }
        const r = this.nextRequest();
        if (r === 'STANDBY' || ((r === 'NORMAL' || r === 'CHARGE') && r !== this.state)) {
          // switching between drive and charge goes through STANDBY (open, precharge again)
          this.pendingTarget = r === 'STANDBY' ? null : r;
          this.startBreakWait('STANDBY');
        } else if (r === 'RESET') {
          this.illegalRequests++;
        }
        break;
      }
      case 'waitBreakCurrent': {
        if (this.diagB.fatalDue) this.exit = 'ERROR';
        this.timerTicks++;
        const below = Math.abs(this.cur.current_A) <= this.breakCurrent_A;
        if (below || this.timerTicks > this.ticks(this.cfg.contactors.max_break_wait_ms)) {
          if (!below) this.contactors.noteOpenedUnderLoad();
          this.startOpening(this.exit);
        }
        break;
      }
      case 'opening':
        this.opening();
        break;
      default:
        this.illegalSubstate();
    }
  }

  /** Leave NORMAL / CHARGE: the state stays, with the current limits at zero, until the current is below the break current. */
  private startBreakWait(exit: 'STANDBY' | 'ERROR'): void {
    this.exit = exit;
    this.timerTicks = 0;
    this.setState(this.state, 'waitBreakCurrent', 0);
  }

  /** Open every contactor; the state changes when their contacts show open (`opening`). */
  private startOpening(exit: Exit, state: StateName = this.state): void {
    this.exit = exit;
    this.contactors.openAll();
    this.startMove(state, 'opening');
  }

  private opening(): void {
    if (this.diagB.fatalDue) this.exit = 'ERROR';
    if (!this.moved()) return;
    switch (this.exit) {
      case 'ERROR':
        this.pendingTarget = null;
        this.setState('ERROR', 'latched', 0);
        break;
      case 'retry':
        this.setState('STANDBY', 'retryWait', this.ticks(this.cfg.precharge.retry_wait_ms));
        break;
      case 'STANDBY':
        this.setState('STANDBY', 'idle', 0);
        break;
      default:
        assertNever(this.exit);
    }
  }

  private error(): void {
    if (this.substate !== 'latched') this.illegalSubstate();
    this.contactors.openAll();
    const r = this.nextRequest();
    if (r === 'RESET' || r === 'STANDBY') {
      // a precharge failure is an event: the request acknowledges it
      const pf = CHECK_INDEX.precharge_failure;
      const remaining = this.diagB.fatalCount - ((this.diagB.raised[pf]! >> 2) & 1);
      if (remaining === 0) this.leaveError();
      else this.illegalRequests++;
    } else if (r !== null) {
      this.illegalRequests++;
    }
  }

  private illegalSubstate(): never {
    throw new Error(`state machine: substate "${this.substate}" is not one of state ${this.state}`);
  }
}
