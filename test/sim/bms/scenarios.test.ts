/**
 * Scenario-level tests of the BMS (issue 3 §5, first bullet), through the runner
 * (sim/run.ts runScenario) with the BMS attached as the CLI attaches it (cli/bms.ts):
 *
 *  - every fault scenario of the library (sim/scenarios/fault-*.json): the right fault code
 *    and tier, raised within the check's debounce (ticks × its task period) plus one task
 *    period of the condition's onset, and the specified reaction within the configured times:
 *      warning (RSL)  the current limits are cut (× sop.warning_factor) in the raising tick;
 *      fatal (MSL)    the main path open no earlier than the check's delay_ms and by raised +
 *                     delay_ms + operate_ms + the break-current wait + one task period, and
 *                     ERROR from the tick it is open (the state follows the contactors' auxiliary
 *                     contacts, PROTOCOL.md §8). The break-current wait is one fast
 *                     tick when the load follows the zero limit, and max_break_wait_ms + one
 *                     tick when it cannot be seen to (a charger that ignores the limit, a
 *                     drifting shunt);
 *      temperature    (cooling failure, heat wave) no trip: the charge limit follows the
 *                     high-temperature derating table at every step;
 *      weak group     (cell disconnect) the limits fall to the parallel cells left.
 *    Every deadline is computed from the BMS configuration; none is a hand-picked slack.
 *  - every clean scenario: no warning, no fatal fault, no trip, and the EKF's SOC error small
 *    (RMS ≤ 0.25 %, max ≤ 0.5 %: the worst measured are 0.09 % RMS on hot-city-fast-charge and
 *    0.21 % max on fast-charge-3c).
 *
 * The onset of a fault is its injection time where the sensor reads wrong at once, or (for a
 * fault that develops: a drifting NTC, a heating short, a charger pushing the voltage up) the
 * first evaluation of the check, in its task, that starts a run of NOT_OK readings as long as
 * its debounce count — read from the same database block the check reads.
 * Fault scenarios step the pack at the fast task period (0.1 s), so every tick is observed.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attachBms } from '../../../cli/bms.ts';
import { type Bms, type BmsConfig, createBmsForScenario } from '../../../sim/bms/index.ts';
import { sensorCells } from '../../../sim/bms/afe.ts';
import type { CellVoltageBlock } from '../../../sim/bms/database.ts';
import { DERATES } from '../../../sim/bms/diag.ts';
import type { BmsReport } from '../../../sim/bms/report.ts';
import { DERATE_WARNING, DERATE_WEAK_GROUP } from '../../../sim/bms/sop.ts';
import { CHECKS, type CheckId, FAULT_CODE_NAMES } from '../../../sim/bms/types.ts';
import { type RunResult, runScenario } from '../../../sim/run.ts';
import { SCENARIO_DIR, type Scenario, loadScenario, readScenario } from '../../../sim/scenario.ts';
import { interp1 } from '../../../sim/table.ts';

const EPS = 1e-6;
const TIER_INDEX = { INFO: 0, WARNING: 1, FATAL: 2 } as const;
type Tier = keyof typeof TIER_INDEX;

const library = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();
const faultScenarios = library.filter((n) => n.startsWith('fault-'));
const cleanScenarios = library.filter((n) => !n.startsWith('fault-'));

// ---------------------------------------------------------------------------------------
// running a scenario with a probe

/** One record per pack step (after the BMS ticks of that step). */
interface Trace {
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

interface Run {
  sc: Scenario;
  res: RunResult;
  bms: Bms;
  cfg: BmsConfig;
  report: BmsReport;
  trace: Trace;
}

function periodOf(cfg: BmsConfig, id: CheckId): number {
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
function frozenChannels(): (cv: Readonly<CellVoltageBlock>) => number {
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

function quantity(id: CheckId, bms: Bms, np: number, frozen: (cv: Readonly<CellVoltageBlock>) => number): number {
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

function run(name: string, probe: CheckId | null): Run {
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
      bms = createBmsForScenario(pack, s, s.baseDir);
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
function at(tr: Trace, t_s: number): number {
  const i = tr.t.findIndex((t) => t >= t_s - EPS);
  expect(i, `a record at ${t_s} s`).toBeGreaterThanOrEqual(0);
  return i;
}

/**
 * Onset of a tier's condition after t0: the first evaluation (a tick of the check's task)
 * beyond the tier's threshold that starts a run of debounce_ticks such evaluations.
 */
function observedOnset(r: Run, id: CheckId, tier: Tier, t0: number): number {
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
function expectDerated(r: Run, id: CheckId, raised_s: number): void {
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
function expectOpened(r: Run, id: CheckId, raised_s: number, loadIgnoresLimit: boolean): { error_s: number; open_s: number; deadline_s: number } {
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
function expectTemperatureDerating(r: Run, from_s: number): number {
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

function nonInfo(r: Run) {
  return r.report.faults.filter((f) => f.tier !== 'INFO');
}

// ---------------------------------------------------------------------------------------
// the expected reaction to each fault scenario (sim/bms/README.md, fault and check tables)

type Onset = 'injection' | 'observed' | 'threshold';
interface TierExpect {
  check: CheckId;
  tier: Tier;
  /** injection: at_s; observed: from the check's quantity; threshold: at_s + the tier's threshold (a time-valued check). */
  onset: Onset;
}
type Reaction = 'derate' | 'open' | 'open-load-ignores-limit' | 'temperature' | 'weak-group' | 'precharge' | 'welded';
interface FaultExpect {
  tiers: TierExpect[];
  reaction: Reaction;
}

const EXPECT: Record<string, FaultExpect> = {
  'fault-open-sense-wire': { tiers: [{ check: 'open_sense_wire', tier: 'FATAL', onset: 'injection' }], reaction: 'open' },
  'fault-host-comm-loss': {
    tiers: [
      { check: 'host_comm_loss', tier: 'WARNING', onset: 'threshold' },
      { check: 'host_comm_loss', tier: 'FATAL', onset: 'threshold' },
    ],
    reaction: 'open',
  },
  'fault-ntc-open': { tiers: [{ check: 'ntc_open', tier: 'WARNING', onset: 'injection' }], reaction: 'derate' },
  'fault-ntc-short': { tiers: [{ check: 'ntc_short', tier: 'WARNING', onset: 'injection' }], reaction: 'derate' },
  'fault-ntc-drift': {
    tiers: [
      { check: 'temperature_spread', tier: 'WARNING', onset: 'observed' },
      { check: 'temperature_spread', tier: 'FATAL', onset: 'observed' },
    ],
    reaction: 'open',
  },
  'fault-current-sensor-offset': { tiers: [{ check: 'current_plausibility', tier: 'WARNING', onset: 'injection' }], reaction: 'derate' },
  'fault-current-sensor-drift': {
    tiers: [
      { check: 'current_plausibility', tier: 'WARNING', onset: 'observed' },
      { check: 'current_plausibility', tier: 'FATAL', onset: 'observed' },
    ],
    reaction: 'open-load-ignores-limit', // the drifted shunt reads current after the limits went to zero
  },
  'fault-stuck-sensor': { tiers: [{ check: 'current_plausibility', tier: 'WARNING', onset: 'observed' }], reaction: 'derate' },
  'fault-stuck-cell-voltage': {
    tiers: [
      { check: 'cell_voltage_plausibility', tier: 'WARNING', onset: 'observed' },
      { check: 'cell_voltage_plausibility', tier: 'FATAL', onset: 'observed' },
    ],
    reaction: 'open',
  },
  'fault-welded-contactor': { tiers: [{ check: 'contactor_feedback', tier: 'FATAL', onset: 'observed' }], reaction: 'welded' },
  'fault-precharge-resistor-open': { tiers: [], reaction: 'precharge' },
  'fault-cell-internal-short': {
    tiers: [
      { check: 'temperature_spread', tier: 'WARNING', onset: 'observed' },
      { check: 'temperature_spread', tier: 'FATAL', onset: 'observed' },
    ],
    reaction: 'open',
  },
  'fault-cell-disconnect': { tiers: [], reaction: 'weak-group' },
  'fault-cooling-failure': { tiers: [], reaction: 'temperature' },
  'fault-ambient-heat-wave': { tiers: [{ check: 'overtemperature_charge', tier: 'INFO', onset: 'observed' }], reaction: 'temperature' },
  'fault-charger-cv-too-high': {
    tiers: [
      { check: 'cell_overvoltage', tier: 'WARNING', onset: 'observed' },
      { check: 'cell_overvoltage', tier: 'FATAL', onset: 'observed' },
    ],
    reaction: 'open-load-ignores-limit',
  },
  'fault-charger-no-termination': {
    tiers: [
      { check: 'cell_overvoltage', tier: 'WARNING', onset: 'observed' },
      { check: 'cell_overvoltage', tier: 'FATAL', onset: 'observed' },
    ],
    reaction: 'open-load-ignores-limit',
  },
};

describe('fault scenarios of the library: fault code, deadline and reaction', () => {
  it('should have an expectation for every fault scenario', () => {
    expect(Object.keys(EXPECT).sort()).toEqual(faultScenarios);
  });

  for (const name of faultScenarios) {
    const ex = EXPECT[name];
    if (!ex) continue;
    it(`${name}: ${[...ex.tiers.map((t) => `${CHECK_CODE(t.check)}/${t.tier}`), ex.reaction].join(' → ')}`, () => {
      const probe = ex.tiers[0]?.check ?? (ex.reaction === 'temperature' ? 'overtemperature_charge' : null);
      const r = run(name, probe);
      const c = r.cfg;
      const fast = c.scheduler.fast_period_ms / 1000;
      // every evaluation of the expected checks is observed; a trip's current is cut at the next tick
      for (const t of ex.tiers) expect(r.sc.dt_s, `pack step vs the ${t.check} task`).toBeLessThanOrEqual(periodOf(c, t.check) + EPS);
      if (ex.reaction.startsWith('open')) expect(r.sc.dt_s, 'pack step vs the fast task').toBeLessThanOrEqual(fast + EPS);
      const inj = r.report.injections;
      expect(inj).toHaveLength(1);
      const at_s = inj[0]!.at_s;

      // the right fault codes: every WARNING/FATAL raised is one of the expected checks'
      const codes = new Set(ex.tiers.filter((t) => t.tier !== 'INFO').map((t) => CHECK_CODE(t.check)));
      if (ex.reaction === 'precharge') codes.add('PRECHARGE_FAILURE');
      for (const f of nonInfo(r)) expect(codes.has(f.code), `unexpected ${f.code}/${f.tier} in ${name}`).toBe(true);
      const firstWarn = nonInfo(r)[0];
      expect(inj[0]!.warning_s).toBe(firstWarn ? firstWarn.raised_s : null);

      // detection: each expected tier raised within debounce x task period + one task period of its onset
      const raised: Partial<Record<Tier, number>> = {};
      for (const t of ex.tiers) {
        const code = CHECK_CODE(t.check);
        const rec = r.report.faults.find((f) => f.code === code && f.tier === t.tier && f.raised_s >= at_s - EPS);
        expect(rec, `${code}/${t.tier} in ${JSON.stringify(r.report.faults)}`).toBeDefined();
        const period = periodOf(c, t.check);
        const cc = c.checks[t.check];
        const onset =
          t.onset === 'injection'
            ? at_s
            : t.onset === 'threshold'
              ? at_s + cc[({ INFO: 'mol', WARNING: 'rsl', FATAL: 'msl' } as const)[t.tier]]!
              : observedOnset(r, t.check, t.tier, at_s);
        expect(rec!.raised_s).toBeGreaterThanOrEqual(onset - EPS);
        expect(rec!.raised_s, `${code}/${t.tier} onset ${onset} s`).toBeLessThanOrEqual(onset + (cc.debounce_ticks + 1) * period + EPS);
        raised[t.tier] = rec!.raised_s;
      }

      // the reaction
      const main = ex.tiers.at(-1)?.check;
      switch (ex.reaction) {
        case 'derate':
          expectDerated(r, main!, raised.WARNING!);
          expect(r.report.faults.some((f) => f.tier === 'FATAL')).toBe(false);
          expect(inj[0]!.open_s).toBeNull();
          expect(r.trace.state.at(-1)).not.toBe('ERROR');
          break;
        case 'open':
        case 'open-load-ignores-limit':
          if (raised.WARNING !== undefined) expectDerated(r, main!, raised.WARNING);
          expectOpened(r, main!, raised.FATAL!, ex.reaction === 'open-load-ignores-limit');
          break;
        case 'temperature': {
          const tab = c.sop.charge_high_temperature;
          const before = interp1(tab.x, tab.factor, r.trace.ntcMax[at(r.trace, at_s)]!);
          const minFactor = expectTemperatureDerating(r, at_s);
          expect(minFactor, 'the fault heats the cells into (deeper) derating').toBeLessThan(before);
          expect(nonInfo(r)).toEqual([]);
          expect(inj[0]!.open_s).toBeNull();
          break;
        }
        case 'weak-group': {
          const spec = r.sc.faults!.items()[0]!;
          const group = Math.floor((spec.get('cell').value as number) / r.res.pack.np);
          const tr = r.trace;
          const k = tr.npEffMin.findIndex((n) => n > 0 && n < r.res.pack.np);
          expect(k, 'the weak group is found').toBeGreaterThanOrEqual(0);
          expect(tr.t[k]!).toBeGreaterThan(at_s);
          expect(tr.weakGroup.at(-1)).toBe(group);
          expect(tr.npEffMin.at(-1)!).toBeLessThan(1 + (r.res.pack.np - 1) / 2); // nearer one cell than np
          expect(tr.faultDerate[k]! & DERATE_WEAK_GROUP).toBe(DERATE_WEAK_GROUP);
          expect(inj[0]!.derate_s!).toBeLessThanOrEqual(tr.t[k]! + fast + EPS);
          for (let i = k; i < tr.t.length; i++) {
            expect(tr.dischargeLimit[i]!).toBeLessThanOrEqual(c.sop.peak_discharge_current_A * tr.npEffMin[i]! + EPS);
            expect(tr.chargeLimit[i]!).toBeLessThanOrEqual(c.sop.charge_current_A * tr.npEffMin[i]! + EPS);
          }
          expect(nonInfo(r)).toEqual([]);
          break;
        }
        case 'precharge': {
          // (retries + 1) attempts: close minus, close precharge (operate time each), wait for the
          // bus until the timeout, one tick per state step (2); retry_wait + one tick between them
          const p = c.precharge;
          const op = c.contactors.operate_ms / 1000;
          const attempts = p.retries + 1;
          const t_pre = r.report.transitions.find((x) => x.to === 'PRECHARGE')!.t_s;
          const deadline = t_pre + attempts * (p.timeout_ms / 1000 + 2 * op + 2 * fast) + p.retries * (p.retry_wait_ms / 1000 + fast) + fast;
          const rec = r.report.faults.find((f) => f.code === 'PRECHARGE_FAILURE' && f.tier === 'FATAL');
          expect(rec).toBeDefined();
          expect(rec!.raised_s).toBeGreaterThanOrEqual(t_pre + attempts * (p.timeout_ms / 1000) + p.retries * (p.retry_wait_ms / 1000) - EPS);
          expect(rec!.raised_s).toBeLessThanOrEqual(deadline + EPS);
          expect(
            r.trace.pathClosed.some((x) => x),
            'the main path never closes',
          ).toBe(false);
          expect(r.trace.state.at(-1)).toBe('ERROR');
          expect(r.res.summary.charge.discharged_Ah).toBeLessThan(0.01); // only the DC link's precharge attempts
          break;
        }
        case 'welded': {
          // the plus contactor stays closed; the minus opens the path; ERROR is latched
          const f = raised.FATAL!;
          const err = r.report.transitions.find((x) => x.to === 'ERROR');
          expect(err!.t_s).toBeLessThanOrEqual(f + c.checks.contactor_feedback.delay_ms / 1000 + fast + EPS);
          expect(r.bms.bus.plus.closed).toBe(1);
          expect(r.bms.bus.minus.closed).toBe(0);
          expect(inj[0]!.open_s).not.toBeNull();
          expect(inj[0]!.open_s!).toBeLessThanOrEqual(f + c.contactors.operate_ms / 1000 + fast + EPS);
          const tr = r.trace;
          for (let i = at(tr, inj[0]!.open_s!); i < tr.t.length; i++) expect(tr.pathClosed[i]).toBe(false);
          expect(tr.state.at(-1)).toBe('ERROR');
          break;
        }
      }
    });
  }
});

/** Protocol fault code name of a check, as the diag records name it. */
function CHECK_CODE(id: CheckId): string {
  return FAULT_CODE_NAMES[CHECKS[id].code]!;
}

describe('clean scenarios of the library: no warning, no fatal fault, small SOC error', () => {
  for (const name of cleanScenarios) {
    it(`${name}`, () => {
      const r = run(name, null);
      expect(nonInfo(r), JSON.stringify(r.report.faults)).toEqual([]);
      expect(r.report.transitions.some((x) => x.to === 'ERROR')).toBe(false);
      for (const s of r.res.summary.steps) expect(['bms_error', 'bms_open', 'power_unattainable', 'open_circuit'], s.text).not.toContain(s.end_reason);
      // SOP derating by temperature is the specified reaction where it applies (not a fault)
      expectTemperatureDerating(r, 0);
      const soc = r.report.soc;
      expect(soc.rms_pct!).toBeLessThanOrEqual(0.25);
      expect(soc.max_pct!).toBeLessThanOrEqual(0.5);
      if (name === 'hot-city-fast-charge') {
        // the 3C request is cut by the high-temperature derating as the cells pass 45 °C
        const tr = r.trace;
        const request = 3 * r.res.pack.nominalCapacity_Ah();
        const charging = tr.I.filter((I, i) => tr.state[i] === 'CHARGE' && I > 0);
        expect(Math.max(...charging)).toBeCloseTo(request, 6);
        expect(Math.min(...charging.slice(charging.length / 2))).toBeLessThan(0.9 * request);
      }
    });
  }
});

// ---------------------------------------------------------------------------------------
// synthetic scenarios on a small 6s2p 18650 pack (readScenario inline), fault by fault

function scenario(name: string, faults: unknown[], steps: string[], extra: object = {}) {
  return readScenario(`${name}.json`, {
    name,
    chemistry: 'naion-18650-layered',
    pack: { ns: 6, np: 2, spread: { capacity_rel_sigma: 0.01, resistance_rel_sigma: 0.03, soc_sigma: 0.005 } },
    ambient: { constant_C: 25 },
    initial: { soc: 0.7 },
    dt_s: 1,
    seed: 3,
    bms: { scheduler: { fast_period_ms: 100 } },
    faults,
    steps,
    ...extra,
  });
}

function runSynthetic(name: string, faults: unknown[], steps: string[], extra: object = {}, allowAbuse = false) {
  const sc = scenario(name, faults, steps, extra);
  const res = runScenario(sc, { bms: attachBms(sc), allowAbuse });
  const bms = res.bms as Bms;
  expect(bms).not.toBeNull();
  return { res, bms, report: bms.report() as BmsReport };
}

const DRIVE = ['Discharge at 1C for 10 minutes', 'Rest for 2 minutes', 'Discharge at 0.5C for 10 minutes'];

describe('synthetic 6s2p scenarios through runScenario', () => {
  it('should run a clean discharge/charge day with no warning or fatal fault', () => {
    const { report, res } = runSynthetic('clean', [], [...DRIVE, 'Rest for 10 minutes', 'Charge at 0.5C until 4.0 V', 'Hold at 4.0 V until C/20']);
    expect(report.faults.filter((f) => f.tier !== 'INFO')).toEqual([]);
    expect(report.transitions.map((t) => t.to)).toContain('CHARGE');
    expect(report.soc.rms_pct!).toBeLessThan(1);
    expect(Object.keys(report)).toEqual(['transitions', 'faults', 'injections', 'soc']);
    expect(res.summary.cell_voltage.max_V).toBeLessThan(4.1);
  });

  const fatal: [string, object, string, CheckId][] = [
    ['open sense wire', { fault: 'open_sense_wire', group: 3 }, 'OPEN_SENSE_WIRE', 'open_sense_wire'],
    ['host comm loss', { fault: 'host_comm_loss' }, 'HOST_COMM_LOSS', 'host_comm_loss'],
  ];
  for (const [name, f, code, check] of fatal) {
    it(`should open the contactors on ${name} (${code})`, () => {
      const { bms, report } = runSynthetic(name, [{ at_s: 120, ...f }], DRIVE);
      const rec = report.faults.find((x) => x.code === code && x.tier === 'FATAL');
      expect(rec, JSON.stringify(report.faults)).toBeDefined();
      const c = bms.config;
      const inj = report.injections[0]!;
      // pack step 1 s: the load's current is cut at the next step, so up to dt_s to the break check
      const bound = rec!.raised_s + (c.checks[check].delay_ms + c.contactors.operate_ms) / 1000 + 1 + 2 * (c.scheduler.fast_period_ms / 1000);
      expect(inj.open_s).not.toBeNull();
      expect(inj.open_s!).toBeLessThanOrEqual(bound + 1e-9);
      expect(report.transitions.at(-1)!.to).toBe('ERROR');
    });
  }

  const warning: [string, object, string][] = [
    ['NTC open', { fault: 'ntc_open', cell: 4 }, 'NTC_OPEN'],
    ['NTC short', { fault: 'ntc_short', cell: 4 }, 'NTC_SHORT'],
    ['current sensor offset', { fault: 'current_sensor_offset', offset_pct_fs: 5 }, 'CURRENT_PLAUSIBILITY'],
    ['stuck current sensor', { fault: 'stuck_sensor', sensor: 'current' }, 'CURRENT_PLAUSIBILITY'],
  ];
  for (const [name, f, code] of warning) {
    it(`should warn and cut the current limits on ${name} (${code})`, () => {
      const { report } = runSynthetic(name, [{ at_s: 120, ...f }], DRIVE);
      const rec = report.faults.find((x) => x.code === code && x.tier === 'WARNING');
      expect(rec, JSON.stringify(report.faults)).toBeDefined();
      const inj = report.injections[0]!;
      expect(inj.warning_s).toBe(rec!.raised_s);
      expect(inj.derate_s).not.toBeNull();
      expect(inj.derate_s! - rec!.raised_s).toBeLessThanOrEqual(0.1 + 1e-9);
    });
  }

  it('should go to ERROR on a welded contactor when the charge step reopens the path', () => {
    const { report, bms } = runSynthetic(
      'welded',
      [{ at_s: 60, fault: 'welded_contactor', contactor: 'plus' }],
      ['Discharge at 0.5C for 5 minutes', 'Charge at 0.5C for 5 minutes'],
    );
    expect(report.faults.some((x) => x.code === 'CONTACTOR_FEEDBACK' && x.tier === 'FATAL')).toBe(true);
    expect(bms.pathClosed).toBe(false);
    expect(report.transitions.at(-1)!.to).toBe('ERROR');
  });

  it('should never close the path when the precharge fails', () => {
    const { report, res } = runSynthetic('precharge', [{ at_s: 0, fault: 'precharge_resistor_open' }], ['Discharge at 0.5C for 1 minute']);
    expect(report.faults.map((x) => `${x.code}/${x.tier}`)).toEqual(['PRECHARGE_FAILURE/FATAL']);
    expect(res.summary.charge.discharged_Ah).toBeLessThan(0.001); // only the precharge attempts
  });

  it('should warn on an internal short as the shorted group falls behind', () => {
    // a 1 Ω short heats the 18650 past the 80 °C end of its validity envelope: abuse, allowed here
    const { report, res } = runSynthetic(
      'short',
      [{ at_s: 60, fault: 'cell_internal_short', cell: 5, resistance_ohm: 1 }],
      [...DRIVE, 'Rest for 20 minutes'],
      {},
      true,
    );
    expect(res.summary.envelope?.first[0]).toMatchObject({ cell: 6, quantity: 'temperature', limit: 80 });
    const rec = report.faults.find((x) => x.code === 'CELL_VOLTAGE_SPREAD' && x.tier === 'WARNING');
    expect(rec, JSON.stringify(report.faults)).toBeDefined();
    expect(report.injections[0]!.derate_s).not.toBeNull();
  });
});

describe('fault records name the channel', () => {
  // for the open sense wire of group 37 and the NTC faults injected on one sensor's cell
  // such that each scenario runs through runScenario with the BMS
  // the fault record names that group, or the sensor sitting on that cell
  it('should report the series group of an open sense wire and the sensor of a faulty NTC', () => {
    const wire = run('fault-open-sense-wire', null);
    const spec = wire.sc.faults!.items()[0]!;
    const ow = wire.report.faults.find((f) => f.code === 'OPEN_SENSE_WIRE');
    expect(ow?.index).toBe(spec.get('group').number());
    for (const [name, code] of [
      ['fault-ntc-open', 'NTC_OPEN'],
      ['fault-ntc-short', 'NTC_SHORT'],
    ] as const) {
      const r = run(name, null);
      const cell = r.sc.faults!.items()[0]!.get('cell').number();
      const rec = r.report.faults.find((f) => f.code === code);
      expect(rec?.index).not.toBeNull();
      expect(sensorCells(r.cfg.afe.temperature.sensor_cells, r.res.pack.n)[rec!.index!]).toBe(cell);
    }
  });
});
