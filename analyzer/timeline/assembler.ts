/**
 * Snapshot assembler: decoded device → host messages in, rows of a Timeline out. The messages of
 * one device tick carry one `t_ms` (PROTOCOL.md section 6): PACK_STATUS, the CELL_VOLTAGES and
 * TEMPERATURES chunks, BALANCING and the SIM_* truth of that tick fill one row. A message with a
 * later `t_ms` starts the next row. Values are copied out of each message at once, so the decoder
 * may reuse its message objects (`reuse: true`).
 *
 * Time: `t_ms` is unwrapped and put on seconds from the first frame, late frames and device
 * restarts told apart, by DeviceClock (clock.ts). A late frame fills its own row if that row
 * exists and is otherwise counted in `lateFrames`.
 *
 * Loss: the frames' `seq` is followed here, not taken from the decoder (its counters are totals;
 * rules need where): DeviceClock lists each gap. A periodic type's own missing instances are inferred from
 * its arrival grid (its period: the last interval seen twice in a row with no frame lost) and bounded by the frames the seq
 * says were lost between its two arrivals, so a rate change is never mistaken for loss.
 */
import {
  MessageType,
  type Balancing,
  type CellVoltages,
  type Decoded,
  type FaultEvent,
  type Info,
  type PackStatus,
  type SimCellTruth,
  type SimTruth,
  type Temperatures,
  type TierLimits,
} from '../../protocol/messages.ts';
import { CELL_VOLTS_F32, CELSIUS_F32, CHUNK_HEADER_SIZE, chunkEntries } from '../../protocol/codec/arrays.ts';
import type { DirectSink } from '../../protocol/decoder.ts';
import type { ColumnBlock } from './block.ts';
import { type RangeColumns, RowRange, lateRange } from './ranges.ts';
import { DeviceClock, LATE_SEQ } from './clock.ts';
import { Present, Timeline } from './store.ts';

export { LATE_SEQ, LATE_WINDOW_MS } from './clock.ts';

/** An arrival interval this many times the type's period or more counts missing instances. */
const GAP_FACTOR = 1.5;

/**
 * Closed rows whose entries per family are kept, for a late chunk to complete: a power of two
 * above LATE_SEQ, as a late frame is at most LATE_SEQ frames (so rows) behind.
 */
const ROW_RING = 2 ** Math.ceil(Math.log2(LATE_SEQ + 1));
const ROW_MASK = ROW_RING - 1;
/** A family's place in `ringFilled`. */
const CELLS = 0;
const SENSORS = 1;
const TRUTH_CELLS = 2;

interface TypeTrack {
  last_ms: number;
  lastDelta_ms: number;
  period_ms: number;
  /** seqLost total at the last arrival. */
  lostAt: number;
}

export class SnapshotAssembler implements DirectSink {
  readonly timeline: Timeline;
  /** DirectSink: the per-cell and per-sensor arrays come straight from the wire (see `payload`). */
  readonly types: readonly number[] = [MessageType.CELL_VOLTAGES, MessageType.TEMPERATURES];
  /** Frames older than the current row that found no row of their own. */
  lateFrames = 0;
  private readonly clock: DeviceClock;
  private rowT_ms = NaN;
  private row = -1;
  private cellsFilled = 0;
  private sensorsFilled = 0;
  /** The current row's range of each family (timeline/ranges.ts), kept as its chunks arrive in order. */
  private readonly cellRange = new RowRange();
  private readonly sensorRange = new RowRange();
  private truthCellsFilled = 0;
  /** The row each slot (row & ROW_MASK) of `ringFilled` holds, -1 for none. */
  private readonly ringRow = new Int32Array(ROW_RING).fill(-1);
  /** Entries a closed row got per family (CELLS, SENSORS, TRUTH_CELLS), three per slot. */
  private readonly ringFilled = new Int32Array(3 * ROW_RING);
  /** Arrival grid per device → host type id (< 0x80). */
  private readonly tracks: (TypeTrack | undefined)[] = new Array<TypeTrack | undefined>(0x80).fill(undefined);

  constructor(timeline: Timeline = new Timeline()) {
    this.timeline = timeline;
    this.clock = new DeviceClock(timeline);
    timeline.keepRanges();
  }

  /** Frames lost per the sequence numbers (after the first frame). */
  get seqLost(): number {
    return this.clock.seqLost;
  }

  /** Store time (ms from the first frame) of a frame: DeviceClock.time, against the current row. */
  private time(t_ms: number, seq: number): number {
    return this.clock.time(t_ms, seq, this.rowT_ms);
  }

  /** A frame that passed the checks but was not delivered (keeps the seq tracking whole). */
  skip(seq: number, t_ms: number): void {
    this.time(t_ms, seq);
  }

  /** One decoded message (any direction; commands are ignored). */
  push(m: Decoded): void {
    const type = m.type;
    if (type >= 0x80) return;
    const t = this.time(m.t_ms, m.seq);
    const tl = this.timeline;
    tl.received.add(type);
    switch (type) {
      case MessageType.INFO:
        this.info(m as Decoded<Info>, t);
        return;
      case MessageType.EVENT: {
        const e = m as Decoded<FaultEvent>;
        tl.events.push({ t_s: t / 1000, seq: e.seq, code: e.code, tier: e.tier, raised: e.raised, index: e.index, value: e.value, threshold: e.threshold });
        return;
      }
      case MessageType.ACK:
      case MessageType.NACK: {
        const a = m as Decoded & { commandSeq: number; commandType: number; reason?: number };
        tl.answers.push({ t_s: t / 1000, ack: type === MessageType.ACK, commandSeq: a.commandSeq, commandType: a.commandType, reason: a.reason ?? 0 });
        return;
      }
      default:
        break;
    }
    const r = this.rowFor(t);
    if (r < 0) return;
    if (r === this.row) this.track(type, t);
    switch (type) {
      case MessageType.PACK_STATUS:
        this.status(m as Decoded<PackStatus>, r);
        break;
      case MessageType.CELL_VOLTAGES:
        this.cells(m as Decoded<CellVoltages>, r);
        break;
      case MessageType.TEMPERATURES:
        this.temperatures(m as Decoded<Temperatures>, r);
        break;
      case MessageType.BALANCING:
        this.balancing(m as Decoded<Balancing>, r);
        break;
      case MessageType.SIM_TRUTH:
        this.truth(m as Decoded<SimTruth>, r);
        break;
      case MessageType.SIM_CELL_TRUTH:
        this.cellTruth(m as Decoded<SimCellTruth>, r);
        break;
      default:
        break; // a device → host type this reader does not know: counted in `received` only
    }
  }

  /**
   * DirectSink: a CELL_VOLTAGES or TEMPERATURES payload at bytes[o..o+len) of a valid frame, read
   * into the store without a message in between (the same values `push` stores for the decoded
   * message: the codec's tables in float32). Returns 0, or the codec's TRUNCATED / BAD_VALUE.
   */
  payload(type: number, seq: number, t_ms: number, _bytes: Uint8Array, v: DataView, o: number, len: number): number {
    const n = chunkEntries(v, o, len, type);
    if (n < 0) return -n;
    const t = this.time(t_ms, seq);
    const tl = this.timeline;
    tl.received.add(type);
    const r = this.rowFor(t);
    if (r < 0) return 0;
    if (r === this.row) this.track(type, t);
    const offset = v.getUint16(o, true);
    if (type === MessageType.CELL_VOLTAGES) {
      tl.ensureCells(offset + n);
      this.cellsFilled += this.scatter(tl.cellBlock, CELL_VOLTS_F32, v, o + CHUNK_HEADER_SIZE, offset, n, r, this.cellRange, tl.ranges.cells);
    } else {
      tl.ensureSensors(offset + n);
      this.sensorsFilled += this.scatter(tl.temperatureBlock, CELSIUS_F32, v, o + CHUNK_HEADER_SIZE, offset, n, r, this.sensorRange, tl.ranges.temperatures);
    }
    return 0;
  }

  /**
   * n raw u16 entries at v[p..) into columns offset.. of row r, through `tab` (raw → float32
   * value); keeps the row's range. Returns the entries filled into the current row (0 for a late
   * frame into an earlier row).
   */
  private scatter(blk: ColumnBlock, tab: Float32Array, v: DataView, p: number, offset: number, n: number, r: number, rg: RowRange, rc: RangeColumns): number {
    const d = blk.data;
    const cap = blk.capacity;
    let q = offset * cap + r;
    if (r !== this.row) {
      for (let i = 0; i < n; i++, p += 2, q += cap) d[q] = tab[v.getUint16(p, true)]!;
      lateRange(rc, blk.columns, r);
      this.lateFill(rg === this.cellRange ? CELLS : SENSORS, r, n);
      return 0;
    }
    let min = rg.min;
    let max = rg.max;
    let count = 0;
    let i = 0;
    for (; i + 1 < n; i += 2, p += 4) {
      const w = v.getUint32(p, true);
      const x = tab[w & 0xffff]!;
      const y = tab[w >>> 16]!;
      d[q] = x;
      q += cap;
      d[q] = y;
      q += cap;
      if (x === x) {
        count++;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (y === y) {
        count++;
        if (y < min) min = y;
        if (y > max) max = y;
      }
    }
    if (i < n) {
      const x = tab[v.getUint16(p, true)]!;
      d[q] = x;
      if (x === x) {
        count++;
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
    rg.add(offset, n, min, max, count);
    return n;
  }

  /** The row of time t (ms), creating it when t is later than the current row; -1 for a late frame with no row. */
  private rowFor(t: number): number {
    const tl = this.timeline;
    if (this.row >= 0 && t === this.rowT_ms) return this.row;
    if (this.row < 0 || t > this.rowT_ms) {
      this.closeRow();
      this.row = tl.addRow(t / 1000);
      this.rowT_ms = t;
      this.cellsFilled = 0;
      this.sensorsFilled = 0;
      this.truthCellsFilled = 0;
      this.cellRange.reset();
      this.sensorRange.reset();
      return this.row;
    }
    const r = tl.rowAt(t / 1000);
    if (r < tl.length && tl.t_s[r] === t / 1000) return r;
    this.lateFrames++;
    return -1;
  }

  /** Arrival grid of a type (called on the first message of a type in a row). */
  private track(type: number, t: number): void {
    const k = this.tracks[type];
    if (k === undefined) {
      this.tracks[type] = { last_ms: t, lastDelta_ms: NaN, period_ms: NaN, lostAt: this.seqLost };
      return;
    }
    if (t === k.last_ms) return;
    const d = t - k.last_ms;
    if (k.period_ms > 0 && d >= GAP_FACTOR * k.period_ms) {
      const lost = this.seqLost - k.lostAt;
      const missing = Math.min(Math.round(d / k.period_ms) - 1, lost);
      if (missing > 0) {
        const tl = this.timeline;
        tl.typeGaps.push({ type, tPrev_s: k.last_ms / 1000, t_s: t / 1000, missing });
        tl.missingByType.set(type, (tl.missingByType.get(type) ?? 0) + missing);
      }
    }
    // the period is learnt from intervals with no frame lost (a loss stretches the interval)
    const clean = this.seqLost === k.lostAt;
    if (clean && Math.abs(d - k.lastDelta_ms) <= 1) k.period_ms = d;
    k.lastDelta_ms = clean ? d : NaN;
    k.last_ms = t;
    k.lostAt = this.seqLost;
  }

  /** Sets the completeness bits of the row being left. */
  private closeRow(): void {
    const r = this.row;
    if (r < 0) return;
    const tl = this.timeline;
    const info = tl.info;
    const ns = info?.cellVoltageSensors ?? tl.ns;
    const nt = info?.temperatureSensors ?? tl.nt;
    const cells = this.cellsFilled;
    const sensors = this.sensorsFilled;
    const truthCells = this.truthCellsFilled;
    if (cells > 0 && cells >= ns) tl.present[r]! |= Present.CELLS;
    if (sensors > 0 && sensors >= nt) tl.present[r]! |= Present.TEMPERATURES;
    if (truthCells > 0 && truthCells >= ns) tl.present[r]! |= Present.CELL_TRUTH;
    this.cellRange.close(tl.ranges.cells, tl.cellVoltage_V, r);
    this.sensorRange.close(tl.ranges.temperatures, tl.temperature_C, r);
    const k = r & ROW_MASK;
    this.ringRow[k] = r;
    this.ringFilled[3 * k + CELLS] = cells;
    this.ringFilled[3 * k + SENSORS] = sensors;
    this.ringFilled[3 * k + TRUTH_CELLS] = truthCells;
  }

  /**
   * A late chunk of `n` entries of a family into the closed row r: they count towards that row's
   * set, and the row gets the family's present bit once the set is whole, as closeRow would have
   * given it had the chunk come in order.
   */
  private lateFill(family: number, r: number, n: number): void {
    const k = r & ROW_MASK;
    if (this.ringRow[k] !== r) return;
    const filled = (this.ringFilled[3 * k + family]! += n);
    const tl = this.timeline;
    const want = family === SENSORS ? (tl.info?.temperatureSensors ?? tl.nt) : (tl.info?.cellVoltageSensors ?? tl.ns);
    if (filled < want) return;
    tl.present[r]! |= family === CELLS ? Present.CELLS : family === SENSORS ? Present.TEMPERATURES : Present.CELL_TRUTH;
  }

  /** Call at the end of the input: completes the last row. */
  finish(): void {
    this.closeRow();
    this.timeline.revision++;
  }

  /**
   * An INFO repeats (every 5 s from the emulator) and rarely changes: one that says what the last
   * one said shares its object (a day's 17 280 INFOs are one object, not 17 280 on the heap).
   */
  private info(m: Decoded<Info>, t: number): void {
    const tl = this.timeline;
    const last = tl.infos.length > 0 ? tl.infos[tl.infos.length - 1]!.info : null;
    const { seq: _seq, t_ms: _t, ...body } = m;
    const info = last !== null && sameInfo(last, body) ? last : { ...body, limits: structuredCloneLimits(m.limits) };
    tl.infos.push({ t_s: t / 1000, info });
    tl.ensureCells(m.cellVoltageSensors);
    tl.ensureSensors(m.temperatureSensors);
  }

  private status(m: Decoded<PackStatus>, r: number): void {
    const tl = this.timeline;
    const p = tl.pack;
    tl.present[r]! |= Present.STATUS;
    tl.state[r] = m.state;
    tl.contactors[r] = (m.mainPositiveClosed ? 1 : 0) | (m.mainNegativeClosed ? 2 : 0) | (m.prechargeClosed ? 4 : 0);
    tl.faultMask[r] = m.faultMask;
    tl.warningMask[r] = m.warningMask;
    tl.infoMask[r] = m.infoMask;
    p.packVoltage_V[r] = m.packVoltage_V;
    p.current_A[r] = m.current_A;
    p.soc[r] = m.soc;
    p.soh[r] = m.soh;
    p.cellVoltageMin_V[r] = m.cellVoltageMin_V;
    p.cellVoltageMax_V[r] = m.cellVoltageMax_V;
    p.cellVoltageMinIndex[r] = m.cellVoltageMinIndex < 0 ? NaN : m.cellVoltageMinIndex;
    p.cellVoltageMaxIndex[r] = m.cellVoltageMaxIndex < 0 ? NaN : m.cellVoltageMaxIndex;
    p.temperatureMin_C[r] = m.temperatureMin_C;
    p.temperatureMax_C[r] = m.temperatureMax_C;
    p.temperatureMinIndex[r] = m.temperatureMinIndex < 0 ? NaN : m.temperatureMinIndex;
    p.temperatureMaxIndex[r] = m.temperatureMaxIndex < 0 ? NaN : m.temperatureMaxIndex;
    p.chargeCurrentLimit_A[r] = m.chargeCurrentLimit_A;
    p.dischargeCurrentLimit_A[r] = m.dischargeCurrentLimit_A;
    p.balancingCount[r] = m.balancingCount;
  }

  private cells(m: Decoded<CellVoltages>, r: number): void {
    const tl = this.timeline;
    const v = m.voltages_V;
    const n = v.length;
    const o = m.offset;
    tl.ensureCells(o + n);
    const cols = tl.cellVoltage_V;
    if (r !== this.row) {
      // a late frame into an earlier row: that row's range from its columns
      for (let i = 0; i < n; i++) cols[o + i]![r] = v[i]!;
      lateRange(tl.ranges.cells, cols, r);
      this.lateFill(CELLS, r, n);
      return;
    }
    const rg = this.cellRange;
    let min = rg.min;
    let max = rg.max;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      cols[o + i]![r] = x;
      if (x !== x) continue;
      count++;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    rg.add(o, n, min, max, count);
    this.cellsFilled += n;
  }

  private temperatures(m: Decoded<Temperatures>, r: number): void {
    const tl = this.timeline;
    const v = m.temperatures_C;
    const n = v.length;
    const o = m.offset;
    tl.ensureSensors(o + n);
    const cols = tl.temperature_C;
    if (r !== this.row) {
      for (let i = 0; i < n; i++) cols[o + i]![r] = v[i]!;
      lateRange(tl.ranges.temperatures, cols, r);
      this.lateFill(SENSORS, r, n);
      return;
    }
    const rg = this.sensorRange;
    let min = rg.min;
    let max = rg.max;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      cols[o + i]![r] = x;
      if (x !== x) continue;
      count++;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    rg.add(o, n, min, max, count);
    this.sensorsFilled += n;
  }

  private balancing(m: Decoded<Balancing>, r: number): void {
    const tl = this.timeline;
    const a = m.active;
    tl.ensureBalancing();
    tl.ensureCells(m.offset + a.length);
    tl.present[r]! |= Present.BALANCING;
    for (let i = 0; i < a.length; i++) tl.balancing[m.offset + i]![r] = a[i]!;
  }

  private truth(m: Decoded<SimTruth>, r: number): void {
    const tl = this.timeline;
    tl.ensureTruth();
    const p = tl.pack;
    tl.present[r]! |= Present.TRUTH;
    p.truthSocMin[r] = m.socMin;
    p.truthSocAvg[r] = m.socAvg;
    p.truthSocMax[r] = m.socMax;
    p.truthCoreTemperatureMin_C[r] = m.coreTemperatureMin_C;
    p.truthCoreTemperatureAvg_C[r] = m.coreTemperatureAvg_C;
    p.truthCoreTemperatureMax_C[r] = m.coreTemperatureMax_C;
    p.truthCurrent_A[r] = m.current_A;
  }

  private cellTruth(m: Decoded<SimCellTruth>, r: number): void {
    const tl = this.timeline;
    const n = m.soc.length;
    tl.ensureTruthCells(m.offset + n);
    for (let i = 0; i < n; i++) {
      tl.truthCellSoc[m.offset + i]![r] = m.soc[i]!;
      tl.truthCellCoreTemperature_C[m.offset + i]![r] = m.coreTemperatures_C[i]!;
    }
    if (r === this.row) this.truthCellsFilled += n;
    else this.lateFill(TRUTH_CELLS, r, n); // a late frame counts towards its own row only
  }
}

/** Every field of `b` (limits tier by tier) as in `a`, and no other (for-in: no key arrays made). */
function sameInfo(a: Info, b: Info): boolean {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  let n = 0;
  for (const k in rb) {
    n++;
    if (k !== 'limits' && !Object.is(ra[k], rb[k])) return false;
  }
  for (const _ in ra) n--;
  if (n !== 0) return false;
  return sameTier(a.limits.mol, b.limits.mol) && sameTier(a.limits.rsl, b.limits.rsl) && sameTier(a.limits.msl, b.limits.msl);
}

function sameTier(a: TierLimits, b: TierLimits): boolean {
  const ra = a as unknown as Record<string, number>;
  const rb = b as unknown as Record<string, number>;
  for (const k in rb) if (!Object.is(ra[k], rb[k])) return false;
  return true;
}

function structuredCloneLimits(l: Info['limits']): Info['limits'] {
  return { mol: { ...l.mol }, rsl: { ...l.rsl }, msl: { ...l.msl } };
}
