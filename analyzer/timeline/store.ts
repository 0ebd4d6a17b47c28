/**
 * The columnar store of a session's telemetry: one typed array per channel, one row per device
 * tick at which periodic telemetry arrived (the messages of one tick share one `t_ms`, PROTOCOL.md
 * section 6). Columns grow by doubling; `length` rows are valid. Time is unwrapped device time in
 * seconds from the first frame, strictly ascending (a device clock that goes back is recorded in
 * `clockSteps` and the later rows are shifted so the axis stays ascending).
 *
 * Nothing is ever bridged: a value the device could not measure (the wire's NA) is NaN; a message
 * that did not arrive in a row leaves its columns NaN (or ABSENT for byte columns) and its bit in
 * `present` clear, so a rule can tell "not sent this tick" (bit clear) from "sent, not available"
 * (bit set, value NaN). Lost frames, time gaps and regressions are kept as lists for the quality
 * rules. Pack-level and per-cell columns are ready for uPlot as they are (`subarray(0, length)`).
 *
 * Per-cell columns are Float32Array (0.1 mV and 0.01 °C are far inside float32's 24-bit
 * mantissa at these magnitudes) to halve the memory of a day-long 100-cell log; pack-level and
 * time columns are Float64Array.
 *
 * Columns of messages many inputs never carry cost nothing until the first such message: until
 * then every `balancing` column is one shared all-ABSENT array and the seven SIM_TRUTH channels of
 * `pack` one shared all-NaN array (readers see what they always saw). A writer makes them its
 * own first: `ensureBalancing()`, `ensureTruth()` (the assembler does on the first BALANCING /
 * SIM_TRUTH).
 */
import type { FaultEvent, Info } from '../../protocol/messages.ts';
import { ColumnBlock } from './block.ts';
import { RangeColumns } from './ranges.ts';

/** Bits of `present`: which messages arrived in a row. */
export const Present = {
  STATUS: 1,
  CELLS: 2,
  TEMPERATURES: 4,
  BALANCING: 8,
  TRUTH: 16,
  CELL_TRUTH: 32,
} as const;

/** Byte columns (state, contactors, balancing) hold this where nothing was received. */
export const ABSENT = 255;

/** Contactor bits of the `contactors` column. */
export const Contactor = { MAIN_POSITIVE: 1, MAIN_NEGATIVE: 2, PRECHARGE: 4 } as const;

/** The pack channels of SIM_TRUTH: one shared all-NaN column until `ensureTruth()`. */
const TRUTH_CHANNELS = [
  'truthSocMin',
  'truthSocAvg',
  'truthSocMax',
  'truthCoreTemperatureMin_C',
  'truthCoreTemperatureAvg_C',
  'truthCoreTemperatureMax_C',
  'truthCurrent_A',
] as const;

/** The pack-level Float64 channels, by name (units in the names). */
export const PACK_CHANNELS = [
  'packVoltage_V',
  'current_A',
  'soc',
  'soh',
  'cellVoltageMin_V',
  'cellVoltageMax_V',
  'cellVoltageMinIndex',
  'cellVoltageMaxIndex',
  'temperatureMin_C',
  'temperatureMax_C',
  'temperatureMinIndex',
  'temperatureMaxIndex',
  'chargeCurrentLimit_A',
  'dischargeCurrentLimit_A',
  'balancingCount',
  // simulator ground truth (SIM_TRUTH); never measurements
  ...TRUTH_CHANNELS,
] as const;
export type PackChannel = (typeof PACK_CHANNELS)[number];

const IS_TRUTH: ReadonlySet<PackChannel> = new Set(TRUTH_CHANNELS);

/** An EVENT as received, on the store's time axis. */
export interface TimedEvent extends Omit<FaultEvent, 'type'> {
  t_s: number;
  seq: number;
}

/** An ACK or NACK as received. */
export interface TimedAnswer {
  t_s: number;
  ack: boolean;
  commandSeq: number;
  commandType: number;
  /** NACK reason, 0 for an ACK. */
  reason: number;
}

/** An INFO as received. */
export interface TimedInfo {
  t_s: number;
  info: Info;
}

/** Where the device clock went back: rows from `row` on were shifted by `shift_s`. */
export interface ClockStep {
  row: number;
  t_s: number;
  /** How far the raw clock went back, s (positive). */
  back_s: number;
  shift_s: number;
}

/** Frames lost according to the sequence numbers, where they were lost. */
export interface SeqGap {
  /** Store time of the frame after the gap. */
  t_s: number;
  /** Store time of the last frame before the gap. */
  tPrev_s: number;
  missing: number;
}

/** A periodic message type's missing instances, inferred from its own arrival grid. */
export interface TypeGap {
  type: number;
  tPrev_s: number;
  t_s: number;
  missing: number;
}

const INITIAL_CAPACITY = 1024;

/**
 * Messages per type id (0..255): a counter table the assembler bumps once per message, read like
 * a Map (`get` is undefined for a type never counted).
 */
export class TypeCounts {
  private readonly n = new Float64Array(256);

  get(type: number): number | undefined {
    const v = this.n[type & 0xff]!;
    return v > 0 ? v : undefined;
  }

  has(type: number): boolean {
    return this.n[type & 0xff]! > 0;
  }

  set(type: number, count: number): void {
    this.n[type & 0xff] = count;
  }

  add(type: number): void {
    this.n[type & 0xff]!++;
  }

  /** [type, count] of the types counted, by type id. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let t = 0; t < 256; t++) if (this.n[t]! > 0) out.push([t, this.n[t]!]);
    return out;
  }
}

type F64 = Float64Array<ArrayBuffer>;
type F32 = Float32Array<ArrayBuffer>;
type U8 = Uint8Array<ArrayBuffer>;
type U32 = Uint32Array<ArrayBuffer>;

function grow64(a: F64, cap: number): F64 {
  const b = new Float64Array(cap);
  b.set(a);
  b.fill(NaN, a.length);
  return b;
}
function grow32(a: F32, cap: number): F32 {
  const b = new Float32Array(cap);
  b.set(a);
  b.fill(NaN, a.length);
  return b;
}
function growU8(a: U8, cap: number, fill: number): U8 {
  const b = new Uint8Array(cap);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
function growU32(a: U32, cap: number): U32 {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}

/**
 * The pack channels as one object literal. Built by adding 22 properties one by one, V8 would
 * turn the object into a dictionary (past its limit of fast properties added one at a time), and
 * every `pack.x` read in a per-row loop would be a hash lookup; a literal keeps it a fast object
 * (`satisfies` has the compiler check it against PACK_CHANNELS).
 */
function emptyPack(): Record<PackChannel, F64> {
  const e = (): F64 => new Float64Array(0);
  return {
    packVoltage_V: e(),
    current_A: e(),
    soc: e(),
    soh: e(),
    cellVoltageMin_V: e(),
    cellVoltageMax_V: e(),
    cellVoltageMinIndex: e(),
    cellVoltageMaxIndex: e(),
    temperatureMin_C: e(),
    temperatureMax_C: e(),
    temperatureMinIndex: e(),
    temperatureMaxIndex: e(),
    chargeCurrentLimit_A: e(),
    dischargeCurrentLimit_A: e(),
    balancingCount: e(),
    truthSocMin: e(),
    truthSocAvg: e(),
    truthSocMax: e(),
    truthCoreTemperatureMin_C: e(),
    truthCoreTemperatureAvg_C: e(),
    truthCoreTemperatureMax_C: e(),
    truthCurrent_A: e(),
  } satisfies Record<PackChannel, F64>;
}

export class Timeline {
  /** Valid rows. */
  length = 0;
  /**
   * Goes up whenever the timeline may have changed: a row added, a message stored in any row
   * (the assembler), the input finished. Values the checks derive and keep (their shared scans)
   * hold for one revision: a live stream's last row fills after it was added, so the length
   * alone does not tell.
   */
  revision = 0;
  private capacity = 0;
  /** Device time of each row, s from the first frame, ascending. */
  t_s: F64 = new Float64Array(0);
  /** Present bits of each row. */
  present: U8 = new Uint8Array(0);
  /** BMS state (BmsState), ABSENT when no PACK_STATUS in the row. */
  state: U8 = new Uint8Array(0);
  /** Contactor bits (Contactor), ABSENT when no PACK_STATUS. */
  contactors: U8 = new Uint8Array(0);
  faultMask: U32 = new Uint32Array(0);
  warningMask: U32 = new Uint32Array(0);
  infoMask: U32 = new Uint32Array(0);
  /** Pack-level channels (an object literal: see `emptyPack`). */
  readonly pack: Record<PackChannel, F64> = emptyPack();
  /** The cell voltage columns in one buffer (timeline/block.ts; the assembler writes there). */
  readonly cellBlock = new ColumnBlock();
  /** The temperature columns in one buffer. */
  readonly temperatureBlock = new ColumnBlock();
  /** Per series group: 1 bleeding, 0 not, ABSENT not received (see `ensureBalancing`). */
  balancing: U8[] = [];
  /** Per-row ranges of the cell voltages and the temperatures, where the writer keeps them (timeline/ranges.ts). */
  readonly ranges = { cells: new RangeColumns(), temperatures: new RangeColumns() };
  /** The one all-ABSENT column every `balancing` entry is until the first BALANCING. */
  private sharedAbsent: U8 = new Uint8Array(0);
  private balancingOwn = false;
  private truthOwn = false;
  /** Per series group, simulator truth (SIM_CELL_TRUTH). */
  truthCellSoc: F32[] = [];
  truthCellCoreTemperature_C: F32[] = [];

  readonly events: TimedEvent[] = [];
  readonly answers: TimedAnswer[] = [];
  readonly infos: TimedInfo[] = [];
  readonly clockSteps: ClockStep[] = [];
  readonly seqGaps: SeqGap[] = [];
  readonly typeGaps: TypeGap[] = [];
  /** Messages received per type id. */
  readonly received = new TypeCounts();
  /** Missing messages per type id (from each type's own arrival grid; see TypeGap). */
  readonly missingByType = new Map<number, number>();

  constructor() {
    this.reserve(INITIAL_CAPACITY);
  }

  /** Per series group (CELL_VOLTAGES index): views of `cellBlock`. */
  get cellVoltage_V(): F32[] {
    return this.cellBlock.columns;
  }

  /** Per temperature sensor (TEMPERATURES index): views of `temperatureBlock`. */
  get temperature_C(): F32[] {
    return this.temperatureBlock.columns;
  }

  /** The latest INFO, or null before the first. */
  get info(): Info | null {
    return this.infos.length > 0 ? this.infos[this.infos.length - 1]!.info : null;
  }

  /** Series groups seen (columns of cellVoltage_V). */
  get ns(): number {
    return this.cellVoltage_V.length;
  }

  /** Temperature sensors seen. */
  get nt(): number {
    return this.temperature_C.length;
  }

  /** Device time covered, s (0 for fewer than two rows). */
  get duration_s(): number {
    return this.length > 1 ? this.t_s[this.length - 1]! - this.t_s[0]! : 0;
  }

  /** Bytes held by the columns (capacity, not just `length`; a shared column once). */
  get columnBytes(): number {
    let n = this.t_s.byteLength + this.present.byteLength + this.state.byteLength + this.contactors.byteLength;
    n += this.faultMask.byteLength * 3;
    n += this.cellBlock.data.byteLength + this.temperatureBlock.data.byteLength;
    for (const list of [this.truthCellSoc, this.truthCellCoreTemperature_C]) {
      for (const a of list) n += a.byteLength;
    }
    if (this.ranges.cells.valid) n += this.ranges.cells.byteLength;
    if (this.ranges.temperatures.valid) n += this.ranges.temperatures.byteLength;
    const seen = new Set<ArrayBufferLike>();
    for (const a of [...PACK_CHANNELS.map((c) => this.pack[c]), ...this.balancing]) {
      if (seen.has(a.buffer)) continue;
      seen.add(a.buffer);
      n += a.byteLength;
    }
    return n;
  }

  /**
   * The writer will keep `ranges` (the snapshot assembler does, from the first row). Only on an
   * empty timeline: rows written before would be missing.
   */
  keepRanges(): void {
    if (this.length > 0) return;
    for (const rc of [this.ranges.cells, this.ranges.temperatures]) {
      rc.valid = true;
      rc.grow(this.capacity);
    }
  }

  /** BALANCING columns of their own (until the first BALANCING they share one all-ABSENT column). */
  ensureBalancing(): void {
    if (this.balancingOwn) return;
    this.balancingOwn = true;
    this.balancing = this.balancing.map((a) => a.slice());
  }

  /** SIM_TRUTH pack channels of their own (until the first SIM_TRUTH they share one all-NaN column). */
  ensureTruth(): void {
    if (this.truthOwn) return;
    this.truthOwn = true;
    for (const c of TRUTH_CHANNELS) this.pack[c] = this.pack[c].slice();
  }

  /**
   * Makes room for `rows` rows: by doubling, or exactly `rows` with `exact` (a reader that knows
   * how many rows are coming saves the copies).
   */
  reserve(rows: number, exact = false): void {
    if (rows <= this.capacity) return;
    let cap = Math.max(this.capacity, INITIAL_CAPACITY);
    if (exact) cap = Math.max(cap, rows);
    while (cap < rows) cap *= 2;
    this.t_s = grow64(this.t_s, cap);
    this.present = growU8(this.present, cap, 0);
    this.state = growU8(this.state, cap, ABSENT);
    this.contactors = growU8(this.contactors, cap, ABSENT);
    this.faultMask = growU32(this.faultMask, cap);
    this.warningMask = growU32(this.warningMask, cap);
    this.infoMask = growU32(this.infoMask, cap);
    for (const c of PACK_CHANNELS) if (this.truthOwn || !IS_TRUTH.has(c)) this.pack[c] = grow64(this.pack[c], cap);
    if (!this.truthOwn) {
      const shared = grow64(this.pack.truthSocMin, cap);
      for (const c of TRUTH_CHANNELS) this.pack[c] = shared;
    }
    this.cellBlock.grow(cap);
    this.temperatureBlock.grow(cap);
    this.truthCellSoc = this.truthCellSoc.map((a) => grow32(a, cap));
    this.truthCellCoreTemperature_C = this.truthCellCoreTemperature_C.map((a) => grow32(a, cap));
    if (!this.balancingOwn) this.sharedAbsent = growU8(this.sharedAbsent, cap, ABSENT);
    this.balancing = this.balancingOwn ? this.balancing.map((a) => growU8(a, cap, ABSENT)) : this.balancing.map(() => this.sharedAbsent);
    if (this.ranges.cells.valid) this.ranges.cells.grow(cap);
    if (this.ranges.temperatures.valid) this.ranges.temperatures.grow(cap);
    this.capacity = cap;
  }

  /** Appends a row at time t_s with nothing present; returns its index. */
  addRow(t_s: number): number {
    const r = this.length;
    if (r >= this.capacity) this.reserve(r + 1);
    this.t_s[r] = t_s;
    this.length = r + 1;
    this.revision++;
    return r;
  }

  /** Makes sure there are at least n cell columns (new ones NaN / ABSENT in earlier rows). */
  ensureCells(n: number): void {
    if (n > this.cellBlock.columns.length) this.cellBlock.ensure(n);
    while (this.balancing.length < n) this.balancing.push(this.balancingOwn ? new Uint8Array(this.capacity).fill(ABSENT) : this.sharedAbsent);
  }

  ensureTruthCells(n: number): void {
    while (this.truthCellSoc.length < n) {
      this.truthCellSoc.push(new Float32Array(this.capacity).fill(NaN));
      this.truthCellCoreTemperature_C.push(new Float32Array(this.capacity).fill(NaN));
    }
  }

  ensureSensors(n: number): void {
    if (n > this.temperatureBlock.columns.length) this.temperatureBlock.ensure(n);
  }

  /** First row with t_s >= t (length when none). Binary search. */
  rowAt(t: number): number {
    let lo = 0;
    let hi = this.length;
    const ts = this.t_s;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The device run of row r: 0 from the start of the capture, one more at each device restart
   * (`clockSteps`) at or before it.
   */
  runOfRow(r: number): number {
    return this.stepsWhile((c) => c.row <= r);
  }

  /**
   * The device run at store time t_s (an EVENT's, an answer's): the restarts before it (the
   * frames after a restart are stored after its `t_s`, the last row's time before it).
   */
  runAt(t_s: number): number {
    return this.stepsWhile((c) => c.t_s < t_s);
  }

  /** How many clock steps from the first meet `before` (true on a prefix: the steps are in order). */
  private stepsWhile(before: (c: ClockStep) => boolean): number {
    const steps = this.clockSteps;
    let lo = 0;
    let hi = steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(steps[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rows with a PACK_STATUS. */
  hasStatus(r: number): boolean {
    return (this.present[r]! & Present.STATUS) !== 0;
  }

  /** True when any SIM_* truth arrived. */
  get hasTruth(): boolean {
    return (this.received.get(0x70) ?? 0) > 0 || (this.received.get(0x71) ?? 0) > 0;
  }
}
