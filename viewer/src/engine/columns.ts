/**
 * The viewer's series over a Timeline: every plotted line is a column of the store, or one
 * derived from it once (cell and sensor envelopes, state bits, the discharge limit on the
 * charging-positive axis), each with its message's `present` bit and that message's time gaps, and
 * a Pyramid built the first time a plot asks for it. Series ids:
 *
 *   pack.<PackChannel>       a pack-level column (analyzer/timeline/store.ts PACK_CHANNELS)
 *   limit.discharge          −dischargeCurrentLimit_A (current is positive when charging)
 *   cell.min|mean|max        the envelope over the series groups; cell.<i> one group (0-based)
 *   temp.min|mean|max        likewise over the temperature sensors; temp.<i> one sensor
 *   bal.<i>                  1 while group i bleeds, 0 when not
 *   state                    the BMS state value (protocol BmsState)
 *   contactor.<b>            bit b of the contactors byte (0 main+, 1 main−, 2 precharge)
 *   fault.<b>, warning.<b>   bit b of the fault / warning masks (bit n = FaultCode n)
 */
import { ABSENT, Present, type PackChannel, PACK_CHANNELS, type Timeline } from '../../../analyzer/timeline/store.ts';
import { type Column, Pyramid, type RowMask } from './pyramid.ts';

/** The viewer's tunables (viewer/config.json). */
export interface ViewerConfig {
  /** A message arriving more than gap_factor × its usual period after the previous one starts a gap. */
  gap_factor: number;
  /** Lowest stored pyramid level (buckets of 2^base_shift rows). */
  pyramid_base_shift: number;
  /** Rest for the OCV-derived SOC: |I| at most rest_c_rate × pack capacity, A. */
  rest_c_rate: number;
  /** Most chosen cells or sensors drawn as lines in one pane. */
  max_chosen: number;
  /** Hottest sensors named in the temperature pane. */
  hottest: number;
  /** Live mode: the page hands telemetry to the worker and redraws at most this often, ms. */
  live_redraw_ms: number;
  /** A capture is drawn after its first this many bytes are decoded, then again when all are, bytes. */
  first_paint_bytes: number;
  /**
   * A view change: the line panes wait at most this long after their data for the heatmaps' data,
   * so that all panes are drawn in one task and one frame (the heatmaps usually follow within a
   * few ms; a first paint, which builds their pyramids, draws the lines first), ms.
   */
  heat_join_ms: number;
}

const CONFIG_FIELDS: Record<keyof ViewerConfig, { min: number; integer: boolean }> = {
  gap_factor: { min: 1, integer: false },
  pyramid_base_shift: { min: 1, integer: true },
  rest_c_rate: { min: 0, integer: false },
  max_chosen: { min: 1, integer: true },
  hottest: { min: 0, integer: true },
  live_redraw_ms: { min: 1, integer: false },
  first_paint_bytes: { min: 65536, integer: true },
  heat_join_ms: { min: 0, integer: false },
};

/** Checks viewer/config.json: every field present, a number within bounds; throws `config.json: FIELD: PROBLEM`. */
export function parseViewerConfig(doc: unknown): ViewerConfig {
  const o = doc as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object') throw new TypeError('config.json: expected an object');
  for (const [k, rule] of Object.entries(CONFIG_FIELDS)) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`config.json: ${k}: expected a number, got ${JSON.stringify(v)}`);
    if (rule.integer && !Number.isInteger(v)) throw new TypeError(`config.json: ${k}: expected a whole number, got ${v}`);
    if (v < rule.min) throw new TypeError(`config.json: ${k}: must be >= ${rule.min}, got ${v}`);
  }
  for (const k of Object.keys(o)) if (!(k in CONFIG_FIELDS)) throw new TypeError(`config.json: ${k}: unknown field`);
  return o as unknown as ViewerConfig;
}

const PACK_SET = new Set<string>(PACK_CHANNELS);
const TRUTH_CHANNELS = new Set<string>(PACK_CHANNELS.filter((c) => c.startsWith('truth')));

/** Median spacing of the rows that carry `bit` (first 4096 intervals), s; NaN with fewer than two. */
export function medianPeriod(tl: Timeline, bit: number, sample = 4096): number {
  const d: number[] = [];
  let last = -1;
  for (let r = 0; r < tl.length && d.length < sample; r++) {
    if ((tl.present[r]! & bit) === 0) continue;
    if (last >= 0) d.push(tl.t_s[r]! - tl.t_s[last]!);
    last = r;
  }
  if (d.length === 0) return NaN;
  d.sort((a, b) => a - b);
  return d[d.length >> 1]!;
}

/**
 * Rows of a message that follow a gap longer than factor × its median period, or its first row
 * after a device restart (the axis goes on right after the last row, but the time the device was
 * down is unknown: Timeline.clockSteps): 1 there, else 0.
 */
export function gapBreaks(tl: Timeline, bit: number, factor: number): Uint8Array {
  const out = new Uint8Array(tl.length);
  const period = medianPeriod(tl, bit);
  const limit = period > 0 ? factor * period : Infinity;
  const steps = tl.clockSteps;
  let k = 0;
  let last = -1;
  for (let r = 0; r < tl.length; r++) {
    if ((tl.present[r]! & bit) === 0) continue;
    let restarted = false;
    for (; k < steps.length && steps[k]!.row <= r; k++) restarted = true;
    if (last >= 0 && (restarted || tl.t_s[r]! - tl.t_s[last]! > limit)) out[r] = 1;
    last = r;
  }
  return out;
}

/** A series' column and which message carries it. */
interface Source {
  column: Column;
  bit: number;
}

export class Columns {
  private readonly breaks = new Map<number, Uint8Array>();
  private readonly sources = new Map<string, Source | null>();
  private readonly pyramids = new Map<string, Pyramid>();

  constructor(
    readonly tl: Timeline,
    readonly config: ViewerConfig,
  ) {}

  get length(): number {
    return this.tl.length;
  }

  /** The break rows of a message (cached). */
  breaksOf(bit: number): Uint8Array {
    let b = this.breaks.get(bit);
    if (b === undefined) {
      b = gapBreaks(this.tl, bit, this.config.gap_factor);
      this.breaks.set(bit, b);
    }
    return b;
  }

  /** The column of a series id, null when the id is unknown or out of range. */
  source(id: string): Source | null {
    let s = this.sources.get(id);
    if (s === undefined) {
      s = this.derive(id);
      this.sources.set(id, s);
    }
    return s;
  }

  /** The series' pyramid (built on first use), null for an unknown id. */
  pyramid(id: string): Pyramid | null {
    let p = this.pyramids.get(id);
    if (p !== undefined) return p;
    const s = this.source(id);
    if (s === null) return null;
    const mask: RowMask = { present: this.tl.present, bit: s.bit, breaks: this.breaksOf(s.bit) };
    p = new Pyramid(s.column, this.tl.length, mask, this.config.pyramid_base_shift);
    this.pyramids.set(id, p);
    return p;
  }

  /** Bytes held by derived columns and pyramids. */
  get bytes(): number {
    let n = 0;
    for (const p of this.pyramids.values()) n += p.bytes;
    for (const [id, s] of this.sources) if (s && !id.startsWith('pack.') && !/^(cell|temp)\.\d+$/.test(id)) n += s.column.byteLength;
    for (const b of this.breaks.values()) n += b.byteLength;
    return n;
  }

  private derive(id: string): Source | null {
    const tl = this.tl;
    const n = tl.length;
    const [head, tail] = splitId(id);
    if (head === 'pack' && PACK_SET.has(tail)) {
      return { column: tl.pack[tail as PackChannel], bit: TRUTH_CHANNELS.has(tail) ? Present.TRUTH : Present.STATUS };
    }
    if (id === 'limit.discharge') {
      const src = tl.pack.dischargeCurrentLimit_A;
      const c = new Float64Array(n);
      for (let r = 0; r < n; r++) c[r] = -src[r]!;
      return { column: c, bit: Present.STATUS };
    }
    if (head === 'cell' || head === 'temp') {
      const cols = head === 'cell' ? tl.cellVoltage_V : tl.temperature_C;
      const bit = head === 'cell' ? Present.CELLS : Present.TEMPERATURES;
      if (tail === 'min' || tail === 'mean' || tail === 'max') {
        const env = envelope(cols, n);
        this.sources.set(`${head}.min`, { column: env.min, bit });
        this.sources.set(`${head}.mean`, { column: env.mean, bit });
        this.sources.set(`${head}.max`, { column: env.max, bit });
        return { column: env[tail], bit };
      }
      const i = index(tail, cols.length);
      return i < 0 ? null : { column: cols[i]!, bit };
    }
    if (head === 'bal') {
      const i = index(tail, tl.balancing.length);
      return i < 0 ? null : { column: bytesColumn(tl.balancing[i]!, n, 0xff), bit: Present.BALANCING };
    }
    if (id === 'state') return { column: bytesColumn(tl.state, n, 0xff), bit: Present.STATUS };
    if (head === 'contactor' || head === 'fault' || head === 'warning') {
      const b = index(tail, head === 'contactor' ? 3 : 32);
      if (b < 0) return null;
      const c = new Float32Array(n);
      if (head === 'contactor') for (let r = 0; r < n; r++) c[r] = tl.contactors[r] === ABSENT ? NaN : (tl.contactors[r]! >> b) & 1;
      else {
        const m = head === 'fault' ? tl.faultMask : tl.warningMask;
        for (let r = 0; r < n; r++) c[r] = (m[r]! >>> b) & 1;
      }
      return { column: c, bit: Present.STATUS };
    }
    return null;
  }

  /** Fault and warning bits set anywhere in the log. */
  maskBitsSet(): { fault: number; warning: number } {
    let fault = 0;
    let warning = 0;
    for (let r = 0; r < this.tl.length; r++) {
      fault |= this.tl.faultMask[r]!;
      warning |= this.tl.warningMask[r]!;
    }
    return { fault: fault >>> 0, warning: warning >>> 0 };
  }
}

function splitId(id: string): [string, string] {
  const dot = id.indexOf('.');
  return dot < 0 ? [id, ''] : [id.slice(0, dot), id.slice(dot + 1)];
}

function index(s: string, n: number): number {
  if (!/^\d+$/.test(s)) return -1;
  const i = Number(s);
  return i < n ? i : -1;
}

/** A byte column as Float32, `absent` → NaN. */
function bytesColumn(src: Uint8Array, n: number, absent: number): Float32Array {
  const c = new Float32Array(n);
  for (let r = 0; r < n; r++) c[r] = src[r] === absent ? NaN : src[r]!;
  return c;
}

/** Per-row min, mean and max over columns, ignoring NaN (NaN where every column is NaN). */
export function envelope(cols: readonly Float32Array[], n: number): { min: Float32Array; mean: Float32Array; max: Float32Array } {
  const min = new Float32Array(n).fill(Infinity);
  const max = new Float32Array(n).fill(-Infinity);
  const sum = new Float64Array(n);
  const cnt = new Uint16Array(n);
  for (const col of cols) {
    for (let r = 0; r < n; r++) {
      const v = col[r]!;
      if (v !== v) continue;
      if (v < min[r]!) min[r] = v;
      if (v > max[r]!) max[r] = v;
      sum[r] = sum[r]! + v;
      cnt[r] = cnt[r]! + 1;
    }
  }
  const mean = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    if (cnt[r] === 0) {
      min[r] = NaN;
      max[r] = NaN;
      mean[r] = NaN;
    } else mean[r] = sum[r]! / cnt[r]!;
  }
  return { min, mean, max };
}
