/**
 * The summary `report()` returns for `natrium sim --json` (keys as issue 3 names them):
 *   transitions  [{ t_s, from, to }]
 *   faults       [{ code, tier, value, threshold, raised_s, cleared_s, index }] (index: the series
 *                group or temperature sensor that tripped; null for pack-level checks)
 *   injections   [{ fault, at_s, warning_s, derate_s, open_s }]: times (s since the start, like
 *                at_s) of the first WARNING-or-FATAL fault raised, the first fault-driven cut
 *                of the current limits, and the first opening of the main path at or after
 *                the injection; null where it did not happen
 *   soc          { rms_pct, max_pct, final_pct }: error of the BMS's pack-average SOC (the
 *                selected estimator) against the model's capacity-weighted mean SOC
 *                Σ z_i·Q_i / Σ Q_i, sampled every slow tick; rms and max of |error|, final signed
 * Evaluation only: this is the one place that reads the model's true SOC.
 */
import type { Pack } from '../pack.ts';
import type { Transition } from './bms.ts';
import type { FaultRecord } from './diag.ts';
import type { FaultSpec } from './faults.ts';

export interface InjectionRecord {
  fault: string;
  at_s: number;
  warning_s: number | null;
  derate_s: number | null;
  open_s: number | null;
}

export interface SocErrorSummary {
  rms_pct: number | null;
  max_pct: number | null;
  final_pct: number | null;
}

export interface BmsReport {
  transitions: Transition[];
  faults: FaultRecord[];
  injections: InjectionRecord[];
  soc: SocErrorSummary;
}

export class Reporter {
  readonly injections: InjectionRecord[] = [];
  private readonly started: number[] = [];
  private sumSq = 0;
  private n = 0;
  private maxAbs = 0;
  private final = NaN;
  private capSum = 0;

  constructor(
    faults: readonly FaultSpec[],
    private readonly pack: Pack,
  ) {
    for (const f of faults) this.add(f);
    for (let i = 0; i < pack.n; i++) this.capSum += pack.capacity_Ah[i]!;
  }

  add(f: FaultSpec): void {
    this.injections.push({ fault: f.fault, at_s: f.at_s, warning_s: null, derate_s: null, open_s: null });
    this.started.push(0);
  }

  injected(k: number): void {
    this.started[k] = 1;
  }

  private mark(key: 'warning_s' | 'derate_s' | 'open_s', t_s: number): void {
    for (let k = 0; k < this.injections.length; k++) {
      const r = this.injections[k]!;
      if (this.started[k] && r[key] === null) r[key] = t_s;
    }
  }

  warning(t_s: number): void {
    this.mark('warning_s', t_s);
  }

  derated(t_s: number): void {
    this.mark('derate_s', t_s);
  }

  opened(t_s: number): void {
    this.mark('open_s', t_s);
  }

  /** True SOC of the pack: capacity-weighted mean of the cells' SOC. */
  trueSoc(): number {
    const { z, capacity_Ah } = this.pack;
    let s = 0;
    for (let i = 0; i < this.pack.n; i++) s += z[i]! * capacity_Ah[i]!;
    return s / this.capSum;
  }

  sampleSoc(estimate: number): void {
    if (!Number.isFinite(estimate)) return;
    const e = (estimate - this.trueSoc()) * 100;
    this.sumSq += e * e;
    this.n++;
    if (Math.abs(e) > this.maxAbs) this.maxAbs = Math.abs(e);
    this.final = e;
  }

  socSummary(): SocErrorSummary {
    if (this.n === 0) return { rms_pct: null, max_pct: null, final_pct: null };
    return { rms_pct: Math.sqrt(this.sumSq / this.n), max_pct: this.maxAbs, final_pct: this.final };
  }
}
