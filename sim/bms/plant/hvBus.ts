/**
 * PLANT, not firmware: the high-voltage path between the pack and the load. Three contactors
 * (minus, plus, precharge) with an operate time and a welded-contactor fault, the DC-link
 * capacitance on the load side charged through the precharge resistor, and the pack fuse.
 * The firmware sees this only through its sensors (bus voltage, auxiliary contacts, current)
 * and acts on it only through contactor commands.
 */
export type ContactorName = 'plus' | 'minus' | 'precharge';

export interface HvBusConfig {
  dc_link_F: number;
  precharge_ohm: number;
  bus_bleed_tau_s: number;
  /** Pack-level fuse rating, A, and how long it carries more before it opens, s. */
  fuse_A: number;
  fuse_time_s: number;
  /** Contactor operate (close or open) time, s. */
  operate_s: number;
}

class Contactor {
  /** Actual position: 1 = closed. */
  closed = 0;
  commanded = 0;
  /** Time the present command has been pending, s. */
  private pending_s = 0;
  welded = false;
  /** Welds at its next closing. */
  weldOnClose = false;

  step(command: number, dt_s: number, operate_s: number): void {
    if (command !== this.commanded) {
      this.commanded = command;
      this.pending_s = 0;
    }
    if (this.closed === command) return;
    this.pending_s += dt_s;
    if (this.pending_s + 1e-9 < operate_s) return;
    if (command === 0 && this.welded) return; // stuck closed
    this.closed = command;
    if (command === 1 && this.weldOnClose) this.welded = true;
  }
}

export class HvBus {
  readonly plus = new Contactor();
  readonly minus = new Contactor();
  readonly precharge = new Contactor();
  /** Load-side (DC-link) voltage, V. */
  busVoltage_V = 0;
  fuseBlown = false;
  /** The precharge resistor is open (fault): the DC link cannot charge through it. */
  prechargeOpen = false;
  private fuseOver_s = 0;
  private readonly tauPre_s: number;

  constructor(readonly cfg: HvBusConfig) {
    this.tauPre_s = cfg.precharge_ohm * cfg.dc_link_F;
  }

  contactor(name: ContactorName): Contactor {
    return name === 'plus' ? this.plus : name === 'minus' ? this.minus : this.precharge;
  }

  /** Weld a contactor: closed now stays closed; open welds at its next closing. */
  weld(name: ContactorName): void {
    const c = this.contactor(name);
    if (c.closed) c.welded = true;
    else c.weldOnClose = true;
  }

  unweld(name: ContactorName): void {
    const c = this.contactor(name);
    c.welded = false;
    c.weldOnClose = false;
  }

  /** True while the main path conducts the load current. */
  get pathClosed(): boolean {
    return this.plus.closed === 1 && this.minus.closed === 1 && !this.fuseBlown;
  }

  private get prechargePath(): boolean {
    return this.minus.closed === 1 && this.precharge.closed === 1 && this.plus.closed === 0 && !this.prechargeOpen && !this.fuseBlown;
  }

  /**
   * Current the plant carries over a pack step of dt_s for the load's request (after any
   * clamping), with the pack's open-circuit voltage packOcv_V: the request when the path is
   * closed, the mean DC-link charging current (drawn from the pack, so negative) while
   * precharging, else 0.
   */
  admit(request_A: number, dt_s: number, packOcv_V: number): number {
    if (this.pathClosed) return request_A;
    if (this.prechargePath) {
      const dv = packOcv_V - this.busVoltage_V;
      return (-this.cfg.dc_link_F * dv * (1 - Math.exp(-dt_s / this.tauPre_s))) / dt_s;
    }
    return 0;
  }

  /** One fast tick: contactors follow their commands, the DC link and the fuse respond. */
  step(dt_s: number, cmdPlus: number, cmdMinus: number, cmdPrecharge: number, packVoltage_V: number, packCurrent_A: number): void {
    const op = this.cfg.operate_s;
    this.plus.step(cmdPlus, dt_s, op);
    this.minus.step(cmdMinus, dt_s, op);
    this.precharge.step(cmdPrecharge, dt_s, op);
    if (!this.fuseBlown) {
      if (Math.abs(packCurrent_A) > this.cfg.fuse_A) {
        this.fuseOver_s += dt_s;
        if (this.fuseOver_s >= this.cfg.fuse_time_s) this.fuseBlown = true;
      } else {
        this.fuseOver_s = 0;
      }
    }
    if (this.pathClosed) {
      this.busVoltage_V = packVoltage_V;
    } else if (this.prechargePath) {
      this.busVoltage_V = packVoltage_V + (this.busVoltage_V - packVoltage_V) * Math.exp(-dt_s / this.tauPre_s);
    } else {
      this.busVoltage_V *= Math.exp(-dt_s / this.cfg.bus_bleed_tau_s);
    }
  }
}
