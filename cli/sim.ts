/**
 * natrium sim SCENARIO [--out trace.csv] [--cells all|min-max] [--every N] [--json] [--duration S]
 *                      [--max-rows N] [--allow-abuse]
 * natrium sim cell --chemistry FILE.json --current PROFILE.csv --dt SECONDS --out trace.csv
 *                  [--discharge-positive] [--soc Z] [--temperature C] [--ambient C] [--hA W/K] ...
 *
 * A cell leaving the chemistry's validity envelope stops the run with exit code 3 (sim/envelope.ts)
 * unless --allow-abuse; a run that fails leaves no partial trace.
 */
import { Cell } from '../sim/cell.ts';
import { EnvelopeWatch, MAX_RUN_STEPS, MIN_DT_S, startProblem } from '../sim/envelope.ts';
import { type CurrentProfile } from '../sim/load/profile.ts';
import { type RunOptions, type Summary, runScenario } from '../sim/run.ts';
import { traceHeader, traceMeta, traceMetaLine, traceRow } from '../sim/trace.ts';
import { UsageError, num, parse } from './args.ts';

/** --capacity as a share of the chemistry's capacity_Ah: the parameters hold for cells of that size. */
const CAPACITY_RANGE = [0.5, 2] as const;
import { CsvWriter, DEFAULT_MAX_ROWS } from './csv.ts';
import { attachBms } from './bms.ts';
import { progressReporter } from './progress.ts';
import { loadChemistry, loadCurrentProfile, loadScenario } from '../sim/node/load.ts';

const USAGE = `usage: natrium sim SCENARIO [--out trace.csv] [--cells all|min-max] [--every N] [--json] [--duration SECONDS]
                        [--max-rows N] [--allow-abuse]
       natrium sim cell --chemistry FILE.json --current PROFILE.csv --dt SECONDS --out trace.csv
                        [--discharge-positive] [--soc -0.05..1.05] [--temperature C] [--ambient C] [--hA W/K]
                        [--capacity AH] [--hysteresis charge|discharge|-1..1] [--no-low-temperature-capacity]
                        [--max-rows N] [--allow-abuse]

SCENARIO is a name from sim/scenarios/ (e.g. default) or a path to a scenario JSON file.
--every N records steps 0, N, 2N, … (t = 0 first). --max-rows: the most rows a trace may hold
(default ${DEFAULT_MAX_ROWS}); a run that would write more is refused or stopped, and leaves no file.
--dt: at least ${MIN_DT_S} s; a run may take at most ${MAX_RUN_STEPS} steps.
--capacity: the cell's own measured capacity in Ah (default the chemistry's capacity_Ah; 0.5 to 2 times it).
--hysteresis: the hysteresis state at the start: charge (= +1, the cell was last charged),
discharge (= -1, last discharged) or a number from -1 to 1 (default 0).
A cell that leaves the chemistry's validity envelope (its "envelope": SOC margin, voltage abuse
limits, temperature range, maximum pulse current) stops the run with exit code 3; --allow-abuse
runs on and marks the summary and the trace. Exit codes: 0 done, 2 bad input, 3 envelope left.`;

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'cell') return simCell(argv.slice(1));
  const { values, positionals } = parse(
    argv,
    {
      out: { type: 'string' },
      cells: { type: 'string', default: 'min-max' },
      every: { type: 'string' },
      json: { type: 'boolean', default: false },
      duration: { type: 'string' },
      'max-rows': { type: 'string' },
      'allow-abuse': { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one SCENARIO, got ${positionals.length}\n${USAGE}`);
  const cells = values.cells as string;
  if (cells !== 'all' && cells !== 'min-max') throw new UsageError(`--cells: expected all or min-max, got "${cells}"`);
  const every = num('every', values.every as string | undefined, 1, { integer: true, min: 1 });
  const maxRows = num('max-rows', values['max-rows'] as string | undefined, DEFAULT_MAX_ROWS, { integer: true, min: 1 });
  const sc = loadScenario(positionals[0]!);
  const duration = values.duration === undefined ? undefined : num('duration', values.duration as string, 0, { gt: 0, max: MAX_RUN_STEPS * sc.dt_s });
  const allowAbuse = values['allow-abuse'] as boolean;

  const opts: RunOptions = { every, duration_s: duration, bms: attachBms(sc), allowAbuse };
  const total = duration ?? sc.duration_s;
  let csv: CsvWriter | null = null;
  if (values.out) {
    if (total !== null) refuseRows(Math.ceil(total / sc.dt_s / every), maxRows);
    // the trace format (meta line, header, rows) is sim/trace.ts's
    const n = sc.pack.ns * sc.pack.np;
    const all = cells === 'all';
    const meta = { ...traceMeta(sc, { every, cells }), ...(allowAbuse ? { allow_abuse: true } : {}) };
    csv = new CsvWriter(values.out as string, [traceMetaLine(meta), traceHeader(n, all, sc.bms !== null).join(',')], maxRows);
    const w = csv;
    opts.onRecord = (v) => w.line(traceRow(v, all));
  }
  const progress = progressReporter(total, 'simulating', 'simulated');
  opts.onProgress = progress.update;
  const wall0 = performance.now();
  let result: ReturnType<typeof runScenario>;
  try {
    result = runScenario(sc, opts);
    csv?.close();
  } catch (e) {
    csv?.discard();
    throw e;
  } finally {
    progress.stop();
  }
  const wall_s = (performance.now() - wall0) / 1000;
  const out = { ...result.summary, wall_s: Number(wall_s.toFixed(3)), ...(result.bms ? result.bms.report() : {}) };
  if (values.json) console.log(JSON.stringify(out, null, 2));
  else console.log(formatSummary(result.summary, wall_s, csv?.path ?? null, result.bms ? bmsLine(result.bms.report()) : null));
  return 0;
}

/** A run that would write more than --max-rows rows is refused before it starts. */
function refuseRows(rows: number, maxRows: number): void {
  if (rows > maxRows) throw new UsageError(`--max-rows: the run would write ${rows} rows, more than ${maxRows}: raise --max-rows or record fewer (--every N)`);
}

/** One line on the BMS's run: transitions, faults, estimator error. */
function bmsLine(r: Record<string, unknown>): string {
  const transitions = (r.transitions as unknown[] | undefined)?.length ?? 0;
  const faults = (r.faults as { tier: string | number }[] | undefined) ?? [];
  const soc = r.soc as { rms_pct: number; max_pct: number } | undefined;
  const parts = [`${transitions} state changes`, `${faults.length} faults raised`];
  if (soc) parts.push(`SOC estimate error ${soc.rms_pct.toFixed(2)} % RMS, ${soc.max_pct.toFixed(2)} % max`);
  return parts.join(', ');
}

function formatSummary(s: Summary, wall_s: number, out: string | null, bms: string | null): string {
  const lines = [
    `scenario   ${s.scenario}  (${s.chemistry}, ${s.pack}, dt ${s.dt_s} s)`,
    `simulated  ${(s.duration_s / 3600).toFixed(2)} h in ${s.steps_simulated} steps, ${wall_s.toFixed(2)} s wall`,
    `energy     ${s.energy.discharged_Wh.toFixed(0)} Wh delivered, ${s.energy.charged_Wh.toFixed(0)} Wh charged, ${s.energy.heat_Wh.toFixed(0)} Wh heat in the cells`,
    `cells      ${s.cell_voltage.min_V.toFixed(3)} V min, ${s.cell_voltage.max_V.toFixed(3)} V max, ${s.temperature.max_C.toFixed(1)} °C max`,
    `SOC        ${s.pack_soc.initial_pct.toFixed(1)} % → ${s.pack_soc.final_pct.toFixed(1)} % (cells ${s.pack_soc.final_min_pct.toFixed(1)}–${s.pack_soc.final_max_pct.toFixed(1)} %)`,
  ];
  if (s.distance_km > 0) lines.push(`driven     ${s.distance_km.toFixed(1)} km at ${s.Wh_per_km?.toFixed(0)} Wh/km`);
  if (bms) lines.push(`BMS        ${bms}`);
  if (s.envelope) {
    lines.push(`ABUSE      cells left the validity envelope in ${s.envelope.steps_outside} steps (--allow-abuse); first:`);
    for (const x of s.envelope.first) lines.push(`  ${x.text}`);
  }
  lines.push('steps');
  for (const st of s.steps) {
    lines.push(`  ${(st.start_s / 3600).toFixed(2).padStart(6)} h  ${st.text}  → ${st.end_reason} at ${(st.end_s / 3600).toFixed(2)} h`);
  }
  if (out) lines.push(`trace      ${out}`);
  return lines.join('\n');
}

async function simCell(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      chemistry: { type: 'string' },
      current: { type: 'string' },
      dt: { type: 'string' },
      out: { type: 'string' },
      'discharge-positive': { type: 'boolean', default: false },
      soc: { type: 'string' },
      temperature: { type: 'string' },
      ambient: { type: 'string' },
      hA: { type: 'string' },
      capacity: { type: 'string' },
      hysteresis: { type: 'string' },
      'no-low-temperature-capacity': { type: 'boolean', default: false },
      'max-rows': { type: 'string' },
      'allow-abuse': { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  for (const k of ['chemistry', 'current', 'dt', 'out'] as const) {
    if (values[k] === undefined) throw new UsageError(`missing --${k}\n${USAGE}`);
  }
  const dt = num('dt', values.dt as string, 1, { min: MIN_DT_S });
  const maxRows = num('max-rows', values['max-rows'] as string | undefined, DEFAULT_MAX_ROWS, { integer: true, min: 1 });
  const chem = loadChemistry(values.chemistry as string);
  const inEnvelope = (name: string, what: 'SOC' | 'temperature', v: number) => {
    const bad = startProblem(chem.spec, what, v);
    if (bad) throw new UsageError(`--${name}: ${bad}`);
    return v;
  };
  const soc = inEnvelope('soc', 'SOC', num('soc', values.soc as string | undefined, 1));
  const ambient = inEnvelope('ambient', 'temperature', num('ambient', values.ambient as string | undefined, chem.T_ref_C));
  const T0 = inEnvelope('temperature', 'temperature', num('temperature', values.temperature as string | undefined, ambient));
  const hA = num('hA', values.hA as string | undefined, chem.spec.thermal.hA_W_per_K, { gt: 0 });
  // a measured cell of this chemistry: an aged one down to half its rating, a fresh one up to twice
  const capacity = num('capacity', values.capacity as string | undefined, chem.capacity_Ah, {
    min: CAPACITY_RANGE[0] * chem.capacity_Ah,
    max: CAPACITY_RANGE[1] * chem.capacity_Ah,
  });
  const h0 = hysteresisOption(values.hysteresis as string | undefined);
  const profile = loadCurrentProfile(values.current as string, { dischargePositive: values['discharge-positive'] as boolean });
  const { time_s } = profile;
  const steps = Math.floor((time_s[time_s.length - 1]! - time_s[0]!) / dt + 1e-9);
  if (steps + 1 > MAX_RUN_STEPS) throw new UsageError(`--dt: ${profile.file} spans ${steps + 1} steps of ${dt} s, more than ${MAX_RUN_STEPS}`);
  refuseRows(steps + 1, maxRows);

  const cell = new Cell(chem.spec, { soc, T_C: T0, h: h0 }, { capacity_Ah: capacity, lowTemperatureCapacity: !values['no-low-temperature-capacity'] });
  const watch = new EnvelopeWatch(chem, values['allow-abuse'] as boolean);
  const header = ['time_s', 'current_A', 'voltage_V', 'soc'];
  for (let j = 1; j <= chem.nRC; j++) header.push(`v_rc${j}_V`);
  header.push('h', 'temperature_C', 'heat_W');
  const csv = new CsvWriter(values.out as string, [header.join(',')], maxRows);
  try {
    runCell(cell, profile, { dt, steps, ambient, hA }, csv, watch);
    csv.close();
  } catch (e) {
    csv.discard();
    throw e;
  }
  const abuse = watch.summary();
  console.log(`natrium sim cell: ${steps + 1} steps of ${dt} s written to ${csv.path}`);
  if (abuse)
    console.log(
      `ABUSE: the cell left the validity envelope in ${abuse.steps_outside} steps (--allow-abuse); first: ${abuse.first.map((x) => x.text).join('; ')}`,
    );
  return 0;
}

/** Hysteresis start states by name (cell-model.md: h -> +1 while charging, -1 while discharging). */
const HYSTERESIS_WORDS: Record<string, number> = { charge: 1, discharge: -1 };

/** --hysteresis: charge, discharge or a number in -1..1; default 0. */
function hysteresisOption(raw: string | undefined): number {
  const word = raw === undefined ? undefined : HYSTERESIS_WORDS[raw.trim().toLowerCase()];
  if (word !== undefined) return word;
  if (raw !== undefined && !Number.isFinite(Number(raw)))
    throw new UsageError(`--hysteresis: expected charge, discharge or a number from -1 to 1, got "${raw}"`);
  return num('hysteresis', raw, 0, { min: -1, max: 1 });
}

/** Steps 0..steps of one cell on a profile (zero-order hold), a row each, the envelope checked. */
function runCell(
  cell: Cell,
  profile: CurrentProfile,
  o: { dt: number; steps: number; ambient: number; hA: number },
  csv: CsvWriter,
  watch: EnvelopeWatch,
): void {
  const { time_s, current_A } = profile;
  const t0 = time_s[0]!;
  const nRC = cell.state.v.length;
  const view = { z: [0], voltage: [0], T: [0], current: [0] };
  const g = (x: number) => String(x); // full precision: this output is for validation
  let idx = 0;
  for (let k = 0; k <= o.steps; k++) {
    const t = t0 + k * o.dt;
    while (idx + 1 < time_s.length && time_s[idx + 1]! <= t + 1e-9) idx++;
    const I = current_A[idx]!;
    const s = cell.state;
    const row = [g(t), g(I), '', g(s.z)];
    for (let j = 0; j < nRC; j++) row.push(g(s.v[j]!));
    row.push(g(s.h), g(s.T_C), '');
    const rep = cell.step(I, o.dt, o.ambient, o.hA);
    row[2] = g(rep.voltage_V);
    row[row.length - 1] = g(rep.heat_W);
    csv.line(row.join(','));
    view.z[0] = cell.state.z;
    view.voltage[0] = rep.voltage_V;
    view.T[0] = cell.state.T_C;
    view.current[0] = I;
    watch.check(t, view, 1);
  }
}
