/**
 * cells.outliers — a series group whose voltage leaves the pack's population for a while.
 *
 * Why: a cell that deviates from its peers far beyond their normal scatter is a failing or
 * disturbed cell: an internal short drains and heats one cell (fault-cell-internal-short), a
 * disconnected cell in a parallel group makes the group sag under load (fault-cell-disconnect),
 * a frozen channel drifts away from the moving pack (fault-stuck-cell-voltage). A robust score
 * is used so that the outlier does not hide itself by widening the scatter.
 *
 * On a `sample_s` grid (5 s) of CELL_VOLTAGES rows with at least three values, each cell's
 * deviation from the median of the cells is compared with max(`k` × 1.4826 × MAD,
 * `min_deviation_V`) (robust z above k = 5, but never less than 20 mV: a pack whose cells sit
 * within a few mV would otherwise flag normal scatter). A cell beyond it for `min_duration_s`
 * (30 s) is a warning, an error when the deviation reached `error_deviation_V` (0.15 V);
 * episodes of one cell closer than `join_s` (60 s) are one finding. Samples where the cell is
 * balancing (the last BALANCING received says it bleeds) are skipped for that cell; an NA
 * value or a time gap ends its run. At most `max_findings`.
 *
 * Not evaluable: fewer than three series groups with voltages.
 */
import { type Finding, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { gapsOf, restartBetween } from '../quality/internal/gaps.ts';
import { sampledRows } from '../quality/internal/rowStats.ts';
import { median } from '../select.ts';

const ID = 'cells.outliers';
/** MAD → standard deviation for normal data. */
const MAD_TO_SIGMA = 1.4826;
/** Sampled rows gathered at once (512 rows × 100 cells of float32: 200 KiB, within L2). */
const GATHER_ROWS = 512;

interface Episode {
  cell: number;
  a: number;
  b: number;
  /** Extreme signed deviation, the robust z and the median there. */
  dev: number;
  z: number;
  med: number;
  t_ext: number;
}

export const outliers: Rule = {
  id: ID,
  group: 'cells',
  title: 'Cells deviating from the pack (robust z)',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const ns = tl.ns;
    if (ns < 3 || (tl.received.get(0x03) ?? 0) === 0) return notEvaluable('fewer than three series groups with cell voltages');
    const step_s = profile.num(`${ID}.sample_s`);
    const k = profile.num(`${ID}.k`);
    const minDev = profile.threshold(`${ID}.min_deviation_V`, 'V');
    const errDev = profile.threshold(`${ID}.error_deviation_V`, 'V');
    const minDur = profile.threshold(`${ID}.min_duration_s`, 's');
    const join_s = profile.num(`${ID}.join_s`);
    const gaps = gapsOf(tl, profile);
    const maxStep = Math.max(gaps.limit_s, 2 * step_s);
    const cols = tl.cellVoltage_V;
    const bal = tl.balancing;
    const ts = tl.t_s;
    const present = tl.present;
    const vals = new Float64Array(ns);
    const scratch = new Float64Array(ns);
    const lastBal = new Uint8Array(ns);
    // per-cell run state (times in s; NaN: no run)
    const runA = new Float64Array(ns).fill(NaN);
    const runB = new Float64Array(ns).fill(NaN);
    const runDev = new Float64Array(ns);
    const runZ = new Float64Array(ns);
    const runMed = new Float64Array(ns);
    const runText = new Float64Array(ns);
    const open: (Episode | null)[] = new Array<Episode | null>(ns).fill(null);
    const episodes: Episode[] = [];
    let samples = 0;
    let maxZ = 0;

    const closeRun = (i: number): void => {
      const a = runA[i]!;
      if (a === a && runB[i]! - a >= minDur.value!) {
        const e = open[i];
        if (e && a - e.b <= join_s) {
          e.b = runB[i]!;
          if (Math.abs(runDev[i]!) > Math.abs(e.dev)) Object.assign(e, { dev: runDev[i]!, z: runZ[i]!, med: runMed[i]!, t_ext: runText[i]! });
        } else {
          const ep: Episode = { cell: i, a, b: runB[i]!, dev: runDev[i]!, z: runZ[i]!, med: runMed[i]!, t_ext: runText[i]! };
          episodes.push(ep);
          open[i] = ep;
        }
      }
      runA[i] = NaN;
    };

    // imported constants read once: under a CommonJS transform (tsx) each read is a getter call
    const { BALANCING, STATUS } = Present;
    // The sampled rows (rows with CELL_VOLTAGES at least step_s apart, the grid of rowStats),
    // their values gathered a block at a time, column by column: read row by row, each of the 100
    // values of a sample is a cache (and TLB) miss; down a column the reads are a constant stride
    // the prefetcher follows. The values, and the order they are judged in, are those of a
    // row-by-row loop.
    const rows = sampledRows(tl, 'cells', step_s);
    const block = new Float32Array(GATHER_ROWS * ns);
    let lastT = -Infinity;
    let scanned = 0; // rows up to which BALANCING has been read
    let anyBal = false; // some lastBal may be 1
    const balCount = tl.pack.balancingCount;
    for (let j0 = 0; j0 < rows.length; j0 += GATHER_ROWS) {
      const j1 = Math.min(rows.length, j0 + GATHER_ROWS);
      for (let i = 0; i < ns; i++) gather(cols[i]!, rows, j0, j1, block, i, ns);
      for (let j = j0; j < j1; j++) {
        const r = rows[j]!;
        const t = ts[r]!;
        // the balancing state as of this row
        for (; scanned <= r; scanned++) {
          const p = present[scanned]!;
          if ((p & BALANCING) === 0) continue;
          // PACK_STATUS's balancingCount (same tick) spares reading the bits when nothing bleeds
          if ((p & STATUS) !== 0 && balCount[scanned] === 0) {
            if (anyBal) lastBal.fill(0);
            anyBal = false;
            continue;
          }
          for (let i = 0; i < ns; i++) {
            const b = bal[i]![scanned]!;
            if (b !== 255) lastBal[i] = b;
          }
          anyBal = true;
        }
        const restart = j > 0 && restartBetween(gaps, rows[j - 1]!, r);
        if (t - lastT > maxStep || restart) {
          for (let i = 0; i < ns; i++) if (runA[i]! === runA[i]!) closeRun(i);
          if (restart) open.fill(null); // nor is an episode joined across a restart
        }
        lastT = t;
        let m = 0;
        const base = (j - j0) * ns;
        for (let i = 0; i < ns; i++) {
          const v = block[base + i]!;
          vals[i] = v;
          if (v === v) scratch[m++] = v;
        }
        if (m < 3) continue;
        const med = median(scratch, m);
        for (let q = 0; q < m; q++) scratch[q] = Math.abs(scratch[q]! - med);
        const mad = median(scratch, m) * MAD_TO_SIGMA;
        const limit = Math.max(k * mad, minDev.value!);
        samples++;
        for (let i = 0; i < ns; i++) {
          const v = vals[i]!;
          if (v !== v) {
            if (runA[i]! === runA[i]!) closeRun(i);
            continue;
          }
          if (lastBal[i] === 1) continue; // bleeding: not judged
          const d = v - med;
          const z = mad > 0 ? d / mad : Infinity * Math.sign(d);
          if (Math.abs(z) > maxZ && Math.abs(d) > minDev.value!) maxZ = Math.abs(z);
          if (Math.abs(d) > limit) {
            if (!(runA[i]! === runA[i]!)) {
              runA[i] = t;
              runDev[i] = 0;
            }
            runB[i] = t;
            if (Math.abs(d) > Math.abs(runDev[i]!)) {
              runDev[i] = d;
              runZ[i] = z;
              runMed[i] = med;
              runText[i] = t;
            }
          } else if (runA[i]! === runA[i]!) closeRun(i);
        }
      }
    }
    for (let i = 0; i < ns; i++) if (runA[i]! === runA[i]!) closeRun(i);

    const out: Finding[] = episodes.map((e) => {
      const isError = errDev.value !== null && Math.abs(e.dev) >= errDev.value;
      const dir = e.dev < 0 ? 'below' : 'above';
      return finding({
        check: ID,
        severity: isError ? 'error' : 'warning',
        t_start_s: e.a,
        t_end_s: e.b,
        subject: `cell ${e.cell}`,
        message: `cell ${e.cell} sat up to ${Math.abs(e.dev * 1000).toFixed(0)} mV ${dir} the median cell (robust z ${e.z.toFixed(1)}) for ${(e.b - e.a).toFixed(0)} s`,
        evidence: { deviation_V: round(e.dev, 4), robust_z: round(e.z, 2), median_V: round(e.med, 4), at_s: e.t_ext, duration_s: round(e.b - e.a, 3), k },
        threshold: isError ? errDev : { value: minDev.value, unit: 'V', source: `max(k ${k} × 1.4826 × MAD, min_deviation_V (${minDev.source}))` },
      });
    });
    return {
      evaluable: true,
      findings: capFindings(ID, out, profile.threshold(`${ID}.max_findings`, 'findings'), 'outlier episodes'),
      metrics: { samples, outlier_cells: new Set(episodes.map((e) => e.cell)).size, max_robust_z: round(maxZ, 2) },
    };
  },
};

/** Column `col` at the sampled rows [j0, j1) into `block` (row-major, `ns` values a row), column i. */
function gather(col: Float32Array, rows: Int32Array, j0: number, j1: number, block: Float32Array, i: number, ns: number): void {
  for (let j = j0, q = i; j < j1; j++, q += ns) block[q] = col[rows[j]!]!;
}
