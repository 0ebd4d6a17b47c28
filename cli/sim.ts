/**
 * natrium sim SCENARIO [--out trace.csv] [--cells all|min-max] [--every N] [--json] [--duration S]
 * natrium sim cell --chemistry FILE.json --current PROFILE.csv --dt SECONDS --out trace.csv
 *                  [--discharge-positive] [--soc Z] [--temperature C] [--ambient C] [--hA W/K]
 */
import { SingleBar } from 'cli-progress';
import { Cell } from '../sim/cell.ts';
import { loadChemistry } from '../sim/chemistry.ts';
import { loadCurrentProfile } from '../sim/load/profile.ts';
import type { Pack } from '../sim/pack.ts';
import { type RunOptions, type StepView, type Summary, runScenario } from '../sim/run.ts';
import { loadScenario } from '../sim/scenario.ts';
import { UsageError, num, parse } from './args.ts';
import { CsvWriter, fx } from './csv.ts';
import { attachBms } from './bms.ts';

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
    const n = sc.pack.ns * sc.pack.np;
    csv = new CsvWriter(values.out as string, traceHeader(n, cells === 'all', sc.bms !== null));
    const w = csv;
    opts.onRecord = (v) => w.line(traceRow(v, cells === 'all'));
  }
  const total = duration ?? sc.duration_s;
  const progress = progressReporter(total);
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

function traceHeader(n: number, all: boolean, bms: boolean): string[] {
  const h = ['time_s', 'current_A', 'voltage_V', 'ambient_C', 'soc'];
  if (all) {
    for (let i = 1; i <= n; i++) h.push(`v${i}_V`);
    for (let i = 1; i <= n; i++) h.push(`soc${i}`);
    for (let i = 1; i <= n; i++) h.push(`T${i}_C`);
  } else {
    h.push('v_min_V', 'v_max_V', 'soc_min', 'soc_max', 'T_min_C', 'T_max_C');
  }
  if (bms) h.push('bms_state', 'soc_est', 'charge_limit_A', 'discharge_limit_A', 'balancing_count');
  return h;
}

function traceRow(v: StepView, all: boolean): string {
  const p: Pack = v.pack;
  // row k: t_k, I_k, V_k and the states z_k, T_k
  const parts = [fx(v.t_s, 3), fx(p.packCurrent, 4), fx(p.packVoltage, 4), fx(v.ambient_C, 2), fx(v.soc, 6)];
  const n = p.n;
  if (all) {
    for (let i = 0; i < n; i++) parts.push(fx(p.voltage[i]!, 5));
    for (let i = 0; i < n; i++) parts.push(fx(v.z[i]!, 6));
    for (let i = 0; i < n; i++) parts.push(fx(v.T_C[i]!, 3));
  } else {
    let vMin = Infinity, vMax = -Infinity, zMin = Infinity, zMax = -Infinity, tMin = Infinity, tMax = -Infinity;
    for (let i = 0; i < n; i++) {
      const vi = p.voltage[i]!, zi = v.z[i]!, ti = v.T_C[i]!;
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

/** A progress bar on a TTY, shown only once a run has taken more than a second. */
function progressReporter(total_s: number | null): { update: (t_s: number) => void; stop: () => void } {
  const start = performance.now();
  let bar: SingleBar | null = null;
  const tty = process.stderr.isTTY === true;
  return {
    update(t_s: number) {
      if (!tty) return;
      if (!bar && performance.now() - start > 1000) {
        bar = new SingleBar(
          {
            stream: process.stderr,
            format: total_s ? ' simulating [{bar}] {percentage}% | {value}/{total} s simulated | ETA {eta}s' : ' simulating {value} s',
            hideCursor: true,
            clearOnComplete: true,
          },
        );
        bar.start(total_s ? Math.round(total_s) : 0, 0);
      }
      bar?.update(Math.round(t_s));
    },
    stop() {
      bar?.stop();
    },
  };
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
