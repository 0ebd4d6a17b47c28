/**
 * Re-simulation of a capture (issue #12 item 6): the pack model and the BMS firmware emulator are
 * driven with the capture's measured pack current, and what the firmware would have done (BMS
 * state, fault mask, SOC estimate, current limits) is compared with what the capture shows
 * (analyzer/diff.ts, the capture as baseline A). A field log becomes a regression test for a
 * firmware configuration change: resim it with the new configuration and read where they part.
 *
 * What drives the re-simulation, from the capture:
 * - the current: PACK_STATUS current_A, charge positive. The status at device time t reports the
 *   sim step that ended at or before t (device/model.ts), so the step [k·dt, (k+1)·dt) gets the
 *   first status at or after (k+1)·dt, held over the step (a current-profile step, sim/scenario.ts);
 *   a status without a valid current holds the one before;
 * - the start: SOC and temperature of the first row (the simulator truth when the capture has it,
 *   else the BMS's SOC estimate and the mean of its hottest and coldest sensor);
 * - the host's requests: the capture has no command channel, so they are read off its states:
 *   each time the BMS reaches NORMAL or CHARGE other than the last one reached, that request is
 *   made in the sim step that caused the first sign of it: the firmware setting both current
 *   limits to 0 while still in the old mode (waiting to open the contactors), else the first row
 *   out of the old mode. The first request is at 0 s unless the capture sat in STANDBY before
 *   it (then: when it left STANDBY). RESET and STANDBY requests are not read (not shown apart
 *   from the firmware's own transitions).
 * What comes from the scenario: pack, spread, thermal model, ambient (a capture has no ambient
 * channel), seed, dt_s, BMS configuration and scheduled faults; `chemistry` and `config` replace
 * its chemistry and BMS configuration.
 *
 * Node-only (reads files, runs sim/ and device/): the analyser core stays free of both.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { captureScenario } from '../../device/capture.ts';
import { BmsState } from '../../protocol/messages.ts';
import type { HostRequest } from '../../sim/bms/interface.ts';
import { PRESETS } from '../../sim/chemistry.ts';
import { InputError } from '../../sim/errors.ts';
import type { Scenario } from '../../sim/scenario.ts';
import { Reader, parseJson } from '../../sim/validate.ts';
import { type DiffReport, type Tolerances, diffTimelines } from '../diff.ts';
import { TimelineBuilder } from '../timeline/ingest.ts';
import type { Timeline } from '../timeline/store.ts';
import { readBmsConfig } from '../../sim/bms/config.ts';
import { NODE_FILES } from '../../sim/node/files.ts';
import { loadChemistry } from '../../sim/node/load.ts';

export const RESIM_SCHEMA = 'natrium.resim/1';

/** The channels compared: what the firmware decides. */
export const RESIM_CHANNELS = ['state', 'faultMask', 'soc', 'chargeCurrentLimit_A', 'dischargeCurrentLimit_A'] as const;

const TOLERANCE_FILE = new URL('./resim-tolerances.json', import.meta.url);
const EPS_S = 1e-6;

/** The default tolerances (analyzer/node/resim-tolerances.json), validated. */
export function defaultResimTolerances(): Tolerances {
  const label = 'analyzer/node/resim-tolerances.json';
  const r = new Reader(label, parseJson(label, readFileSync(TOLERANCE_FILE, 'utf8')));
  const out: Tolerances = {};
  for (const ch of Object.keys(r.only(['$comment', ...RESIM_CHANNELS]).object())) {
    if (ch === '$comment') continue;
    const t = r.get(ch).only(['abs', 'rel', 'time_s']);
    out[ch] = { abs: t.get('abs').number({ min: 0 }), rel: t.get('rel').number({ min: 0 }), time_s: t.get('time_s').number({ min: 0 }) };
  }
  return out;
}

export interface ResimOptions {
  /** Chemistry preset or path, instead of the scenario's. */
  chemistry?: string;
  /** BMS configuration (preset name or path to a .json file), instead of the scenario's "bms". */
  config?: string;
  /** Tolerances over defaultResimTolerances(). */
  tolerances?: Tolerances;
  /** Names for the report. */
  names?: { capture: string; scenario: string };
}

export interface ResimInputs {
  /** Pack current per sim step, A, charge positive: value k holds over [k·dt, (k+1)·dt). */
  current_A: Float64Array;
  start: { soc: number; temperature_C: number; from: 'truth' | 'bms' };
  host: { at_s: number; request: HostRequest }[];
  duration_s: number;
}

export interface ResimReport {
  schema: typeof RESIM_SCHEMA;
  capture: string;
  scenario: string;
  chemistry: string;
  bms_config: string;
  /** Where the inputs came from; the ambient is the scenario's (a capture has none). */
  inputs: {
    current: string;
    ambient: string;
    start: ResimInputs['start'];
    host_requests: ResimInputs['host'];
    duration_s: number;
    steps: number;
  };
  /** The capture (A) against the re-simulation (B) on RESIM_CHANNELS. */
  diff: DiffReport;
  exit_code: 0 | 1;
}

const first = (col: ArrayLike<number>, n: number): number => {
  for (let r = 0; r < n; r++) if (!Number.isNaN(col[r]!)) return col[r]!;
  return NaN;
};

/** The current profile, start and host requests of a capture, on sim steps of dt_s. */
export function resimInputs(tl: Timeline, dt_s: number, captureName: string): ResimInputs {
  const n = tl.length;
  const cur = tl.pack.current_A;
  const last = n > 0 ? tl.t_s[n - 1]! : 0;
  const steps = Math.floor(last / dt_s + EPS_S);
  if (steps < 1) throw new InputError(captureName, '(data)', `covers ${last} s, less than one sim step (${dt_s} s)`);
  const current_A = new Float64Array(steps);
  let r = 0;
  let held = 0;
  for (let k = 0; k < steps; k++) {
    const end = (k + 1) * dt_s - EPS_S;
    while (r < n && (tl.t_s[r]! < end || !tl.hasStatus(r))) r++;
    if (r < n && !Number.isNaN(cur[r]!)) held = cur[r]!;
    current_A[k] = held;
  }
  const truthSoc = first(tl.pack.truthSocAvg, n);
  const truthT = first(tl.pack.truthCoreTemperatureAvg_C, n);
  const fromTruth = !Number.isNaN(truthSoc) && !Number.isNaN(truthT);
  const soc = fromTruth ? truthSoc : first(tl.pack.soc, n);
  const temperature_C = fromTruth ? truthT : (first(tl.pack.temperatureMin_C, n) + first(tl.pack.temperatureMax_C, n)) / 2;
  if (Number.isNaN(soc) || Number.isNaN(temperature_C)) throw new InputError(captureName, '(data)', 'no SOC or temperature to start from (no PACK_STATUS?)');
  return { current_A, start: { soc, temperature_C, from: fromTruth ? 'truth' : 'bms' }, host: hostRequestsOf(tl, dt_s), duration_s: steps * dt_s };
}

/** The host's NORMAL / CHARGE requests as the capture's states show them (see the file comment). */
export function hostRequestsOf(tl: Timeline, dt_s: number): { at_s: number; request: HostRequest }[] {
  const out: { at_s: number; request: HostRequest }[] = [];
  const cl = tl.pack.chargeCurrentLimit_A;
  const dl = tl.pack.dischargeCurrentLimit_A;
  // a status at t reports the sim step that ended at t: what it shows was caused in the step before
  const stepOf = (t: number): number => Math.max(0, (Math.floor(t / dt_s + EPS_S) - 1) * dt_s);
  let target: number | null = null;
  let zeroRun = NaN; // first row of the run, up to now, in `target` with both limits at 0
  let firstOut = NaN; // first row after the last one in `target` (or in STANDBY, before any target)
  let prev: number | null = null;
  for (let r = 0; r < tl.length; r++) {
    if (!tl.hasStatus(r)) continue;
    const s = tl.state[r]!;
    const t = tl.t_s[r]!;
    const inTarget = target === null ? s === BmsState.STANDBY : s === target;
    if (inTarget) {
      if (cl[r] === 0 && dl[r] === 0) {
        if (Number.isNaN(zeroRun)) zeroRun = t;
      } else zeroRun = NaN;
    } else if (prev !== null && (target === null ? prev === BmsState.STANDBY : prev === target)) firstOut = t;
    prev = s;
    if ((s !== BmsState.NORMAL && s !== BmsState.CHARGE) || s === target) continue;
    const cause = target !== null && !Number.isNaN(zeroRun) ? zeroRun : firstOut;
    out.push({ at_s: Number.isNaN(cause) ? 0 : stepOf(cause), request: s === BmsState.NORMAL ? 'NORMAL' : 'CHARGE' });
    target = s;
    zeroRun = NaN;
    firstOut = NaN;
  }
  return out;
}

/** The scenario that re-simulates the capture: its own, driven by the capture's inputs. */
export function resimScenario(sc: Scenario, inputs: ResimInputs, opts: Pick<ResimOptions, 'chemistry' | 'config'> = {}): Scenario {
  const k = inputs.current_A.length;
  const time_s = Float64Array.from({ length: k + 1 }, (_, i) => i * sc.dt_s);
  const current_A = Float64Array.from({ length: k + 1 }, (_, i) => inputs.current_A[Math.min(i, k - 1)]!);
  const chemistry =
    opts.chemistry === undefined
      ? sc.chemistry
      : loadChemistry((PRESETS as readonly string[]).includes(opts.chemistry) ? opts.chemistry : resolve(opts.chemistry));
  const section =
    opts.config === undefined ? sc.bmsSection : new Reader(opts.config, opts.config.endsWith('.json') ? resolve(opts.config) : opts.config, 'bms');
  // the configuration's limits derive from the chemistry: read it anew unless both are the scenario's
  const same = section === sc.bmsSection && chemistry === sc.chemistry;
  const bms = section === null ? null : same ? sc.bms : readBmsConfig(section, chemistry, NODE_FILES, sc.baseDir);
  return {
    ...sc,
    chemistry,
    bms,
    bmsSection: section,
    initial: { ...sc.initial, soc: inputs.start.soc, temperature_C: inputs.start.temperature_C },
    duration_s: inputs.duration_s,
    repeat_steps: false,
    steps: [{ kind: 'current', text: 'Current of the capture', profile: { file: '(capture)', time_s, current_A }, request: null, duration_s: null, until: [] }],
    host: inputs.host,
  };
}

/** Runs `sc` in the emulated BMS (device/capture.ts) into a Timeline. */
export function simulateTimeline(sc: Scenario, duration_s: number): Timeline {
  const b = new TimelineBuilder();
  captureScenario(sc, { duration_s, out: (bytes) => b.push(bytes) });
  b.finish();
  return b.timeline;
}

/** Re-simulates the capture `tl` against scenario `sc` and diffs (see the file comment). */
export function resimulate(tl: Timeline, sc: Scenario, opts: ResimOptions = {}): ResimReport {
  const names = opts.names ?? { capture: 'capture', scenario: sc.name };
  const info = tl.infos[0]?.info;
  if (info && (info.ns !== sc.pack.ns || info.np !== sc.pack.np)) {
    throw new InputError(names.capture, 'INFO', `the capture is of a ${info.ns}s${info.np}p pack, scenario ${names.scenario} of ${sc.pack.ns}s${sc.pack.np}p`);
  }
  const inputs = resimInputs(tl, sc.dt_s, names.capture);
  const rs = resimScenario(sc, inputs, opts);
  const sim = simulateTimeline(rs, inputs.duration_s);
  const tolerances = { ...defaultResimTolerances(), ...opts.tolerances };
  const diff = diffTimelines(tl, sim, tolerances, { a: names.capture, b: `resim of ${names.scenario}` }, RESIM_CHANNELS);
  const bmsName = opts.config ?? (sc.bmsSection === null ? 'default' : typeof sc.bmsSection.value === 'string' ? sc.bmsSection.value : `the scenario's "bms"`);
  return {
    schema: RESIM_SCHEMA,
    capture: names.capture,
    scenario: names.scenario,
    chemistry: rs.chemistry.name,
    bms_config: bmsName,
    inputs: {
      current: `the capture's PACK_STATUS current_A, held over each ${sc.dt_s} s step`,
      ambient: `the scenario's (the capture has no ambient channel)`,
      start: inputs.start,
      host_requests: inputs.host,
      duration_s: inputs.duration_s,
      steps: inputs.current_A.length,
    },
    diff,
    exit_code: diff.exit_code,
  };
}
