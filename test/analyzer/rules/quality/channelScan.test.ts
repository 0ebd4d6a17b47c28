/**
 * The shared column scan (analyzer/rules/quality/internal/channelScan.ts) against a plain
 * row-by-row reading of its definition: reading only every stride-th row for identical runs and
 * only the rows the row ranges single out for NA and out-of-range runs must change nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtInProfile } from '../../../../analyzer/profile.ts';
import { type ChannelRun, channelScan } from '../../../../analyzer/rules/quality/internal/channelScan.ts';
import { gapsOf, splitAtGaps } from '../../../../analyzer/rules/quality/internal/gaps.ts';
import { Present, Timeline } from '../../../../analyzer/timeline/store.ts';

const LO = 0;
const HI = 5;
const MIN_IDENTICAL_S = 0.3;
const MIN_NA_S = 0.2;
const JOIN_S = 0.5;

function profile() {
  const p = builtInProfile('default');
  for (const s of [
    `quality.stuck.cell_min_duration_s=${MIN_IDENTICAL_S}`,
    `quality.na.min_duration_s=${MIN_NA_S}`,
    `quality.nonphysical.join_s=${JOIN_S}`,
    `quality.nonphysical.cell_voltage_min_V=${LO}`,
    `quality.nonphysical.cell_voltage_max_V=${HI}`,
    'quality.time.min_gap_s=1',
  ])
    p.override(s);
  return p;
}

/** A row: its time step and per channel a value (NaN = NA) or null (not received). */
const row = (channels: number) =>
  fc.record({
    dt: fc.oneof({ weight: 9, arbitrary: fc.constant(0.1) }, { weight: 1, arbitrary: fc.constantFrom(0.3, 2.5) }),
    values: fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(3.5, 3.5001, 6) }, { weight: 1, arbitrary: fc.constant(NaN) }), {
      minLength: channels,
      maxLength: channels,
    }),
    received: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    /** Not received: some chunks arrived all the same (the even channels hold values, the row is incomplete). */
    partial: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });

/** The definition, one row at a time. */
function reference(tl: Timeline, ch: number, gaps: ReturnType<typeof gapsOf>): { identical: ChannelRun[]; na: ChannelRun[]; outOfRange: ChannelRun[] } {
  const ts = tl.t_s;
  const c = tl.cellVoltage_V[ch]!;
  const identical: ChannelRun[] = [];
  const na: ChannelRun[] = [];
  const out: ChannelRun[] = [];
  const keep = (list: ChannelRun[], min: number, r0: number, r1: number, value: number): void =>
    splitAtGaps(gaps, r0, r1, (a, b) => {
      if (ts[b]! - ts[a]! >= min) list.push({ ch, r0: a, r1: b, value });
    });
  let run: { r0: number; r1: number; v: number } | null = null;
  let naRun: { r0: number; r1: number } | null = null;
  let oRun: { r0: number; r1: number; ext: number } | null = null;
  const endRun = (): void => {
    if (run && run.r1 > run.r0 && ts[run.r1]! - ts[run.r0]! >= MIN_IDENTICAL_S) keep(identical, MIN_IDENTICAL_S, run.r0, run.r1, run.v);
    run = null;
  };
  const endOut = (): void => {
    if (!oRun) return;
    const prev = out[out.length - 1];
    if (prev && ts[oRun.r0]! - ts[prev.r1]! <= JOIN_S) {
      prev.r1 = oRun.r1;
      if (Math.abs(oRun.ext - 2.5) > Math.abs(prev.value - 2.5)) prev.value = oRun.ext;
    } else out.push({ ch, r0: oRun.r0, r1: oRun.r1, value: oRun.ext });
    oRun = null;
  };
  for (let r = 0; r < tl.length; r++) {
    const v = c[r]!;
    const present = (tl.present[r]! & Present.CELLS) !== 0;
    if (Number.isNaN(v)) {
      if (!present) continue;
      endRun();
      endOut();
      naRun = naRun ? { r0: naRun.r0, r1: r } : { r0: r, r1: r };
      continue;
    }
    if (naRun) {
      if (ts[naRun.r1]! - ts[naRun.r0]! >= MIN_NA_S) keep(na, MIN_NA_S, naRun.r0, naRun.r1, NaN);
      naRun = null;
    }
    if (run && run.v === v) run.r1 = r;
    else {
      endRun();
      run = { r0: r, r1: r, v };
    }
    if (v < LO || v > HI) oRun = oRun ? { r0: oRun.r0, r1: r, ext: Math.abs(v - 2.5) > Math.abs(oRun.ext - 2.5) ? v : oRun.ext } : { r0: r, r1: r, ext: v };
    else endOut();
  }
  endRun();
  endOut();
  if (naRun && ts[naRun.r1]! - ts[naRun.r0]! >= MIN_NA_S) keep(na, MIN_NA_S, naRun.r0, naRun.r1, NaN);
  return { identical, na, outOfRange: out };
}

describe('channelScan', () => {
  // for all timelines of 1..400 rows, 1..3 channels, values from a small set (repeats, NA,
  // out of range), rows not received (wholly or in part) and time gaps / the scan's runs equal
  // the definition's, holds
  it('should find exactly the runs of the row-by-row definition', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(fc.constant(n), fc.array(row(n), { minLength: 1, maxLength: 400 }))),
        ([channels, rows]) => {
          const tl = new Timeline();
          tl.ensureCells(channels);
          let t = 0;
          for (const x of rows) {
            t += x.dt;
            const r = tl.addRow(Math.round(t * 10) / 10);
            tl.present[r] = Present.STATUS | (x.received ? Present.CELLS : 0);
            for (let i = 0; i < channels; i++) tl.cellVoltage_V[i]![r] = x.received || (x.partial && i % 2 === 0) ? x.values[i]! : NaN;
          }
          const p = profile();
          const scan = channelScan(tl, p, 'cells');
          const gaps = gapsOf(tl, p);
          for (let i = 0; i < channels; i++) {
            const ref = reference(tl, i, gaps);
            const mine = (list: ChannelRun[]) => list.filter((x) => x.ch === i).map((x) => ({ ...x, value: Math.fround(x.value) }));
            const theirs = (list: ChannelRun[]) => list.map((x) => ({ ...x, value: Math.fround(x.value) }));
            expect(mine(scan.identical)).toEqual(theirs(ref.identical));
            expect(mine(scan.na)).toEqual(theirs(ref.na));
            expect(mine(scan.outOfRange)).toEqual(theirs(ref.outOfRange));
          }
        },
      ),
      { numRuns: 200, seed: 81 },
    );
  });
});
