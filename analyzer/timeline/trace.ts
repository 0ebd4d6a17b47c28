/**
 * From a `natrium sim` CSV trace (format: sim/trace.ts) to a Timeline, the same store a capture
 * fills, so the checks run on simulations and on devices alike. Isomorphic: text in chunks of
 * any size (`push`; a line may be split across chunks), or bytes (`pushBytes`, UTF-8).
 *
 * One trace row is one Timeline row, on time relative to the first row:
 *   STATUS (every row)      current_A → pack.current_A, voltage_V → pack.packVoltage_V,
 *                           v_min_V / v_max_V → cellVoltageMin/Max_V, T_min_C / T_max_C →
 *                           temperatureMin/Max_C; with the BMS columns bms_state → state,
 *                           soc_est → pack.soc, charge_limit_A / discharge_limit_A →
 *                           charge/dischargeCurrentLimit_A, balancing_count → balancingCount.
 *                           Without them state stays ABSENT and pack.soc NaN.
 *   TRUTH (every row)       soc → truthSocAvg, soc_min / soc_max → truthSocMin/Max.
 *   CELLS, TEMPERATURES,    with `--cells all`: the trace's "sensors" are the series groups
 *   CELL_TRUTH              (cell i = g·np + p + 1): cellVoltage_V[g] is the mean of the group's
 *                           np cell voltages, truthCellSoc[g] the mean of their SOC, temperature_C[g]
 *                           the hottest of them (as SIM_CELL_TRUTH and the emulator's telemetry
 *                           see a group). The pack extremes (and their indices) are then taken
 *                           over the groups, the true SOC extremes over the cells.
 * np comes from the meta line; an old trace without one is read with np = 1 (each cell a group)
 * unless `np` is given. ambient_C is checked but kept nowhere (the store has no channel for it).
 * `received` counts the messages a device would have sent: one PACK_STATUS and one SIM_TRUTH
 * per row, and with `--cells all` one CELL_VOLTAGES, TEMPERATURES and SIM_CELL_TRUTH.
 *
 * Errors: a malformed trace throws TraceError `line N: column NAME: problem` (a bad meta line or
 * header, a row with the wrong number of fields, a field that is not a number or not a state
 * name, a time that does not advance). Values may be NaN or ±Infinity (the writer prints those
 * tokens); time_s must be finite. Blank lines and `#` comment lines are skipped. A last line
 * without a line end is taken if it has all its fields, else dropped (`droppedLastLine`).
 */
import { BmsState, MessageType } from '../../protocol/messages.ts';
import { TRACE_META_PREFIX, type TraceLayout, type TraceMeta, parseTraceHeader, parseTraceMeta } from '../../sim/trace.ts';
import { type ByteSource, chunksOf } from './ingest.ts';
import { Present, Timeline } from './store.ts';

/** A malformed trace: `line N: column NAME: problem`. */
export class TraceError extends Error {
  /** Discriminator: the input is malformed (not an I/O failure). */
  readonly malformed = true;
  constructor(
    /** 1-based line of the input. */
    readonly line: number,
    /** The column's name in the header (a meta key as `meta.KEY`). */
    readonly column: string,
    readonly problem: string,
  ) {
    super(`line ${line}: column ${column}: ${problem}`);
    this.name = 'TraceError';
  }
}

export interface TraceReaderOptions {
  /**
   * Cells in parallel per series group, for a `--cells all` trace without a meta line (default
   * 1); a meta line's np wins.
   */
  np?: number;
}

const STATES: ReadonlyMap<string, number> = new Map(Object.entries(BmsState));
const STATE_LIST = Object.keys(BmsState).join(', ');

/** Parses text (or UTF-8 bytes) of a trace into a Timeline; see the file comment. */
export class TraceReader {
  readonly timeline = new Timeline();
  /** The meta line, or null (an old trace, or not read yet). */
  meta: TraceMeta | null = null;
  /** The header's layout, null until the header is read. */
  layout: TraceLayout | null = null;
  /** Data rows taken. */
  rows = 0;
  /** Characters pushed (`push`) and bytes pushed (`pushBytes`). */
  chars = 0;
  bytes = 0;
  /** The input ended in a line without a line end and with fields missing: it was not taken. */
  droppedLastLine = false;

  private readonly npOption: number;
  private np = 1;
  /** Series groups of a --cells all trace (0 for min-max). */
  private ns = 0;
  private header: string[] = [];
  private pending = '';
  private lineNo = 0;
  private started = false;
  private finished = false;
  private error: TraceError | null = null;
  private decoder: TextDecoder | null = null;
  private t0 = NaN;
  private tPrev = NaN;
  private cellsOf = 0;
  /** Per-row scratch for --cells all (group sums). */
  private gv = new Float64Array(0);
  private gz = new Float64Array(0);
  private gT = new Float64Array(0);

  constructor(options: TraceReaderOptions = {}) {
    const np = options.np ?? 1;
    if (!Number.isInteger(np) || np < 1) throw new TypeError(`"np" must be a whole number >= 1, got ${np}`);
    this.npOption = np;
  }

  /** A chunk of the trace's text (any size; lines may be split across chunks). */
  push(text: string): void {
    this.check();
    this.chars += text.length;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark
    }
    let from: number;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.pending += text;
      return;
    }
    try {
      let line = this.pending + text.slice(0, nl);
      this.pending = '';
      for (;;) {
        this.line(line);
        from = nl + 1;
        nl = text.indexOf('\n', from);
        if (nl < 0) break;
        line = text.slice(from, nl);
      }
      this.pending = text.slice(from);
    } catch (e) {
      if (e instanceof TraceError) this.error = e;
      throw e;
    } finally {
      this.count();
    }
  }

  /** A chunk of the trace's bytes (UTF-8; a character may be split across chunks). */
  pushBytes(chunk: Uint8Array): void {
    this.check();
    this.bytes += chunk.length;
    this.decoder ??= new TextDecoder('utf-8');
    this.push(this.decoder.decode(chunk, { stream: true }));
  }

  /**
   * End of input: a last line without a line end is taken if it has all its fields. Throws
   * TraceError when the input had no header. Idempotent.
   */
  finish(): Timeline {
    if (this.error) throw this.error;
    if (this.finished) return this.timeline;
    try {
      if (this.decoder) {
        const rest = this.decoder.decode();
        if (rest.length > 0) this.push(rest);
      }
      this.finished = true;
      const last = this.pending;
      this.pending = '';
      if (last.length > 0) {
        const text = last.endsWith('\r') ? last.slice(0, -1) : last;
        if (this.layout !== null && !isSkipped(text) && text.split(',').length < this.header.length) {
          this.lineNo++;
          this.droppedLastLine = true;
        } else {
          this.line(last);
        }
      }
      if (this.layout === null) {
        throw new TraceError(
          Math.max(1, this.lineNo),
          'time_s',
          this.lineNo === 0 ? 'empty input: no header' : 'no header (expected a line starting "time_s,")',
        );
      }
    } catch (e) {
      if (e instanceof TraceError) this.error = e;
      throw e;
    } finally {
      this.count();
    }
    return this.timeline;
  }

  private check(): void {
    if (this.error) throw this.error;
    if (this.finished) throw new TypeError('TraceReader: push after finish()');
  }

  /** One complete line (without its '\n'). */
  private line(raw: string): void {
    this.lineNo++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.layout === null) {
      if (text.startsWith(TRACE_META_PREFIX)) return this.metaLine(text);
      if (isSkipped(text)) return;
      return this.headerLine(text);
    }
    if (isSkipped(text)) return;
    this.row(text);
  }

  private metaLine(text: string): void {
    if (this.meta !== null) throw new TraceError(this.lineNo, 'meta', 'a second meta line before the header');
    const r = parseTraceMeta(text);
    if (!r.ok) throw new TraceError(this.lineNo, r.field, r.problem);
    this.meta = r.meta;
  }

  private headerLine(text: string): void {
    const cols = text.split(',');
    const r = parseTraceHeader(cols);
    if (!r.ok) throw new TraceError(this.lineNo, r.field, r.problem);
    const layout = r.layout;
    const meta = this.meta;
    if (meta !== null) {
      if (meta.cells !== layout.cells) {
        throw new TraceError(
          this.lineNo,
          cols[5] ?? 'v_min_V',
          `the meta line says cells "${meta.cells}", the header has ${layout.cells === 'all' ? 'every cell' : 'the min-max columns'}`,
        );
      }
      if (meta.bms !== layout.bms) {
        throw new TraceError(this.lineNo, 'bms_state', `the meta line says bms ${meta.bms}, the header ${layout.bms ? 'has' : 'lacks'} the BMS columns`);
      }
      if (layout.cells === 'all' && layout.n !== meta.ns * meta.np) {
        throw new TraceError(this.lineNo, `v${layout.n}_V`, `${layout.n} cells, the meta line says ns ${meta.ns} × np ${meta.np} = ${meta.ns * meta.np}`);
      }
    }
    this.np = meta?.np ?? this.npOption;
    if (layout.cells === 'all') {
      if (layout.n % this.np !== 0) throw new TraceError(this.lineNo, `v${layout.n}_V`, `${layout.n} cells are not whole groups of np = ${this.np}`);
      this.ns = layout.n / this.np;
      const tl = this.timeline;
      tl.ensureCells(this.ns);
      tl.ensureSensors(this.ns);
      tl.ensureTruthCells(this.ns);
      this.gv = new Float64Array(this.ns);
      this.gz = new Float64Array(this.ns);
      this.gT = new Float64Array(this.ns);
    }
    this.header = cols;
    this.layout = layout;
  }

  private row(text: string): void {
    const layout = this.layout!;
    const cols = this.header;
    const f = text.split(',');
    if (f.length !== cols.length) {
      const name = f.length < cols.length ? cols[f.length]! : cols[cols.length - 1]!;
      throw new TraceError(this.lineNo, name, `expected ${cols.length} fields, got ${f.length}`);
    }
    const ln = this.lineNo;
    const t = num(f[0]!, ln, 'time_s');
    if (!Number.isFinite(t)) throw new TraceError(ln, 'time_s', `expected a finite time, got "${f[0]}"`);
    if (this.rows === 0) this.t0 = t;
    else if (!(t > this.tPrev)) {
      throw new TraceError(ln, 'time_s', `time ${f[0]} s ${t === this.tPrev ? 'repeats' : 'goes back from'} the previous row's ${this.tPrev} s`);
    }
    this.tPrev = t;
    // the row is filled at index `length` and appended once every field has parsed
    const tl = this.timeline;
    const r = tl.length;
    tl.reserve(r + 1);
    tl.ensureTruth(); // every row has SIM truth (TRUTH)
    const p = tl.pack;
    p.current_A[r] = num(f[1]!, ln, 'current_A');
    p.packVoltage_V[r] = num(f[2]!, ln, 'voltage_V');
    num(f[3]!, ln, 'ambient_C');
    p.truthSocAvg[r] = num(f[4]!, ln, 'soc');
    let present: number = Present.STATUS | Present.TRUTH;
    if (layout.cells === 'min-max') {
      p.cellVoltageMin_V[r] = num(f[5]!, ln, 'v_min_V');
      p.cellVoltageMax_V[r] = num(f[6]!, ln, 'v_max_V');
      p.truthSocMin[r] = num(f[7]!, ln, 'soc_min');
      p.truthSocMax[r] = num(f[8]!, ln, 'soc_max');
      p.temperatureMin_C[r] = num(f[9]!, ln, 'T_min_C');
      p.temperatureMax_C[r] = num(f[10]!, ln, 'T_max_C');
    } else {
      this.cells(f, r);
      present |= Present.CELLS | Present.TEMPERATURES | Present.CELL_TRUTH;
    }
    if (layout.bms) {
      const b = layout.bmsAt;
      const s = STATES.get(f[b]!);
      if (s === undefined) throw new TraceError(ln, 'bms_state', `unknown state "${clip(f[b]!)}" (expected one of ${STATE_LIST})`);
      tl.state[r] = s;
      p.soc[r] = num(f[b + 1]!, ln, 'soc_est');
      p.chargeCurrentLimit_A[r] = num(f[b + 2]!, ln, 'charge_limit_A');
      p.dischargeCurrentLimit_A[r] = num(f[b + 3]!, ln, 'discharge_limit_A');
      const n = num(f[b + 4]!, ln, 'balancing_count');
      if (!(Number.isInteger(n) && n >= 0)) throw new TraceError(ln, 'balancing_count', `expected a whole number >= 0, got "${clip(f[b + 4]!)}"`);
      p.balancingCount[r] = n;
    }
    tl.present[r] = present;
    tl.addRow(t - this.t0);
    this.rows++;
    this.cellsOf += layout.cells === 'all' ? 1 : 0;
  }

  /** --cells all: per-group means (voltage, SOC) and maxima (temperature), and the extremes. */
  private cells(f: string[], r: number): void {
    const ln = this.lineNo;
    const tl = this.timeline;
    const p = tl.pack;
    const n = this.layout!.n;
    const np = this.np;
    const ns = this.ns;
    const cols = this.header;
    const gv = this.gv.fill(0);
    const gz = this.gz.fill(0);
    const gT = this.gT.fill(-Infinity);
    let zMin = Infinity;
    let zMax = -Infinity;
    for (let i = 0; i < n; i++) {
      const g = (i / np) | 0;
      const v = num(f[5 + i]!, ln, cols[5 + i]!);
      const z = num(f[5 + n + i]!, ln, cols[5 + n + i]!);
      const T = num(f[5 + 2 * n + i]!, ln, cols[5 + 2 * n + i]!);
      gv[g]! += v;
      gz[g]! += z;
      if (T > gT[g]! || Number.isNaN(T)) gT[g] = T;
      if (z < zMin) zMin = z;
      if (z > zMax) zMax = z;
    }
    let vMin = Infinity,
      vMax = -Infinity,
      tMin = Infinity,
      tMax = -Infinity;
    let vMinI = -1,
      vMaxI = -1,
      tMinI = -1,
      tMaxI = -1;
    for (let g = 0; g < ns; g++) {
      const v = gv[g]! / np;
      const z = gz[g]! / np;
      const T = gT[g]!;
      tl.cellVoltage_V[g]![r] = v;
      tl.truthCellSoc[g]![r] = z;
      tl.temperature_C[g]![r] = T;
      if (v < vMin) {
        vMin = v;
        vMinI = g;
      }
      if (v > vMax) {
        vMax = v;
        vMaxI = g;
      }
      if (T < tMin) {
        tMin = T;
        tMinI = g;
      }
      if (T > tMax) {
        tMax = T;
        tMaxI = g;
      }
    }
    p.cellVoltageMin_V[r] = vMinI < 0 ? NaN : vMin;
    p.cellVoltageMax_V[r] = vMaxI < 0 ? NaN : vMax;
    p.cellVoltageMinIndex[r] = vMinI < 0 ? NaN : vMinI;
    p.cellVoltageMaxIndex[r] = vMaxI < 0 ? NaN : vMaxI;
    p.temperatureMin_C[r] = tMinI < 0 ? NaN : tMin;
    p.temperatureMax_C[r] = tMaxI < 0 ? NaN : tMax;
    p.temperatureMinIndex[r] = tMinI < 0 ? NaN : tMinI;
    p.temperatureMaxIndex[r] = tMaxI < 0 ? NaN : tMaxI;
    p.truthSocMin[r] = zMin === Infinity ? NaN : zMin;
    p.truthSocMax[r] = zMax === -Infinity ? NaN : zMax;
  }

  /** `received`: the messages a device would have sent for the rows so far. */
  private count(): void {
    const rec = this.timeline.received;
    const set = (type: number, n: number) => {
      if (n > 0) rec.set(type, n);
    };
    set(MessageType.PACK_STATUS, this.rows);
    set(MessageType.SIM_TRUTH, this.rows);
    set(MessageType.CELL_VOLTAGES, this.cellsOf);
    set(MessageType.TEMPERATURES, this.cellsOf);
    set(MessageType.SIM_CELL_TRUTH, this.cellsOf);
  }
}

/** A blank line or a `#` comment. */
function isSkipped(text: string): boolean {
  return text.length === 0 || text.charCodeAt(0) === 0x23 /* # */ || text.trim().length === 0;
}

/**
 * A field as a number: a plain decimal (sign, digits, point, exponent) or one of the tokens
 * NaN, Infinity, -Infinity the writer prints for values it could not compute.
 */
function num(s: string, line: number, column: string): number {
  const n = s.length;
  let ok = n > 0;
  for (let i = 0; ok && i < n; i++) {
    const c = s.charCodeAt(i);
    // 0-9 . + - e E
    ok = (c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69;
  }
  if (ok) {
    const x = Number(s);
    if (!Number.isNaN(x)) return x;
  } else if (s === 'NaN') return NaN;
  else if (s === 'Infinity') return Infinity;
  else if (s === '-Infinity') return -Infinity;
  throw new TraceError(line, column, `expected a number, got "${clip(s)}"`);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const TRACE_PREFIXES = [TRACE_META_PREFIX, 'time_s,'];

/** Bytes `notCaptureHint` looks at (a reader keeps this many of its input's first for it). */
export const HINT_BYTES = 512;

/**
 * Why bytes that hold no natrium frame are not an input, for the error that says so: a text file
 * (another tool's CSV export, a log) is "text, not a natrium trace" with its first line, which is
 * what a user who hands over their own BMS tool's CSV needs to see; anything else is `other`
 * (e.g. "not a capture or a natrium trace?").
 */
export function notCaptureHint(head: Uint8Array, other: string): string {
  const n = Math.min(head.length, HINT_BYTES);
  let text = n > 0;
  for (let i = 0; i < n && text; i++) {
    const c = head[i]!;
    text = c >= 0x20 ? c !== 0x7f : c === 0x09 || c === 0x0a || c === 0x0d;
  }
  if (!text) return other;
  const lines = new TextDecoder('utf-8')
    .decode(head.subarray(0, n))
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  const first = lines.find((l) => l.trim() !== '') ?? '';
  return `text, not a natrium trace: its first line is "${clip(first)}" where a trace's starts with "${TRACE_META_PREFIX}" or "time_s,"`;
}

/**
 * True when bytes or text look like a trace rather than a capture: the first non-blank line
 * starts with `# natrium-trace/` or `time_s,` (a byte order mark and blank lines before it are
 * skipped). A few hundred bytes from the start of the file are enough.
 */
export function looksLikeTrace(head: Uint8Array | string): boolean {
  const at = (i: number): number => (typeof head === 'string' ? head.charCodeAt(i) : head[i]!);
  const n = head.length;
  let start = 0;
  if (typeof head === 'string' ? at(0) === 0xfeff : n >= 3 && at(0) === 0xef && at(1) === 0xbb && at(2) === 0xbf) {
    start = typeof head === 'string' ? 1 : 3;
  }
  let i = start;
  // blank lines: spaces, tabs, CR, LF
  while (i < n) {
    const c = at(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
    i++;
  }
  // a blank line ends in LF; back up to the start of the first non-blank line
  let s = i;
  while (s > start && at(s - 1) !== 0x0a) s--;
  return TRACE_PREFIXES.some((pre) => {
    if (n - s < pre.length) return false;
    for (let k = 0; k < pre.length; k++) if (at(s + k) !== pre.charCodeAt(k)) return false;
    return true;
  });
}

/** Reads a whole trace text into a Timeline. */
export function traceFromText(text: string, options?: TraceReaderOptions): TraceReader {
  const reader = new TraceReader(options);
  reader.push(text);
  reader.finish();
  return reader;
}

/** Reads a whole stream of trace bytes (UTF-8) into a Timeline. */
export async function traceFromStream(source: ByteSource, options?: TraceReaderOptions, onChunk?: (bytes: number) => void): Promise<TraceReader> {
  const reader = new TraceReader(options);
  for await (const c of chunksOf(source)) {
    reader.pushBytes(c);
    onChunk?.(reader.bytes);
  }
  reader.finish();
  return reader;
}
