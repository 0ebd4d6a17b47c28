/**
 * The database (style.md habit 5, after foxBMS 2's DATA module): measured and estimated values
 * in typed blocks, each with an id, `timestamp_ms`, `previousTimestamp_ms` and validity flags.
 * Each block has exactly one writer (WRITERS); `write` refuses any other. A module keeps its
 * own instance of the blocks it uses, allocated once, and copies into (write) or out of
 * (read) the database's instance. Nothing here allocates after construction.
 */

export type Writer = 'afe' | 'diag' | 'bms' | 'soc' | 'soe' | 'soh' | 'sop' | 'balancing' | 'contactor';

abstract class Block<Id extends string> {
  timestamp_ms = -1;
  previousTimestamp_ms = -1;
  constructor(readonly id: Id) {}
  protected abstract copy(src: this): void;
  /** Copy every value and both timestamps from src (same id and sizes). */
  copyFrom(src: this): void {
    this.timestamp_ms = src.timestamp_ms;
    this.previousTimestamp_ms = src.previousTimestamp_ms;
    this.copy(src);
  }
}

/** Voltage of each series group (AFE channel), and their summary over valid channels. */
export class CellVoltageBlock extends Block<'cellVoltage'> {
  readonly voltage_V: Float64Array;
  /** 1 = channel valid; 0 = open wire or otherwise not usable. */
  readonly valid: Uint8Array;
  min_V = NaN;
  max_V = NaN;
  avg_V = NaN;
  minIndex = -1;
  maxIndex = -1;
  validCount = 0;
  /** Largest open-wire test deviation over all channels this cycle, V, and its channel (-1: none). */
  openWireDelta_V = 0;
  openWireIndex = -1;
  constructor(ns: number) {
    super('cellVoltage');
    this.voltage_V = new Float64Array(ns);
    this.valid = new Uint8Array(ns);
  }
  protected copy(s: this): void {
    this.voltage_V.set(s.voltage_V);
    this.valid.set(s.valid);
    this.min_V = s.min_V;
    this.max_V = s.max_V;
    this.avg_V = s.avg_V;
    this.minIndex = s.minIndex;
    this.maxIndex = s.maxIndex;
    this.validCount = s.validCount;
    this.openWireDelta_V = s.openWireDelta_V;
    this.openWireIndex = s.openWireIndex;
  }
}

/** NTC readings (one per sensor) and their summary over valid sensors. */
export class CellTemperatureBlock extends Block<'cellTemperature'> {
  readonly temperature_C: Float64Array;
  readonly valid: Uint8Array;
  min_C = NaN;
  max_C = NaN;
  avg_C = NaN;
  /** Sensor index of min/max (-1: none valid). */
  minIndex = -1;
  maxIndex = -1;
  validCount = 0;
  /** Lowest and highest raw reading, valid or not (for the open/short checks), °C, and their sensors. */
  rawMin_C = NaN;
  rawMax_C = NaN;
  rawMinIndex = -1;
  rawMaxIndex = -1;
  constructor(nSensors: number) {
    super('cellTemperature');
    this.temperature_C = new Float64Array(nSensors);
    this.valid = new Uint8Array(nSensors);
  }
  protected copy(s: this): void {
    this.temperature_C.set(s.temperature_C);
    this.valid.set(s.valid);
    this.min_C = s.min_C;
    this.max_C = s.max_C;
    this.avg_C = s.avg_C;
    this.minIndex = s.minIndex;
    this.maxIndex = s.maxIndex;
    this.validCount = s.validCount;
    this.rawMin_C = s.rawMin_C;
    this.rawMax_C = s.rawMax_C;
    this.rawMinIndex = s.rawMinIndex;
    this.rawMaxIndex = s.rawMaxIndex;
  }
}

/** Pack current (shunt, charge positive), the redundant sensor, HV voltages and contactor feedback. */
export class CurrentBlock extends Block<'current'> {
  current_A = 0;
  redundant_A = 0;
  valid = 0;
  packVoltage_V = 0;
  busVoltage_V = 0;
  /** Contactor auxiliary contacts: 1 = closed. */
  plusClosed = 0;
  minusClosed = 0;
  prechargeClosed = 0;
  constructor() {
    super('current');
  }
  protected copy(s: this): void {
    this.current_A = s.current_A;
    this.redundant_A = s.redundant_A;
    this.valid = s.valid;
    this.packVoltage_V = s.packVoltage_V;
    this.busVoltage_V = s.busVoltage_V;
    this.plusClosed = s.plusClosed;
    this.minusClosed = s.minusClosed;
    this.prechargeClosed = s.prechargeClosed;
  }
}

/** Contactor commands (1 = close), written by the contactor module for the plant. */
export class ContactorBlock extends Block<'contactor'> {
  plus = 0;
  minus = 0;
  precharge = 0;
  /** Openings done above the break current (time limit passed). */
  openedUnderLoad = 0;
  constructor() {
    super('contactor');
  }
  protected copy(s: this): void {
    this.plus = s.plus;
    this.minus = s.minus;
    this.precharge = s.precharge;
    this.openedUnderLoad = s.openedUnderLoad;
  }
}

/** Diagnosis: which tier of each check is raised, and the fatal reaction. */
export class DiagBlock extends Block<'diag'> {
  /** Raised tiers per check: bit 0 MOL, bit 1 RSL, bit 2 MSL (index = CHECK_IDS order). */
  readonly raised: Uint8Array;
  warningCount = 0;
  fatalCount = 0;
  /** 1 when some MSL has been raised for at least its reaction delay and is still raised. */
  fatalDue = 0;
  /** Derating asked by raised RSL checks: 1 = charge, 2 = discharge (bit mask). */
  warningDirections = 0;
  constructor(nChecks: number) {
    super('diag');
    this.raised = new Uint8Array(nChecks);
  }
  protected copy(s: this): void {
    this.raised.set(s.raised);
    this.warningCount = s.warningCount;
    this.fatalCount = s.fatalCount;
    this.fatalDue = s.fatalDue;
    this.warningDirections = s.warningDirections;
  }
}

/** The state machine's state, as numbers for readers. */
export class StateBlock extends Block<'state'> {
  /** protocol BmsState value. */
  state = 0;
  /** 1 in NORMAL or CHARGE with the main path closed. */
  running = 0;
  /** 1 while the firmware wants the current at zero (ERROR, opening). */
  zeroCurrent = 0;
  /** 1 in CHARGE. */
  charging = 0;
  constructor() {
    super('state');
  }
  protected copy(s: this): void {
    this.state = s.state;
    this.running = s.running;
    this.zeroCurrent = s.zeroCurrent;
    this.charging = s.charging;
  }
}

/** SOC over the pack (fractions): min/avg/max of the selected estimator, and both estimators' avg. */
export class SocBlock extends Block<'soc'> {
  min = NaN;
  avg = NaN;
  max = NaN;
  countingAvg = NaN;
  ekfAvg = NaN;
  /** Estimated hysteresis state (-1 discharge .. +1 charge), from the measured current. */
  h = 0;
  recalibrations = 0;
  skippedRecalibrations = 0;
  constructor() {
    super('soc');
  }
  protected copy(s: this): void {
    this.min = s.min;
    this.avg = s.avg;
    this.max = s.max;
    this.countingAvg = s.countingAvg;
    this.ekfAvg = s.ekfAvg;
    this.h = s.h;
    this.recalibrations = s.recalibrations;
    this.skippedRecalibrations = s.skippedRecalibrations;
  }
}

export class SoeBlock extends Block<'soe'> {
  /** Energy left in the pack, Wh, and as a fraction of the full pack. */
  energy_Wh = NaN;
  soe = NaN;
  constructor() {
    super('soe');
  }
  protected copy(s: this): void {
    this.energy_Wh = s.energy_Wh;
    this.soe = s.soe;
  }
}

export class SohBlock extends Block<'soh'> {
  /** Estimated cell capacity, Ah, and as a fraction of nominal (1 until estimated). */
  capacity_Ah = NaN;
  soh = 1;
  capacityEstimates = 0;
  /** Estimated pack-average resistance over its nominal value (1 until estimated). */
  resistanceRatio = 1;
  resistanceSamples = 0;
  /** Fewest cells in parallel any group seems to have (np when all look alike). */
  npEffMin = 0;
  /** Group with npEffMin (-1: none stands out). */
  weakGroup = -1;
  constructor() {
    super('soh');
  }
  protected copy(s: this): void {
    this.capacity_Ah = s.capacity_Ah;
    this.soh = s.soh;
    this.capacityEstimates = s.capacityEstimates;
    this.resistanceRatio = s.resistanceRatio;
    this.resistanceSamples = s.resistanceSamples;
    this.npEffMin = s.npEffMin;
    this.weakGroup = s.weakGroup;
  }
}

/** Current limits (magnitudes, pack-level A) advised to the host (SOF/SOP). */
export class SopBlock extends Block<'sop'> {
  chargeLimit_A = 0;
  dischargeLimit_A = 0;
  /** Bit mask of why limits are cut by a fault: 1 warning, 2 fatal/zero-current, 4 weak group. */
  faultDerate = 0;
  constructor() {
    super('sop');
  }
  protected copy(s: this): void {
    this.chargeLimit_A = s.chargeLimit_A;
    this.dischargeLimit_A = s.dischargeLimit_A;
    this.faultDerate = s.faultDerate;
  }
}

export class BalancingBlock extends Block<'balancing'> {
  /** 1 = the group's bleed resistor is on. */
  readonly active: Uint8Array;
  count = 0;
  constructor(ns: number) {
    super('balancing');
    this.active = new Uint8Array(ns);
  }
  protected copy(s: this): void {
    this.active.set(s.active);
    this.count = s.count;
  }
}

export type AnyBlock =
  CellVoltageBlock | CellTemperatureBlock | CurrentBlock | ContactorBlock | DiagBlock | StateBlock | SocBlock | SoeBlock | SohBlock | SopBlock | BalancingBlock;
export type BlockId = AnyBlock['id'];

/** The one writer of each block. */
export const WRITERS: Readonly<Record<BlockId, Writer>> = {
  cellVoltage: 'afe',
  cellTemperature: 'afe',
  current: 'afe',
  contactor: 'contactor',
  diag: 'diag',
  state: 'bms',
  soc: 'soc',
  soe: 'soe',
  soh: 'soh',
  sop: 'sop',
  balancing: 'balancing',
};

interface Copyable<B> {
  copyFrom(src: B): void;
}

export class Database {
  /** Time of the tick being run, ms (set by the scheduler). */
  now_ms = 0;
  private readonly blocks: { [K in BlockId]: Extract<AnyBlock, { id: K }> };

  constructor(ns: number, nSensors: number, nChecks: number) {
    this.blocks = {
      cellVoltage: new CellVoltageBlock(ns),
      cellTemperature: new CellTemperatureBlock(nSensors),
      current: new CurrentBlock(),
      contactor: new ContactorBlock(),
      diag: new DiagBlock(nChecks),
      state: new StateBlock(),
      soc: new SocBlock(),
      soe: new SoeBlock(),
      soh: new SohBlock(),
      sop: new SopBlock(),
      balancing: new BalancingBlock(ns),
    };
  }

  /** Copy `src` into the database, stamping the time; only the block's writer may. */
  write<B extends AnyBlock>(src: B, writer: Writer): void {
    if (WRITERS[src.id] !== writer) throw new Error(`database: "${writer}" may not write block "${src.id}" (writer: ${WRITERS[src.id]})`);
    src.previousTimestamp_ms = src.timestamp_ms;
    src.timestamp_ms = this.now_ms;
    (this.blocks[src.id] as unknown as Copyable<B>).copyFrom(src);
  }

  /** Copy the database's block into `dst` (a block the reader allocated once). */
  read<B extends AnyBlock>(dst: B): B {
    (dst as unknown as Copyable<B>).copyFrom(this.blocks[dst.id] as unknown as B);
    return dst;
  }

  /** The stored block itself, read-only by convention (for the report and the trace). */
  peek<K extends BlockId>(id: K): Readonly<Extract<AnyBlock, { id: K }>> {
    return this.blocks[id];
  }
}
