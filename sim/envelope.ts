/**
 * The model's validity envelope (the chemistry file's `envelope`, sim/chemistry/README.md) and
 * the bounds that make every run end.
 *
 * A cell whose SOC, terminal voltage, temperature or current leaves the envelope is outside
 * what the parameters were fitted for: the run stops with an AbuseError (the CLI: one line
 * naming the cell, the quantity, the value and the limit; exit code 3), or, with
 * `--allow-abuse`, runs on and records the first excursion of each quantity for the summary.
 *
 * The per-step check is one pass over the cells with compares only (no allocation); the cell is
 * looked up only once a limit is crossed.
 */
import type { Chemistry, ChemistryFile } from './chemistry.ts';
import { AbuseError } from './errors.ts';

/** Shortest step the simulator takes, s (the fastest time constant of a preset is seconds). */
export const MIN_DT_S = 1e-3;
/** Most steps one run may take (3.2 years at 1 s): longer runs are refused at load. */
export const MAX_RUN_STEPS = 1e8;
/**
 * A step without a duration that has passed the charge that would take its cells from empty to
 * full this many times, or run as long as that takes at PROGRESS_C_RATE, makes no progress.
 */
export const PROGRESS_FILLS = 2;
export const PROGRESS_C_RATE = 0.01;

export type Quantity = 'SOC' | 'voltage' | 'temperature' | 'current';

/** The limits of a chemistry's envelope, flattened for the hot loop. */
export interface EnvelopeLimits {
  socMin: number;
  socMax: number;
  vMin: number;
  vMax: number;
  tMin: number;
  tMax: number;
  iMax: number;
}

export function envelopeLimits(spec: ChemistryFile): EnvelopeLimits {
  const e = spec.envelope;
  return {
    socMin: -e.soc_margin,
    socMax: 1 + e.soc_margin,
    vMin: e.voltage_V.min,
    vMax: e.voltage_V.max,
    tMin: e.temperature_C.min,
    tMax: e.temperature_C.max,
    iMax: e.current_A,
  };
}

export interface Excursion {
  t_s: number;
  /** 1-based cell index i = g·np + p + 1, and its label ("cell 7 (group 4, position 1)"). */
  cell: number;
  label: string;
  quantity: Quantity;
  value: number;
  limit: number;
}

const UNIT: Record<Quantity, string> = { SOC: '', voltage: ' V', temperature: ' °C', current: ' A' };

export function excursionText(x: Excursion, chemistry: string): string {
  const side = x.quantity === 'current' ? 'beyond' : x.value < x.limit ? 'below' : 'above';
  const digits = Number(x.value.toPrecision(6)) === Number(x.limit.toPrecision(6)) ? 12 : 6;
  const v = (n: number) => `${Number(n.toPrecision(digits))}${UNIT[x.quantity]}`;
  return `${x.label}: ${x.quantity} ${v(x.value)} ${side} the validity envelope of ${chemistry} (limit ${v(x.limit)}) at t = ${Number(x.t_s.toFixed(3))} s`;
}

/** Arrays of the cells' state after a step (the pack's, or one cell's). */
export interface CellArrays {
  z: ArrayLike<number>;
  voltage: ArrayLike<number>;
  T: ArrayLike<number>;
  current: ArrayLike<number>;
}

export class EnvelopeWatch {
  readonly limits: EnvelopeLimits;
  /** The first excursion of each quantity (with allowAbuse), in the order they happened. */
  readonly excursions: Excursion[] = [];
  /** Steps with at least one cell outside the envelope. */
  stepsOutside = 0;
  private readonly seen = new Set<Quantity>();

  constructor(
    readonly chem: Pick<Chemistry, 'spec' | 'name'>,
    readonly allowAbuse: boolean,
    private readonly cellLabel: (i: number) => string = (i) => `cell ${i + 1}`,
  ) {
    this.limits = envelopeLimits(chem.spec);
  }

  /** Check n cells after a step that started at t_s; throws AbuseError unless abuse is allowed. */
  check(t_s: number, a: CellArrays, n: number): void {
    const L = this.limits;
    const { z, voltage, T, current } = a;
    let bad = false;
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      const vi = voltage[i]!;
      const Ti = T[i]!;
      const Ii = current[i]!;
      // written so that NaN counts as outside
      if (!(zi >= L.socMin && zi <= L.socMax && vi >= L.vMin && vi <= L.vMax && Ti >= L.tMin && Ti <= L.tMax && Ii <= L.iMax && Ii >= -L.iMax)) {
        bad = true;
        break;
      }
    }
    if (bad) this.outside(t_s, a, n);
  }

  /**
   * A step with a cell outside (found by check(), or by a caller's own pass over the cells):
   * throws AbuseError for the first such cell, or records the excursions with allowAbuse.
   */
  outside(t_s: number, a: CellArrays, n: number): void {
    this.stepsOutside++;
    const L = this.limits;
    for (let i = 0; i < n; i++) {
      const found: [Quantity, number, number][] = [];
      const test = (q: Quantity, v: number, lo: number, hi: number) => {
        if (!(v >= lo)) found.push([q, v, lo]);
        else if (!(v <= hi)) found.push([q, v, hi]);
      };
      // the cause first: the current drives the voltage, which runs ahead of the SOC
      test('current', a.current[i]!, -L.iMax, L.iMax);
      test('voltage', a.voltage[i]!, L.vMin, L.vMax);
      test('SOC', a.z[i]!, L.socMin, L.socMax);
      test('temperature', a.T[i]!, L.tMin, L.tMax);
      for (const [quantity, value, limit] of found) {
        const x: Excursion = { t_s, cell: i + 1, label: this.cellLabel(i), quantity, value, limit };
        if (!this.allowAbuse) throw new AbuseError(`${excursionText(x, this.chem.name)} (--allow-abuse runs on)`);
        if (!this.seen.has(quantity)) {
          this.seen.add(quantity);
          this.excursions.push(x);
        }
      }
    }
  }

  /** For the run's summary: null when every cell stayed inside. */
  summary(): { allowed: boolean; steps_outside: number; first: (Excursion & { text: string })[] } | null {
    if (this.stepsOutside === 0) return null;
    return {
      allowed: this.allowAbuse,
      steps_outside: this.stepsOutside,
      first: this.excursions.map((x) => ({ ...x, text: excursionText(x, this.chem.name) })),
    };
  }
}

/** Is a cell's starting point (SOC, temperature) inside the envelope? The problem, or null. */
export function startProblem(spec: ChemistryFile, what: 'SOC' | 'temperature', value: number): string | null {
  const L = envelopeLimits(spec);
  const [lo, hi] = what === 'SOC' ? [L.socMin, L.socMax] : [L.tMin, L.tMax];
  if (value >= lo && value <= hi) return null;
  return `${value} is outside the validity envelope of ${spec.name} (${what} ${lo}…${hi}${what === 'SOC' ? '' : ' °C'})`;
}
