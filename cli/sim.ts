/**
 * natrium sim SCENARIO [--out trace.csv] [--cells all|min-max] [--every N] [--json] [--duration S]
 * natrium sim cell --chemistry FILE.json --current PROFILE.csv --dt SECONDS --out trace.csv
 *                  [--discharge-positive] [--soc Z] [--temperature C] [--ambient C] [--hA W/K]
 */
import { Cell } from '../sim/cell.ts';
import { loadChemistry } from '../sim/chemistry.ts';
import { loadCurrentProfile } from '../sim/load/profile.ts';
import { type RunOptions, type Summary, runScenario } from '../sim/run.ts';
import { loadScenario } from '../sim/scenario.ts';
import { traceHeader, traceMeta, traceMetaLine, traceRow } from '../sim/trace.ts';
import { UsageError, num, parse } from './args.ts';
import { CsvWriter } from './csv.ts';
import { attachBms } from './bms.ts';
import { progressReporter } from './progress.ts';

const USAGE = `usage: natrium sim SCENARIO [--out trace.csv] [--cells all|min-max] [--every N] [--json] [--duration SECONDS]
       natrium sim cell --chemistry FILE.json --current PROFILE.csv --dt SECONDS --out trace.csv
                        [--discharge-positive] [--soc 0..1] [--temperature C] [--ambient C] [--hA W/K]

SCENARIO is a name from sim/scenarios/ (e.g. default) or a path to a scenario JSON file.`;

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
  const sc = loadScenario(positionals[0]!);
  const duration = values.duration === undefined ? undefined : num('duration', values.duration as string, 0, { gt: 0 });

  const opts: RunOptions = { every, duration_s: duration, bms: attachBms(sc) };
  let csv: CsvWriter | null = null;
  if (values.out) {
    // the trace format (meta line, header, rows) is sim/trace.ts's
    const n = sc.pack.ns * sc.pack.np;
    const all = cells === 'all';
    csv = new CsvWriter(values.out as string, [traceMetaLine(traceMeta(sc, { every, cells }))]);
    csv.line(traceHeader(n, all, sc.bms !== null).join(','));
    const w = csv;
    opts.onRecord = (v) => w.line(traceRow(v, all));
  }
  const total = duration ?? sc.duration_s;
  const progress = progressReporter(total, 'simulating', 'simulated');
  opts.onProgress = progress.update;
  const wall0 = performance.now();
  const result = runScenario(sc, opts);
  progress.stop();
  csv?.close();
  const wall_s = (performance.now() - wall0) / 1000;
  const out = { ...result.summary, wall_s: Number(wall_s.toFixed(3)), ...(result.bms ? result.bms.report() : {}) };
  if (values.json) console.log(JSON.stringify(out, null, 2));
  else console.log(formatSummary(result.summary, wall_s, csv?.path ?? null, result.bms ? bmsLine(result.bms.report()) : null));
  return 0;
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
      'no-low-temperature-capacity': { type: 'boolean', default: false },
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
  const chem = loadChemistry(values.chemistry as string);
  const profile = loadCurrentProfile(values.current as string, { dischargePositive: values['discharge-positive'] as boolean });
  const dt = num('dt', values.dt as string, 1, { gt: 0 });
  const soc = num('soc', values.soc as string | undefined, 1, { min: -0.5 });
  const ambient = num('ambient', values.ambient as string | undefined, chem.T_ref_C);
  const T0 = num('temperature', values.temperature as string | undefined, ambient);
  const hA = num('hA', values.hA as string | undefined, chem.spec.thermal.hA_W_per_K, { gt: 0 });
  const cell = new Cell(chem.spec, { soc, T_C: T0 }, { lowTemperatureCapacity: !values['no-low-temperature-capacity'] });
  const nRC = chem.nRC;
  const header = ['time_s', 'current_A', 'voltage_V', 'soc'];
  for (let j = 1; j <= nRC; j++) header.push(`v_rc${j}_V`);
  header.push('h', 'temperature_C', 'heat_W');
  const csv = new CsvWriter(values.out as string, header);
  const { time_s, current_A } = profile;
  const t0 = time_s[0]!;
  const tEnd = time_s[time_s.length - 1]!;
  let idx = 0;
  const steps = Math.floor((tEnd - t0) / dt + 1e-9);
  const g = (x: number) => String(x); // full precision: this output is for validation
  for (let k = 0; k <= steps; k++) {
    const t = t0 + k * dt;
    while (idx + 1 < time_s.length && time_s[idx + 1]! <= t + 1e-9) idx++;
    const I = current_A[idx]!;
    const s = cell.state;
    const row = [g(t), g(I), '', g(s.z)];
    for (let j = 0; j < nRC; j++) row.push(g(s.v[j]!));
    row.push(g(s.h), g(s.T_C), '');
    const rep = cell.step(I, dt, ambient, hA);
    row[2] = g(rep.voltage_V);
    row[row.length - 1] = g(rep.heat_W);
    csv.line(row.join(','));
  }
  csv.close();
  console.log(`natrium sim cell: ${steps + 1} steps of ${dt} s written to ${csv.path}`);
  return 0;
}
