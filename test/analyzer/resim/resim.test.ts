/**
 * natrium resim (analyzer/node/resim.ts): a clean scenario capture re-simulated against its own
 * scenario agrees (states and faults exactly, SOC estimate within 0.1 % SOC, limits within the
 * default tolerance); with a lower overvoltage limit the divergence is reported by channel and time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resimulate, hostRequestsOf, resimInputs } from '../../../analyzer/node/resim.ts';
import { TimelineBuilder, timelineFromBytes } from '../../../analyzer/timeline/ingest.ts';
import { captureScenario } from '../../../device/capture.ts';
import { MessageType } from '../../../protocol/messages.ts';
import { InputError } from '../../../sim/errors.ts';
import { scenarioCapture } from '../scenario-capture.ts';
import { SCENARIO_DIR, loadScenario } from '../../../sim/node/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'natrium-resim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The SOC estimate of the re-simulation stays this close to the capture's (fraction of full). */
const SOC_BOUND = 0.001;
const DURATION_S = 600;

describe('resim of a clean capture against its own scenario', () => {
  const tl = timelineFromBytes(scenarioCapture('default', DURATION_S)).timeline;
  const sc = loadScenario('default');
  const exact = { abs: 0, rel: 0, time_s: 0 };

  it('should agree: states and faults exactly, SOC estimate within the bound, limits within tolerance', () => {
    const r = resimulate(tl, sc, { tolerances: { state: exact, faultMask: exact, soc: { abs: SOC_BOUND, rel: 0, time_s: 0 } } });
    expect(r.diff.channels_compared).toBe(5);
    expect(r.diff.rows.matched).toBe(r.diff.rows.a);
    expect(r.diff.differences).toEqual([]);
    expect(r.exit_code).toBe(0);
    expect(r.inputs.start.from).toBe('truth');
    expect(r.inputs.start.soc).toBeCloseTo(0.9, 2);
    expect(r.inputs.host_requests).toEqual([{ at_s: 0, request: 'NORMAL' }]);
    expect(r.inputs.ambient).toMatch(/no ambient channel/);
  });

  it('should be sensitive: with zero SOC tolerance the estimates do differ a little (not a copy)', () => {
    const r = resimulate(tl, sc, { tolerances: { soc: exact } });
    const soc = r.diff.differences.find((d) => d.channel === 'soc');
    expect(soc).toBeDefined();
    expect(soc!.max_abs_diff!).toBeGreaterThan(0);
    expect(soc!.max_abs_diff!).toBeLessThanOrEqual(SOC_BOUND);
  });

  it('should hold the measured current per sim step', () => {
    const inputs = resimInputs(tl, sc.dt_s, 'capture');
    expect(inputs.current_A.length).toBe(DURATION_S);
    expect(inputs.duration_s).toBe(DURATION_S);
    // the status at 10 s reports the step [9, 10)
    const row = Array.from(tl.t_s.subarray(0, tl.length)).findIndex((t) => t >= 10 - 1e-6);
    expect(inputs.current_A[9]).toBe(tl.pack.current_A[row]);
  });

  it('should report a lower overvoltage limit as state and fault divergences with their times', () => {
    const cfg = join(dir, 'low-ov.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        scheduler: { fast_period_ms: 100, mid_period_ms: 100, slow_period_ms: 1000 },
        checks: { cell_overvoltage: { mol_V: 3.4, rsl_V: 3.5, msl_V: 3.6 } },
      }),
    );
    const r = resimulate(tl, sc, { config: cfg });
    expect(r.exit_code).toBe(1);
    expect(r.bms_config).toBe(cfg);
    const byName = new Map(r.diff.differences.map((d) => [d.channel, d]));
    expect([...byName.keys()]).toEqual(expect.arrayContaining(['state', 'faultMask', 'dischargeCurrentLimit_A']));
    const fault = byName.get('faultMask')!;
    expect(fault.ranges[0]!.t_start_s).toBeLessThan(5);
    expect(fault.ranges[0]!.t_end_s).toBeCloseTo(DURATION_S, 0);
    expect(fault.ranges[0]!.a).toBe(0); // the capture: no fault
    expect(fault.ranges[0]!.b).not.toBe(0); // the resim: the firmware would have tripped
  });

  it('should refuse a scenario of another pack with one line', () => {
    let err: unknown = null;
    try {
      resimulate(tl, loadScenario('three-wheeler-fleet-day'), { names: { capture: 'x.cap', scenario: 'three-wheeler-fleet-day' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('x.cap: INFO: the capture is of a 100s2p pack, scenario three-wheeler-fleet-day of 20s10p');
  });
});

describe('resim of a capture without simulator truth (as from a field BMS)', () => {
  it('should start from the BMS SOC estimate and sensors and still agree', () => {
    const sc = loadScenario('default');
    const b = new TimelineBuilder();
    captureScenario(sc, { duration_s: 300, rates: { [MessageType.SIM_TRUTH]: 0, [MessageType.SIM_CELL_TRUTH]: 0 }, out: (x) => b.push(x) });
    b.finish();
    expect(b.timeline.truthCellSoc).toEqual([]);
    const r = resimulate(b.timeline, sc, { tolerances: { soc: { abs: SOC_BOUND, rel: 0, time_s: 0 } } });
    expect(r.inputs.start.from).toBe('bms');
    expect(r.inputs.start.soc).toBeCloseTo(0.9, 2);
    expect(r.inputs.start.temperature_C).toBeCloseTo(40, 0);
    expect(r.diff.differences).toEqual([]);
  });
});

describe('host requests read off a charging capture', () => {
  it('should request CHARGE and agree with its own scenario', () => {
    const tl = timelineFromBytes(scenarioCapture('fast-charge-3c', 120)).timeline;
    expect(hostRequestsOf(tl, 1)).toEqual([{ at_s: 0, request: 'CHARGE' }]);
    const r = resimulate(tl, loadScenario('fast-charge-3c'));
    expect(r.diff.differences).toEqual([]);
  });

  it('should follow a discharge-then-charge capture: NORMAL, then CHARGE in the step the charge began', () => {
    const path = join(dir, 'discharge-charge.json');
    const base = JSON.parse(readFileSync(`${SCENARIO_DIR}default.json`, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      path,
      JSON.stringify({
        ...base,
        name: 'discharge-charge',
        initial: { soc: 0.5, temperature_C: 25 },
        steps: ['Discharge at 0.5C for 60 seconds', 'Charge at 0.5C for 90 seconds'],
      }),
    );
    const tl = timelineFromBytes(scenarioCapture(path, 150)).timeline;
    const host = hostRequestsOf(tl, 1);
    expect(host.map((h) => h.request)).toEqual(['NORMAL', 'CHARGE']);
    // the step the scenario's charge began, or the one before: the BMS runs on its own 10 ms grid
    // and may zero both limits inside the last discharge step (device timing, PROTOCOL.md)
    expect([59, 60]).toContain(host[1]!.at_s);
    const r = resimulate(tl, loadScenario(path));
    expect(r.diff.differences).toEqual([]);
    expect(r.exit_code).toBe(0);
  });

  it('should refuse a capture shorter than one sim step', () => {
    const tl = timelineFromBytes(scenarioCapture('fast-charge-3c', 120)).timeline;
    expect(() => resimInputs(tl, 1000, 'short.cap')).toThrow(InputError);
  });
});
