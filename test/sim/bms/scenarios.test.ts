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
import { describe, expect, it } from 'vitest';
import { sensorCells } from '../../../sim/bms/afe.ts';
import { DERATE_WEAK_GROUP } from '../../../sim/bms/sop.ts';
import { CHECKS, type CheckId, FAULT_CODE_NAMES } from '../../../sim/bms/types.ts';
import { interp1 } from '../../../sim/table.ts';
import {
  EPS,
  type Tier,
  at,
  cleanScenarios,
  expectDerated,
  expectOpened,
  expectTemperatureDerating,
  faultScenarios,
  nonInfo,
  observedOnset,
  periodOf,
  run,
} from './_probe.ts';

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
          const spec = r.sc.faults[0]!;
          if (!('cell' in spec)) throw new Error(`expected a cell fault, got ${spec.fault}`);
          const group = Math.floor(spec.cell / r.res.pack.np);
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

describe('fault records name the channel', () => {
  // for the open sense wire of group 37 and the NTC faults injected on one sensor's cell
  // such that each scenario runs through runScenario with the BMS
  // the fault record names that group, or the sensor sitting on that cell
  it('should report the series group of an open sense wire and the sensor of a faulty NTC', () => {
    const wire = run('fault-open-sense-wire', null);
    const spec = wire.sc.faults[0]!;
    if (spec.fault !== 'open_sense_wire') throw new Error(`expected an open sense wire, got ${spec.fault}`);
    const ow = wire.report.faults.find((f) => f.code === 'OPEN_SENSE_WIRE');
    expect(ow?.index).toBe(spec.group);
    for (const [name, code] of [
      ['fault-ntc-open', 'NTC_OPEN'],
      ['fault-ntc-short', 'NTC_SHORT'],
    ] as const) {
      const r = run(name, null);
      const spec = r.sc.faults[0]!;
      if (spec.fault !== 'ntc_open' && spec.fault !== 'ntc_short') throw new Error(`expected an NTC fault, got ${spec.fault}`);
      const cell = spec.cell;
      const rec = r.report.faults.find((f) => f.code === code);
      expect(rec?.index).not.toBeNull();
      expect(sensorCells(r.cfg.afe.temperature.sensor_cells, r.res.pack.n)[rec!.index!]).toBe(cell);
    }
  });
});
