/**
 * Running a library scenario with the BMS and a probe (test/sim/bms/scenarios.test.ts): one
 * record per pack step of what the checks read, the onset of a fault as the check's own
 * evaluations see it, and the expected reactions (derating, opening, temperature derating),
 * each deadline computed from the BMS configuration.
 */
import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { type Bms, type BmsConfig, createBmsForScenario } from '../../../sim/bms/index.ts';
import type { CellVoltageBlock } from '../../../sim/bms/database.ts';
import { DERATES } from '../../../sim/bms/diag.ts';
import type { BmsReport } from '../../../sim/bms/report.ts';
import { DERATE_WARNING } from '../../../sim/bms/sop.ts';
import { CHECKS, type CheckId } from '../../../sim/bms/types.ts';
import { type RunResult, runScenario } from '../../../sim/run.ts';
import { type Scenario } from '../../../sim/scenario.ts';
import { interp1 } from '../../../sim/table.ts';
import { SCENARIO_DIR, loadScenario } from '../../../sim/node/load.ts';

export const EPS = 1e-6;
export const TIER_INDEX = { INFO: 0, WARNING: 1, FATAL: 2 } as const;
export type Tier = keyof typeof TIER_INDEX;

export const library = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();
export const faultScenarios = library.filter((n) => n.startsWith('fault-'));
export const cleanScenarios = library.filter((n) => !n.startsWith('fault-'));

// ---------------------------------------------------------------------------------------
// running a scenario with a probe

/** One record per pack step (after the BMS ticks of that step). */
export interface Trace {
  /** Time of the last BMS tick of the step, s. */
  t: number[];
  /** Pack current the plant carried over the step, A (charge positive). */
  I: number[];
  chargeLimit: number[];
  dischargeLimit: number[];
  faultDerate: number[];
  pathClosed: boolean[];
  state: string[];
  npEffMin: number[];
  weakGroup: number[];
  /** Hottest valid NTC, °C. */
  ntcMax: number[];
  /** The probed check's quantity, as soa evaluates it (NaN where it is not evaluated). */
  quantity: number[];
}

export interface Run {
  sc: Scenario;
  res: RunResult;
  bms: Bms;
  cfg: BmsConfig;
  report: BmsReport;
  trace: Trace;
}

export function periodOf(cfg: BmsConfig, id: CheckId): number {
  const s = cfg.scheduler;
  const task = CHECKS[id].task;
  return (task === 'fast' ? s.fast_period_ms : task === 'mid' ? s.mid_period_ms : s.slow_period_ms) / 1000;
}

/** The quantity check `id` compares with its thresholds, read from the database as soa reads it. */
/**
 * cell_voltage_plausibility's quantity followed from the cellVoltage block, written from its
 * definition (sim/bms/soa.ts): per valid channel, the farthest the mean cell voltage has moved
 * since the channel's reading last changed; the worst channel's (0 with one valid channel).
 */
export function frozenChannels(): (cv: Readonly<CellVoltageBlock>) => number {
  const last = new Map<number, { reading: number; mean: number; moved: number }>();
  return (cv) => {
    let worst = 0;
    cv.voltage_V.forEach((r, g) => {
      const s = last.get(g);
      if (!cv.valid[g]) last.delete(g);
      else if (s === undefined || s.reading !== r) last.set(g, { reading: r, mean: cv.avg_V, moved: 0 });
      else {
        s.moved = Math.max(s.moved, Math.abs(cv.avg_V - s.mean));
        worst = Math.max(worst, s.moved);
      }
    });
    return cv.validCount > 1 ? worst : 0;
  };
}

export function quantity(id: CheckId, bms: Bms, np: number, frozen: (cv: Readonly<CellVoltageBlock>) => number): number {
  const db = bms.db;
  const cv = db.peek('cellVoltage');
  const ct = db.peek('cellTemperature');
  const cur = db.peek('current');
  switch (id) {
    case 'cell_overvoltage':
      return cv.validCount > 0 ? cv.max_V : NaN;
    case 'cell_voltage_spread':
      return cv.validCount > 0 ? cv.max_V - cv.min_V : NaN;
    case 'open_sense_wire':
      return cv.openWireDelta_V;
    case 'temperature_spread':
      return ct.validCount > 0 ? ct.max_C - ct.min_C : NaN;
    case 'ntc_open':
      return ct.rawMin_C;
    case 'ntc_short':
      return ct.rawMax_C;
    case 'overtemperature_charge': {
      const charging = cur.current_A > bms.config.soc.rest_current_A * np; // as soa.runSlow decides
      return charging && ct.validCount > 0 ? ct.max_C : NaN;
    }
    case 'current_plausibility':
      return Math.abs(cur.current_A - cur.redundant_A);
    case 'contactor_feedback':
      return bms.contactors.mismatches(db);
    case 'cell_voltage_plausibility':
      return frozen(cv);
    default:
      return NaN;
  }
}

export function run(name: string, probe: CheckId | null): Run {
  const sc = loadScenario(name);
  let bms: Bms | null = null;
  const frozen = frozenChannels();
  const trace: Trace = {
    t: [],
    I: [],
    chargeLimit: [],
    dischargeLimit: [],
    faultDerate: [],
    pathClosed: [],
    state: [],
    npEffMin: [],
    weakGroup: [],
    ntcMax: [],
    quantity: [],
  };
  const res = runScenario(sc, {
    bms: (pack, s) => {
      bms = createBmsForScenario(pack, s);
      return bms;
    },
    onRecord: (v) => {
      const b = bms!;
      const sop = b.db.peek('sop');
      const soh = b.db.peek('soh');
      trace.t.push(b.db.now_ms / 1000);
      trace.I.push(v.pack.packCurrent);
      trace.chargeLimit.push(sop.chargeLimit_A);
      trace.dischargeLimit.push(sop.dischargeLimit_A);
      trace.faultDerate.push(sop.faultDerate);
      trace.pathClosed.push(b.pathClosed);
      trace.state.push(v.bms!.state);
      trace.npEffMin.push(soh.npEffMin);
      trace.weakGroup.push(soh.weakGroup);
      trace.ntcMax.push(b.db.peek('cellTemperature').max_C);
      trace.quantity.push(probe ? quantity(probe, b, v.pack.np, frozen) : NaN);
    },
  });
  const b = bms! as Bms;
  return { sc, res, bms: b, cfg: b.config, report: b.report() as BmsReport, trace };
}

/** Index of the first record at or after t_s. */
export function at(tr: Trace, t_s: number): number {
  const i = tr.t.findIndex((t) => t >= t_s - EPS);
  expect(i, `a record at ${t_s} s`).toBeGreaterThanOrEqual(0);
  return i;
}

/**
 * Onset of a tier's condition after t0: the first evaluation (a tick of the check's task)
 * beyond the tier's threshold that starts a run of debounce_ticks such evaluations.
 */
export function observedOnset(r: Run, id: CheckId, tier: Tier, t0: number): number {
  const thr = r.bms.diag.thresholds[Object.keys(CHECKS).indexOf(id) * 3 + TIER_INDEX[tier]]!;
  expect(Number.isNaN(thr), `${id} has a ${tier} threshold`).toBe(false);
  const over = CHECKS[id].over;
  const period_ms = Math.round(periodOf(r.cfg, id) * 1000);
  const deb = r.cfg.checks[id].debounce_ticks;
  const tr = r.trace;
  let run = 0;
  let start = NaN;
  for (let i = 0; i < tr.t.length; i++) {
    const t_ms = Math.round(tr.t[i]! * 1000);
    if (tr.t[i]! < t0 - EPS || t_ms % period_ms !== 0) continue;
    const v = tr.quantity[i]!;
    const beyond = over ? v > thr : v < thr;
    if (beyond) {
      if (run === 0) start = tr.t[i]!;
      if (++run >= deb) return start;
    } else {
      run = 0;
    }
  }
  return expect.fail(`${id} ${tier}: the condition (${over ? '>' : '<'} ${thr}) never held for ${deb} evaluations after ${t0} s`);
}

/** The warning reaction: in the raising tick the limits of the check's direction are cut to warning_factor of their base or less. */
export function expectDerated(r: Run, id: CheckId, raised_s: number): void {
  const i = at(r.trace, raised_s);
  const { sop } = r.cfg;
  const np = r.res.pack.np;
  expect(r.trace.t[i]).toBeCloseTo(raised_s, 6);
  expect(r.trace.faultDerate[i]! & DERATE_WARNING, 'SOP marks the warning derate').toBe(DERATE_WARNING);
  const dir = DERATES[id];
  if (dir & 1) expect(r.trace.chargeLimit[i]!).toBeLessThanOrEqual(sop.warning_factor * sop.charge_current_A * np + EPS);
  if (dir & 2) expect(r.trace.dischargeLimit[i]!).toBeLessThanOrEqual(sop.warning_factor * sop.peak_discharge_current_A * np + EPS);
  const inj = r.report.injections[0]!;
  expect(inj.derate_s).not.toBeNull();
  expect(inj.derate_s!).toBeLessThanOrEqual(raised_s + r.cfg.scheduler.fast_period_ms / 1000 + EPS);
}

/**
 * The fatal reaction: ERROR once the delay has passed, the main path open by raised + delay +
 * operate + break wait + one tick, and open from then on with no current.
 */
export function expectOpened(r: Run, id: CheckId, raised_s: number, loadIgnoresLimit: boolean): { error_s: number; open_s: number; deadline_s: number } {
  const c = r.cfg;
  const fast = c.scheduler.fast_period_ms / 1000;
  const delay = c.checks[id].delay_ms / 1000;
  const err = r.report.transitions.find((x) => x.to === 'ERROR' && x.t_s >= raised_s - EPS);
  expect(err, JSON.stringify(r.report.transitions)).toBeDefined();
  const breakWait = loadIgnoresLimit ? c.contactors.max_break_wait_ms / 1000 + fast : fast;
  const deadline = raised_s + delay + c.contactors.operate_ms / 1000 + breakWait + fast;
  const inj = r.report.injections[0]!;
  expect(inj.open_s, 'the main path opened').not.toBeNull();
  expect(inj.open_s!).toBeGreaterThanOrEqual(raised_s + delay - EPS); // the delay is honoured...
  expect(inj.open_s!).toBeLessThanOrEqual(deadline + EPS); // ...and the opening not late
  // ERROR is the state from the tick the contacts show open (PROTOCOL.md §8), not before
  expect(err!.t_s).toBeCloseTo(inj.open_s!, 6);
  const tr = r.trace;
  for (let i = at(tr, inj.open_s!); i < tr.t.length; i++) {
    expect(tr.pathClosed[i], `path at ${tr.t[i]} s`).toBe(false);
    if (i > at(tr, inj.open_s!)) expect(tr.I[i], `current at ${tr.t[i]} s`).toBe(0);
  }
  expect(tr.state.at(-1)).toBe('ERROR');
  expect(r.res.summary.steps.at(-1)!.end_reason).toBe('bms_error');
  return { error_s: err!.t_s, open_s: inj.open_s!, deadline_s: deadline };
}

/** The charge limit never exceeds the high-temperature derating table at the hottest NTC, and the load follows it. */
export function expectTemperatureDerating(r: Run, from_s: number): number {
  const { sop } = r.cfg;
  const base = sop.charge_current_A * r.res.pack.np;
  const tab = sop.charge_high_temperature;
  const tr = r.trace;
  let minFactor = 1;
  for (let i = at(tr, from_s); i < tr.t.length; i++) {
    if (Number.isNaN(tr.ntcMax[i]!)) continue; // before the first NTC cycle (SOP then uses the warning factor)
    const f = interp1(tab.x, tab.factor, tr.ntcMax[i]!);
    minFactor = Math.min(minFactor, f);
    expect(tr.chargeLimit[i]!, `charge limit at ${tr.t[i]} s, NTC max ${tr.ntcMax[i]} °C`).toBeLessThanOrEqual(base * f + EPS);
    if (i + 1 < tr.t.length) expect(tr.I[i + 1]!).toBeLessThanOrEqual(tr.chargeLimit[i]! + EPS);
  }
  return minFactor;
}

export function nonInfo(r: Run) {
  return r.report.faults.filter((f) => f.tier !== 'INFO');
}
