/**
 * The three exceedance scans (cell voltage, temperature, pack current), each one pass over its
 * columns, memoised per analysis (per RuleContext) so that the envelope check that reports them
 * and reaction.limits that judges the BMS's reaction to them share one pass and one result.
 *
 * A scan's episode rules (minimum duration, merge window, largest gap) are the envelope check's
 * profile keys. Each row is judged by the limits in force at it (limitEpochs: a capture whose
 * INFOs change their limits part-way is judged by each set where it held); an episode that runs
 * across a change of limits stays one episode, each of its samples judged by its own row's set.
 * Not evaluable (a string: the reason) without INFO limits or without the data.
 */
import { MessageType } from '../../../../protocol/messages.ts';
import type { Threshold } from '../../../findings.ts';
import { candidateRows, rowRanges } from '../../../timeline/ranges.ts';
import { Present, type Timeline } from '../../../timeline/store.ts';
import type { RuleContext } from '../../rule.ts';
import { type Bands, type Episode, EpisodeTracker, scanRange32, scanRange64 } from './episodes.ts';
import { type LimitEpoch, bandsOf, chargingSegments, chargingThreshold, currentBands, epochRows, limitEpochs, periodOf, rowsWith } from './limits.ts';

export type Quantity = 'cell_voltage' | 'temperature' | 'current';

export interface ColumnScan {
  quantity: Quantity;
  episodes: Episode[];
  /** Per row: the highest level of any column above (below) the limits. */
  overRows: Uint8Array;
  underRows: Uint8Array;
  period_s: number;
  /** Time with the data present, s. */
  operating_s: number;
  /** What was scanned: every cell / sensor column, or PACK_STATUS's min and max (per-column data absent). */
  source: 'columns' | 'pack';
  columns: number;
  /** Where each set of limits was in force (at least one). */
  epochs: LimitEpoch[];
  /**
   * Bands by scan tag (an episode's `levelTag`): the tag is the epoch, and for the temperature
   * scan 2 × epoch + 1 where the charge limits applied, 2 × epoch for the discharge limits.
   */
  tagBands: Bands[];
  /** Temperature only: the charging threshold. */
  charging: Threshold | null;
  /** Temperature only: segments of constant charging flag (see chargingSegments). */
  segments: { starts: number[]; flags: number[] } | null;
}

/** The epoch of a scan tag (ColumnScan.tagBands). */
export function epochOfTag(scan: ColumnScan, tag: number): number {
  return scan.quantity === 'temperature' ? tag >> 1 : tag;
}

/** Whether a tag of the temperature scan stands for the charge limits (false for the others). */
export function chargeTag(scan: ColumnScan, tag: number): boolean {
  return scan.quantity === 'temperature' && (tag & 1) === 1;
}

/** The loosest of the epochs' MOL bands: a sample inside them is inside every epoch's. */
function widest(bands: readonly Bands[]): { lo1: number; hi1: number } {
  let lo1 = -Infinity;
  let hi1 = Infinity;
  for (const b of bands) {
    lo1 = Math.max(lo1, b.lo1);
    hi1 = Math.min(hi1, b.hi1);
  }
  return { lo1, hi1 };
}

const memo = new WeakMap<RuleContext, Map<string, ColumnScan | string>>();

function cached(ctx: RuleContext, key: string, make: () => ColumnScan | string): ColumnScan | string {
  let m = memo.get(ctx);
  if (m === undefined) {
    m = new Map();
    memo.set(ctx, m);
  }
  let v = m.get(key);
  if (v === undefined) {
    v = make();
    m.set(key, v);
  }
  return v;
}

interface EpisodeRules {
  minDuration_s: number;
  merge_s: number;
  maxGap_s: number;
}

function rulesOf(ctx: RuleContext, check: string): EpisodeRules {
  const p = ctx.profile;
  return { minDuration_s: p.num(`${check}.min_duration_s`), merge_s: p.num(`${check}.merge_s`), maxGap_s: p.num(`${check}.max_gap_s`) };
}

function trackers(e: EpisodeRules, period_s: number, out: Episode[]): [EpisodeTracker, EpisodeTracker] {
  return [
    new EpisodeTracker('over', e.minDuration_s, e.merge_s, e.maxGap_s, period_s, out),
    new EpisodeTracker('under', e.minDuration_s, e.merge_s, e.maxGap_s, period_s, out),
  ];
}

function byTime(a: Episode, b: Episode): number {
  return a.t_start_s - b.t_start_s || a.index - b.index;
}

function hasData(tl: Timeline, type: number, columns: number): boolean {
  return columns > 0 && (tl.received.get(type) ?? 0) > 0;
}

/** Every cell's voltage against the voltage tiers (PACK_STATUS min/max when no CELL_VOLTAGES). */
export function cellVoltageScan(ctx: RuleContext): ColumnScan | string {
  return cached(ctx, 'cell_voltage', () => {
    const { tl } = ctx;
    const epochs = limitEpochs(ctx);
    if (epochs.length === 0) return 'no tiered limits: the input has no INFO';
    const perCell = hasData(tl, MessageType.CELL_VOLTAGES, tl.ns);
    if (!perCell && rowsWith(tl, Present.STATUS) === 0) return 'no cell voltages: neither CELL_VOLTAGES nor PACK_STATUS received';
    const tagBands = epochs.map((e) => bandsOf(e.limits, 'cellVoltageMax_V', 'cellVoltageMin_V'));
    const bit = perCell ? Present.CELLS : Present.STATUS;
    const period_s = periodOf(tl, bit);
    const n = tl.length;
    const overRows = new Uint8Array(n);
    const underRows = new Uint8Array(n);
    const episodes: Episode[] = [];
    const [over, under] = trackers(rulesOf(ctx, 'envelope.cell_voltage'), period_s, episodes);
    if (perCell) {
      const w = widest(tagBands);
      const cand = candidateRows(rowRanges(tl, 'cells'), w.lo1, w.hi1);
      for (let i = 0; i < tl.ns; i++) {
        over.begin(i);
        under.begin(i);
        for (let e = 0; e < epochs.length; e++) {
          const [r0, r1] = epochRows(epochs, e, n);
          scanRange32(tl.cellVoltage_V[i]!, tl.t_s, r0, r1, tagBands[e]!, e, over, under, overRows, underRows, cand);
        }
      }
    } else {
      // PACK_STATUS's highest cell against the maxima, its lowest against the minima
      over.begin(-1);
      under.begin(-1);
      for (let e = 0; e < epochs.length; e++) {
        const [r0, r1] = epochRows(epochs, e, n);
        const b = { ...tagBands[e]!, lo1: -Infinity, lo2: -Infinity, lo3: -Infinity };
        scanRange64(tl.pack.cellVoltageMax_V, tl.t_s, r0, r1, b, e, over, under, overRows, underRows, null);
      }
      over.begin(-1);
      under.begin(-1);
      for (let e = 0; e < epochs.length; e++) {
        const [r0, r1] = epochRows(epochs, e, n);
        const b = { ...tagBands[e]!, hi1: Infinity, hi2: Infinity, hi3: Infinity };
        scanRange64(tl.pack.cellVoltageMin_V, tl.t_s, r0, r1, b, e, over, under, overRows, underRows, null);
      }
    }
    over.finish();
    under.finish();
    episodes.sort(byTime);
    const present = rowsWith(tl, bit) || rowsWith(tl, Present.STATUS);
    return {
      quantity: 'cell_voltage',
      episodes,
      overRows,
      underRows,
      period_s,
      operating_s: present * period_s,
      source: perCell ? 'columns' : 'pack',
      columns: perCell ? tl.ns : 0,
      epochs,
      tagBands,
      charging: null,
      segments: null,
    };
  });
}

/**
 * Every sensor's temperature against the tiers: the charge limits on rows where the pack is
 * charging (current above the charging threshold), the discharge limits elsewhere (tag 2e + 1 /
 * 2e in epoch e).
 */
export function temperatureScan(ctx: RuleContext): ColumnScan | string {
  return cached(ctx, 'temperature', () => {
    const { tl } = ctx;
    const epochs = limitEpochs(ctx);
    if (epochs.length === 0) return 'no tiered limits: the input has no INFO';
    const perSensor = hasData(tl, MessageType.TEMPERATURES, tl.nt);
    if (!perSensor && rowsWith(tl, Present.STATUS) === 0) return 'no temperatures: neither TEMPERATURES nor PACK_STATUS received';
    const charging = chargingThreshold(ctx, 'envelope.temperature');
    const tagBands: Bands[] = [];
    for (const e of epochs) {
      tagBands.push(bandsOf(e.limits, 'dischargeTemperatureMax_C', 'dischargeTemperatureMin_C'));
      tagBands.push(bandsOf(e.limits, 'chargeTemperatureMax_C', 'chargeTemperatureMin_C'));
    }
    const bit = perSensor ? Present.TEMPERATURES : Present.STATUS;
    const period_s = periodOf(tl, bit);
    const n = tl.length;
    const overRows = new Uint8Array(n);
    const underRows = new Uint8Array(n);
    const episodes: Episode[] = [];
    const [over, under] = trackers(rulesOf(ctx, 'envelope.temperature'), period_s, episodes);
    const seg = chargingSegments(tl, charging.value ?? 0);
    // the pieces of rows with one tag: the charging segments cut at the epochs' starts
    const starts: number[] = [];
    const tags: number[] = [];
    for (let s = 0, e = 0; s < seg.starts.length; s++) {
      const s1 = s + 1 < seg.starts.length ? seg.starts[s + 1]! : n;
      for (let r = seg.starts[s]!; r < s1;) {
        while (e + 1 < epochs.length && epochs[e + 1]!.r0 <= r) e++;
        starts.push(r);
        tags.push(2 * e + seg.flags[s]!);
        r = e + 1 < epochs.length ? Math.min(s1, epochs[e + 1]!.r0) : s1;
      }
    }
    // the rows where a sensor may be beyond the MOL limits of any set
    const w = widest(tagBands);
    const cand = perSensor ? candidateRows(rowRanges(tl, 'temperatures'), w.lo1, w.hi1) : null;
    const scanColumn = (col: Float32Array | Float64Array, index: number, keepHi: boolean, keepLo: boolean): void => {
      const only = (b: Bands): Bands => ({
        hi1: keepHi ? b.hi1 : Infinity,
        hi2: keepHi ? b.hi2 : Infinity,
        hi3: keepHi ? b.hi3 : Infinity,
        lo1: keepLo ? b.lo1 : -Infinity,
        lo2: keepLo ? b.lo2 : -Infinity,
        lo3: keepLo ? b.lo3 : -Infinity,
      });
      const byTag = tagBands.map(only);
      const scan = col instanceof Float32Array ? scanRange32 : scanRange64;
      over.begin(index);
      under.begin(index);
      const k = starts.length;
      for (let p = 0; p < k; p++) {
        const tag = tags[p]!;
        scan(col, tl.t_s, starts[p]!, p + 1 < k ? starts[p + 1]! : n, byTag[tag]!, tag, over, under, overRows, underRows, cand);
      }
    };
    if (perSensor) {
      for (let j = 0; j < tl.nt; j++) scanColumn(tl.temperature_C[j]!, j, true, true);
    } else {
      scanColumn(tl.pack.temperatureMax_C, -1, true, false);
      scanColumn(tl.pack.temperatureMin_C, -1, false, true);
    }
    over.finish();
    under.finish();
    episodes.sort(byTime);
    const present = rowsWith(tl, bit) || rowsWith(tl, Present.STATUS);
    return {
      quantity: 'temperature',
      episodes,
      overRows,
      underRows,
      period_s,
      operating_s: present * period_s,
      source: perSensor ? 'columns' : 'pack',
      columns: perSensor ? tl.nt : 0,
      epochs,
      tagBands,
      charging,
      segments: seg,
    };
  });
}

/** The pack current against the charge (I > 0) and discharge (I < 0) current tiers. */
export function currentScan(ctx: RuleContext): ColumnScan | string {
  return cached(ctx, 'current', () => {
    const { tl } = ctx;
    const epochs = limitEpochs(ctx);
    if (epochs.length === 0) return 'no tiered limits: the input has no INFO';
    const present = rowsWith(tl, Present.STATUS);
    if (present === 0) return 'no pack current: no PACK_STATUS received';
    const tagBands = epochs.map((e) => currentBands(e.limits));
    const period_s = periodOf(tl, Present.STATUS);
    const n = tl.length;
    const overRows = new Uint8Array(n);
    const underRows = new Uint8Array(n);
    const episodes: Episode[] = [];
    const [over, under] = trackers(rulesOf(ctx, 'envelope.current'), period_s, episodes);
    over.begin(-1);
    under.begin(-1);
    for (let e = 0; e < epochs.length; e++) {
      const [r0, r1] = epochRows(epochs, e, n);
      scanRange64(tl.pack.current_A, tl.t_s, r0, r1, tagBands[e]!, e, over, under, overRows, underRows, null);
    }
    over.finish();
    under.finish();
    episodes.sort(byTime);
    return {
      quantity: 'current',
      episodes,
      overRows,
      underRows,
      period_s,
      operating_s: present * period_s,
      source: 'pack',
      columns: 1,
      epochs,
      tagBands,
      charging: null,
      segments: null,
    };
  });
}
