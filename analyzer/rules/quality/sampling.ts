/**
 * quality.sampling — the effective rate of PACK_STATUS, CELL_VOLTAGES and TEMPERATURES.
 *
 * Why: a device set to a low rate (CMD_SET_RATE), or a link that cannot carry the telemetry
 * (whole frames dropped by pacing), leaves the checks with too few samples to judge reaction
 * times and short excursions, even when no single gap is long.
 *
 * The session is cut into windows of `window_s` (60 s) from its first row; in each, a type's
 * rate is the rows where it arrived complete (Timeline.present) over the window's covered time
 * (the window minus the time gaps inside it, quality.time reports those; a window less than
 * half covered is not judged). Windows below `pack_status_min_Hz` (1 Hz),
 * `cell_voltages_min_Hz` (1 Hz) or `temperatures_min_Hz` (0.2 Hz) are warnings, consecutive
 * ones merged into one finding per type. A type never received: PACK_STATUS is an error (no
 * check can judge the pack), CELL_VOLTAGES or TEMPERATURES a warning, unless INFO says the
 * device has no such sensors. A minimum of null skips the type.
 *
 * Not evaluable: no rows.
 */
import { MessageType } from '../../../protocol/messages.ts';
import { type Finding, type Threshold, counted, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { gapsOf } from './internal/gaps.ts';

const ID = 'quality.sampling';

const TYPES = [
  { type: MessageType.PACK_STATUS, name: 'PACK_STATUS', bit: Present.STATUS, key: 'pack_status_min_Hz' },
  { type: MessageType.CELL_VOLTAGES, name: 'CELL_VOLTAGES', bit: Present.CELLS, key: 'cell_voltages_min_Hz' },
  { type: MessageType.TEMPERATURES, name: 'TEMPERATURES', bit: Present.TEMPERATURES, key: 'temperatures_min_Hz' },
] as const;

export const sampling: Rule = {
  id: ID,
  group: 'quality',
  title: 'Effective telemetry rates',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile, info } = ctx;
    const n = tl.length;
    if (n === 0) return notEvaluable('no rows of telemetry');
    const W = profile.num(`${ID}.window_s`);
    const gaps = gapsOf(tl, profile);
    const period = Number.isFinite(gaps.period_s) ? gaps.period_s : 0;
    const ts = tl.t_s;
    const t0 = ts[0]!;
    const tEnd = ts[n - 1]!;
    const nw = Math.max(1, Math.ceil((tEnd - t0) / W));
    // covered time of each window: its length (the last one up to the last row) minus the gaps
    const covered = new Float64Array(nw);
    for (let w = 0; w < nw; w++) covered[w] = Math.min(W, tEnd - (t0 + w * W) + period);
    for (const r of gaps.rows) {
      const a = ts[r - 1]! + period;
      const b = ts[r]!;
      for (let w = Math.max(0, Math.floor((a - t0) / W)); w < nw && t0 + w * W < b; w++) {
        const lo = Math.max(a, t0 + w * W);
        const hi = Math.min(b, t0 + (w + 1) * W);
        if (hi > lo) covered[w]! -= hi - lo;
      }
    }
    const counts = TYPES.map(() => new Int32Array(nw));
    const present = tl.present;
    // imported constants read once: under a CommonJS transform (tsx) each read is a getter call
    const { STATUS, CELLS, TEMPERATURES } = Present;
    for (let r = 0; r < n; r++) {
      const p = present[r]!;
      if (p === 0) continue;
      const w = Math.min(nw - 1, Math.floor((ts[r]! - t0) / W));
      if (p & STATUS) counts[0]![w]!++;
      if (p & CELLS) counts[1]![w]!++;
      if (p & TEMPERATURES) counts[2]![w]!++;
    }
    const judged = (w: number): boolean => covered[w]! >= W / 2 || (nw === 1 && covered[w]! > 0);

    const out: Finding[] = [];
    const metrics: Record<string, number | null> = { windows: nw };
    TYPES.forEach((T, k) => {
      const min = profile.threshold(`${ID}.${T.key}`, 'Hz');
      const sensors =
        T.type === MessageType.CELL_VOLTAGES ? info?.cellVoltageSensors : T.type === MessageType.TEMPERATURES ? info?.temperatureSensors : undefined;
      if (sensors === 0) return;
      const received = tl.received.get(T.type) ?? 0;
      let total = 0;
      let cov = 0;
      for (let w = 0; w < nw; w++) {
        if (!judged(w)) continue;
        total += counts[k]![w]!;
        cov += covered[w]!;
      }
      metrics[`rate_${T.name}_Hz`] = cov > 0 ? round(total / cov, 3) : null;
      if (min.value === null) return;
      if (received === 0) {
        out.push(
          finding({
            check: ID,
            severity: T.type === MessageType.PACK_STATUS ? 'error' : 'warning',
            t_start_s: t0,
            t_end_s: tEnd,
            subject: T.name,
            message: `no ${T.name} received in the whole session${T.type === MessageType.PACK_STATUS ? ': nothing to judge the pack by' : ''}`,
            evidence: { received: 0 },
            threshold: min,
          }),
        );
        return;
      }
      episodes(out, T.name, counts[k]!, covered, judged, min, W, t0, tEnd);
    });
    return { evaluable: true, findings: capFindings(ID, out, profile.threshold(`${ID}.max_findings`, 'findings'), 'low-rate episodes'), metrics };
  },
};

/** One finding per run of consecutive judged windows below the minimum. */
function episodes(
  out: Finding[],
  name: string,
  counts: Int32Array,
  covered: Float64Array,
  judged: (w: number) => boolean,
  min: Threshold,
  W: number,
  t0: number,
  tEnd: number,
): void {
  const nw = counts.length;
  const lowAt = (w: number): boolean => judged(w) && counts[w]! / covered[w]! < min.value!;
  let w = 0;
  while (w < nw) {
    if (!lowAt(w)) {
      w++;
      continue;
    }
    const a = w;
    let n = 0;
    let cov = 0;
    let lowest = Infinity;
    while (w < nw && lowAt(w)) {
      n += counts[w]!;
      cov += covered[w]!;
      lowest = Math.min(lowest, counts[w]! / covered[w]!);
      w++;
    }
    const rate = n / cov;
    out.push(
      finding({
        check: ID,
        severity: 'warning',
        t_start_s: t0 + a * W,
        t_end_s: Math.min(tEnd, t0 + w * W),
        subject: name,
        message: `${name} arrived at ${rate.toPrecision(2)} Hz over ${counted(w - a, 'window')} of ${W} s, below ${min.value} Hz`,
        evidence: { rate_Hz: round(rate, 4), lowest_window_Hz: round(lowest, 4), windows: w - a, received: n },
        threshold: min,
      }),
    );
  }
}
