/**
 * The trace format of `natrium sim SCENARIO --out trace.csv [--cells all|min-max] [--every N]`:
 * what the writer (cli/sim.ts) prints and what readers (analyzer/timeline/trace.ts) accept.
 * Isomorphic: no Node APIs.
 *
 * A trace is CSV, one row per recorded pack step, comma-separated, `\n` line ends:
 *
 *   # natrium-trace/1 {"scenario":"default","chemistry":"naion-prismatic-150ah","ns":100,"np":2,"dt_s":1,"every":10,"cells":"min-max","bms":true}
 *   time_s,current_A,voltage_V,ambient_C,soc,v_min_V,v_max_V,soc_min,soc_max,T_min_C,T_max_C,bms_state,...
 *   0.000,-300.0000,...
 *
 * Line 1, the meta line, is a comment (it starts with `#`: pandas `read_csv(comment='#')`,
 * Polars `comment_prefix='#'` and DuckDB `read_csv(..., comment='#')` skip it) that makes the
 * file self-describing: after `# natrium-trace/` come the format version (1), one space and a
 * JSON object with the scenario's name, the chemistry's name (a preset name, or the `name` of a
 * chemistry file), the pack's series groups `ns` and cells in parallel `np`, the step `dt_s`
 * (s), `every` (one row per `every` steps), `cells` ("all" or "min-max") and `bms` (true when
 * the BMS emulator ran and its columns follow), and `allow_abuse` (true, only when the run was
 * let to leave the validity envelope, `--allow-abuse`). Readers ignore keys they do not know. Traces
 * written before the meta line existed start with the header; they are still valid.
 *
 * Columns (units in the names; current positive when charging; a bare `soc` is a fraction):
 *   time_s              t_k, simulated time at the start of step k (3 decimals); rows at
 *                       k = 0, every, 2·every, … so the first row is t = 0
 *   current_A           pack current I_k over the step (4 decimals)
 *   voltage_V           pack terminal voltage V_k (4 decimals)
 *   ambient_C           ambient temperature at t_k (2 decimals)
 *   soc                 true pack SOC z_k: the capacity-weighted mean of the cells (6 decimals)
 *   --cells min-max (default), extremes over all ns·np cells:
 *   v_min_V, v_max_V    cell terminal voltages V_k (5 decimals)
 *   soc_min, soc_max    true cell SOC z_k (6 decimals)
 *   T_min_C, T_max_C    cell temperatures T_k (3 decimals)
 *   --cells all, every cell i = g·np + p + 1 (group g, position p in the group, 1-based):
 *   v1_V … vN_V, soc1 … socN, T1_C … TN_C  (same decimals), N = ns·np
 *   with a BMS (the scenario has a "bms" section), the emulated BMS's view at t_{k+1}:
 *   bms_state           INIT, STANDBY, PRECHARGE, NORMAL, CHARGE or ERROR
 *   soc_est             the BMS's SOC estimate (5 decimals)
 *   charge_limit_A, discharge_limit_A   its SOP current limits, magnitudes (2 decimals)
 *   balancing_count     cells bleeding (an integer)
 * A value the model could not compute prints as NaN (or Infinity); readers take those tokens.
 */
import type { Pack } from './pack.ts';
import type { StepView } from './run.ts';
import type { Scenario } from './scenario.ts';

/** Format version this module writes and reads. */
export const TRACE_VERSION = 1;
/** Start of the meta line (the version follows). */
export const TRACE_META_PREFIX = '# natrium-trace/';

/** What the meta line says about a trace. */
export interface TraceMeta {
  scenario: string;
  chemistry: string;
  ns: number;
  np: number;
  dt_s: number;
  every: number;
  cells: 'all' | 'min-max';
  bms: boolean;
  /** Present (true) when the run was allowed to leave the validity envelope (--allow-abuse). */
  allow_abuse?: boolean;
}

/** Columns every trace starts with. */
export const TRACE_BASE_COLUMNS = ['time_s', 'current_A', 'voltage_V', 'ambient_C', 'soc'] as const;
/** The extremes of `--cells min-max`. */
export const TRACE_MIN_MAX_COLUMNS = ['v_min_V', 'v_max_V', 'soc_min', 'soc_max', 'T_min_C', 'T_max_C'] as const;
/** The BMS emulator's columns (last, when the scenario has a BMS). */
export const TRACE_BMS_COLUMNS = ['bms_state', 'soc_est', 'charge_limit_A', 'discharge_limit_A', 'balancing_count'] as const;

/** The meta of a run of scenario `sc`. */
export function traceMeta(sc: Scenario, options: { every: number; cells: 'all' | 'min-max' }): TraceMeta {
  return {
    scenario: sc.name,
    chemistry: sc.chemistry.name,
    ns: sc.pack.ns,
    np: sc.pack.np,
    dt_s: sc.dt_s,
    every: options.every,
    cells: options.cells,
    bms: sc.bms !== null,
  };
}

/** The meta line (line 1 of a trace), without its line end. */
export function traceMetaLine(meta: TraceMeta): string {
  const { scenario, chemistry, ns, np, dt_s, every, cells, bms } = meta;
  const abuse = meta.allow_abuse ? { allow_abuse: true } : {};
  // fixed key order; JSON.stringify escapes any line break inside the strings
  return `${TRACE_META_PREFIX}${TRACE_VERSION} ${JSON.stringify({ scenario, chemistry, ns, np, dt_s, every, cells, bms, ...abuse })}`;
}

/** The header: the column names of a pack of n cells. */
export function traceHeader(n: number, all: boolean, bms: boolean): string[] {
  const h: string[] = [...TRACE_BASE_COLUMNS];
  if (all) {
    for (let i = 1; i <= n; i++) h.push(`v${i}_V`);
    for (let i = 1; i <= n; i++) h.push(`soc${i}`);
    for (let i = 1; i <= n; i++) h.push(`T${i}_C`);
  } else {
    h.push(...TRACE_MIN_MAX_COLUMNS);
  }
  if (bms) h.push(...TRACE_BMS_COLUMNS);
  return h;
}

/** One data row, without its line end. */
export function traceRow(v: StepView, all: boolean): string {
  const p: Pack = v.pack;
  // row k: t_k, I_k, V_k and the states z_k, T_k
  const parts = [fx(v.t_s, 3), fx(p.packCurrent, 4), fx(p.packVoltage, 4), fx(v.ambient_C, 2), fx(v.soc, 6)];
  const n = p.n;
  if (all) {
    for (let i = 0; i < n; i++) parts.push(fx(p.voltage[i]!, 5));
    for (let i = 0; i < n; i++) parts.push(fx(v.z[i]!, 6));
    for (let i = 0; i < n; i++) parts.push(fx(v.T_C[i]!, 3));
  } else {
    let vMin = Infinity,
      vMax = -Infinity,
      zMin = Infinity,
      zMax = -Infinity,
      tMin = Infinity,
      tMax = -Infinity;
    for (let i = 0; i < n; i++) {
      const vi = p.voltage[i]!,
        zi = v.z[i]!,
        ti = v.T_C[i]!;
      if (vi < vMin) vMin = vi;
      if (vi > vMax) vMax = vi;
      if (zi < zMin) zMin = zi;
      if (zi > zMax) zMax = zi;
      if (ti < tMin) tMin = ti;
      if (ti > tMax) tMax = ti;
    }
    parts.push(fx(vMin, 5), fx(vMax, 5), fx(zMin, 6), fx(zMax, 6), fx(tMin, 3), fx(tMax, 3));
  }
  if (v.bms) {
    const b = v.bms;
    parts.push(b.state, fx(b.soc_est, 5), fx(b.charge_limit_A, 2), fx(b.discharge_limit_A, 2), String(b.balancing_count));
  }
  return parts.join(',');
}

/** Fixed decimals without trailing noise; -0 prints as 0 (the same as cli/csv.ts `fx`). */
function fx(x: number, d: number): string {
  const s = x.toFixed(d);
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}

// ---------------------------------------------------------------------------------------------
// Reading: the meta line and the header. A problem names the field (meta) or column (header).

/** A problem found in a meta line or header. */
export interface TraceProblem {
  ok: false;
  /** The meta key (`meta.ns`, or `meta` for the line as a whole) or the header column. */
  field: string;
  problem: string;
}

/**
 * Parses a meta line (`# natrium-trace/1 {...}`). A version other than 1, bad JSON, or a known
 * key of the wrong type is a problem; unknown keys are ignored.
 */
export function parseTraceMeta(line: string): { ok: true; meta: TraceMeta } | TraceProblem {
  const fail = (field: string, problem: string): TraceProblem => ({ ok: false, field, problem });
  if (!line.startsWith(TRACE_META_PREFIX)) return fail('meta', `expected a line starting with "${TRACE_META_PREFIX}"`);
  const rest = line.slice(TRACE_META_PREFIX.length);
  const m = /^(\d+)(?: (.*))?$/s.exec(rest);
  if (m === null) return fail('meta', `expected "${TRACE_META_PREFIX}${TRACE_VERSION} {...}", got "${clip(line)}"`);
  if (Number(m[1]) !== TRACE_VERSION) return fail('meta', `unsupported version ${m[1]} (this reader knows ${TRACE_VERSION})`);
  let value: unknown;
  try {
    value = JSON.parse(m[2] ?? '');
  } catch {
    return fail('meta', `expected a JSON object after the version, got "${clip(m[2] ?? '')}"`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('meta', 'expected a JSON object after the version');
  const o = value as Record<string, unknown>;
  const str = (k: string): string | TraceProblem => (typeof o[k] === 'string' ? (o[k] as string) : fail(`meta.${k}`, `expected a string, got ${show(o[k])}`));
  const int = (k: string): number | TraceProblem =>
    Number.isInteger(o[k]) && (o[k] as number) >= 1 ? (o[k] as number) : fail(`meta.${k}`, `expected a whole number >= 1, got ${show(o[k])}`);
  const scenario = str('scenario');
  if (typeof scenario !== 'string') return scenario;
  const chemistry = str('chemistry');
  if (typeof chemistry !== 'string') return chemistry;
  const ns = int('ns');
  if (typeof ns !== 'number') return ns;
  const np = int('np');
  if (typeof np !== 'number') return np;
  const dt_s = o.dt_s;
  if (typeof dt_s !== 'number' || !(dt_s > 0)) return fail('meta.dt_s', `expected a number > 0, got ${show(dt_s)}`);
  const every = int('every');
  if (typeof every !== 'number') return every;
  const cells = o.cells;
  if (cells !== 'all' && cells !== 'min-max') return fail('meta.cells', `expected "all" or "min-max", got ${show(cells)}`);
  const bms = o.bms;
  if (typeof bms !== 'boolean') return fail('meta.bms', `expected true or false, got ${show(bms)}`);
  return { ok: true, meta: { scenario, chemistry, ns, np, dt_s, every, cells, bms } };
}

/** Where the columns of a trace are. */
export interface TraceLayout {
  cells: 'all' | 'min-max';
  /** Cells with columns of their own (`--cells all`), 0 for min-max. */
  n: number;
  bms: boolean;
  /** Columns in all. */
  columns: number;
  /** Index of the first BMS column (bms_state), -1 without. */
  bmsAt: number;
}

/**
 * The layout of a header (the column names of line 1 or 2), or the first column that is not
 * where the format puts it.
 */
export function parseTraceHeader(cols: readonly string[]): { ok: true; layout: TraceLayout } | TraceProblem {
  const fail = (field: string, problem: string): TraceProblem => ({ ok: false, field, problem });
  const expect = (at: number, name: string): TraceProblem | null => {
    const got = cols[at];
    if (got === name) return null;
    return fail(
      name,
      got === undefined ? `missing (the header ends after column ${cols.length})` : `expected "${name}" as column ${at + 1}, got "${clip(got)}"`,
    );
  };
  for (let i = 0; i < TRACE_BASE_COLUMNS.length; i++) {
    const p = expect(i, TRACE_BASE_COLUMNS[i]!);
    if (p) return p;
  }
  let at = TRACE_BASE_COLUMNS.length;
  let cells: TraceLayout['cells'];
  let n = 0;
  if (cols[at] === 'v1_V') {
    cells = 'all';
    while (cols[at + n] === `v${n + 1}_V`) n++;
    at += n;
    for (const [pre, suf] of [
      ['soc', ''],
      ['T', '_C'],
    ] as const) {
      for (let i = 1; i <= n; i++, at++) {
        const p = expect(at, `${pre}${i}${suf}`);
        if (p) return p;
      }
    }
  } else if (cols[at] === TRACE_MIN_MAX_COLUMNS[0]) {
    cells = 'min-max';
    for (const name of TRACE_MIN_MAX_COLUMNS) {
      const p = expect(at++, name);
      if (p) return p;
    }
  } else {
    const got = cols[at];
    return fail(
      TRACE_MIN_MAX_COLUMNS[0],
      got === undefined
        ? 'missing (the header ends after column 5)'
        : `expected "v_min_V" (--cells min-max) or "v1_V" (--cells all) as column ${at + 1}, got "${clip(got)}"`,
    );
  }
  let bmsAt = -1;
  if (at < cols.length) {
    if (cols[at] !== TRACE_BMS_COLUMNS[0]) return fail(named(cols[at]!), `unexpected column ${at + 1} (expected "bms_state" or the end of the header)`);
    bmsAt = at;
    for (const name of TRACE_BMS_COLUMNS) {
      const p = expect(at++, name);
      if (p) return p;
    }
    if (at < cols.length) return fail(named(cols[at]!), `unexpected column ${at + 1} (the header ends after "balancing_count")`);
  }
  return { ok: true, layout: { cells, n, bms: bmsAt >= 0, columns: cols.length, bmsAt } };
}

/** A column name for a message: "(empty)" for an empty one. */
function named(s: string): string {
  return s.length === 0 ? '(empty)' : clip(s);
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : clip(JSON.stringify(v) ?? String(v));
}
