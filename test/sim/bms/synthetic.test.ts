/**
 * Synthetic BMS scenarios (split from scenarios.test.ts): a small 6s2p pack of 18650 cells,
 * read inline with readScenario and run through runScenario with the BMS attached as the CLI
 * attaches it, fault by fault.
 */
import { describe, expect, it } from 'vitest';
import { attachBms } from '../../../cli/bms.ts';
import { type Bms } from '../../../sim/bms/index.ts';
import type { BmsReport } from '../../../sim/bms/report.ts';
import { type CheckId } from '../../../sim/bms/types.ts';
import { runScenario } from '../../../sim/run.ts';
import { readScenario } from '../../../sim/scenario.ts';

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
