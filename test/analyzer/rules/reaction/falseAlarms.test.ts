/** reaction.false_alarms: EVENTs for a quantity the data never show beyond the EVENT's threshold. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BmsState, FaultCode, FaultTier } from '../../../../protocol/messages.ts';
import type { Tick } from '../../generate.ts';
import type { Report } from '../../../../analyzer/analyze.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, serious, show } from '../envelope/sessions.ts';

const ID = 'reaction.false_alarms';

/** A judged alarm: its code, the index it names, its threshold, and how to make the data match it. */
interface Alarm {
  code: number;
  name: string;
  index: number;
  threshold: number;
  subject: string;
  /** Makes the tick's data go beyond the threshold. */
  match(k: Tick): void;
}

const ALARMS: Alarm[] = [
  {
    code: FaultCode.CELL_OVERVOLTAGE,
    name: 'CELL_OVERVOLTAGE',
    index: 3,
    threshold: 4.05,
    subject: 'cell 3',
    match: (k) => {
      k.cellVoltage_V[3] = 4.06;
    },
  },
  {
    code: FaultCode.CELL_UNDERVOLTAGE,
    name: 'CELL_UNDERVOLTAGE',
    index: 6,
    threshold: 1.75,
    subject: 'cell 6',
    match: (k) => {
      k.cellVoltage_V[6] = 1.7;
    },
  },
  {
    code: FaultCode.OVERCURRENT_CHARGE,
    name: 'OVERCURRENT_CHARGE',
    index: -1,
    threshold: 1125,
    subject: 'pack current',
    match: (k) => {
      k.current_A = 1130;
    },
  },
  {
    // the pack's current: the most one cell of a group can carry (its split is not in the telemetry)
    code: FaultCode.CELL_OVERCURRENT,
    name: 'CELL_OVERCURRENT',
    index: -1,
    threshold: 450,
    subject: 'pack current magnitude',
    match: (k) => {
      k.current_A = -460;
    },
  },
  {
    code: FaultCode.OVERCURRENT_DISCHARGE,
    name: 'OVERCURRENT_DISCHARGE',
    index: -1,
    threshold: 1125,
    subject: 'pack discharge current',
    match: (k) => {
      k.current_A = -1140;
    },
  },
  {
    code: FaultCode.OVERTEMPERATURE_DISCHARGE,
    name: 'OVERTEMPERATURE_DISCHARGE',
    index: 2,
    threshold: 65,
    subject: 'sensor 2',
    match: (k) => {
      k.temperature_C[2] = 65.5;
    },
  },
  {
    code: FaultCode.UNDERTEMPERATURE_CHARGE,
    name: 'UNDERTEMPERATURE_CHARGE',
    index: 1,
    threshold: -25,
    subject: 'sensor 1',
    match: (k) => {
      k.temperature_C[1] = -26;
    },
  },
  {
    code: FaultCode.CELL_VOLTAGE_SPREAD,
    name: 'CELL_VOLTAGE_SPREAD',
    index: -1,
    threshold: 0.3,
    subject: 'cell voltage spread',
    match: (k) => {
      k.cellVoltage_V[0]! -= 0.35;
    },
  },
  {
    code: FaultCode.TEMPERATURE_SPREAD,
    name: 'TEMPERATURE_SPREAD',
    index: -1,
    threshold: 12,
    subject: 'temperature spread',
    match: (k) => {
      k.temperature_C[0]! += 13;
    },
  },
  {
    code: FaultCode.NTC_OPEN,
    name: 'NTC_OPEN',
    index: 1,
    threshold: -50,
    subject: 'sensor 1',
    match: (k) => {
      k.temperature_C[1] = Number.NaN; // excluded: sent as not available
    },
  },
  {
    code: FaultCode.NTC_SHORT,
    name: 'NTC_SHORT',
    index: 2,
    threshold: 140,
    subject: 'sensor 2',
    match: (k) => {
      k.temperature_C[2] = 150; // still sent: reading above range
    },
  },
  {
    code: FaultCode.OPEN_SENSE_WIRE,
    name: 'OPEN_SENSE_WIRE',
    index: 4,
    threshold: 0.75,
    subject: 'cells 3, 4, 5',
    match: (k) => {
      k.cellVoltage_V[4] = 0.2; // the open tap pulls the channel low
    },
  },
  {
    code: FaultCode.CELL_VOLTAGE_PLAUSIBILITY,
    name: 'CELL_VOLTAGE_PLAUSIBILITY',
    index: 5,
    threshold: 0.02,
    subject: 'cell 5',
    match: (k) => {
      k.cellVoltage_V[5] = Number.NaN; // the channel excluded
    },
  },
];

function raise(k: Tick, a: Alarm, tier: FaultTier): void {
  k.events.push({ code: a.code, tier, raised: true, index: a.index, value: a.threshold * 1.01, threshold: a.threshold });
}

/**
 * A FATAL alarm judged both ways: with the data to back it (`run(true)`) matched, no finding; without
 * (`run(false)`) one false-alarm error, no threshold, with `message`.
 */
function expectJudged(run: (backed: boolean) => Report, message: RegExp): void {
  const matched = run(true);
  expect(findingsOf(matched, ID)).toEqual([]);
  expect(matched.checks.find((c) => c.check === ID)!.metrics!.events_matched).toBe(1);
  const fs = findingsOf(run(false), ID);
  expect(fs, show(fs)).toHaveLength(1);
  expect(fs[0]!.severity).toBe('error');
  expect(fs[0]!.threshold).toBeNull();
  expect(fs[0]!.message).toMatch(message);
}

describe('reaction.false_alarms', () => {
  // for all judged codes, tiers (WARNING, FATAL) and event times / such that the BMS raises the
  // EVENT while the data stay clean / one finding at the event's time naming the code and the
  // data looked at: a warning for WARNING, an error for FATAL, holds
  it('should report an alarm nothing in the data supports', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALARMS), fc.constantFrom(FaultTier.WARNING, FaultTier.FATAL), fc.integer({ min: 150, max: 1000 }), (a, tier, k0) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              if (k.k === k0) raise(k, a, tier);
            },
          },
          { checks: [ID] },
        );
        const fs = findingsOf(report, ID);
        expect(fs, show(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.severity).toBe(tier === FaultTier.FATAL ? 'error' : 'warning');
        expect(f.t_start_s).toBeCloseTo(k0 / 10, 6);
        expect(f.subject).toBe(`${a.name} ${tier === FaultTier.FATAL ? 'FATAL' : 'WARNING'} ${a.subject}`);
        expect(f.evidence.event_threshold as number).toBeCloseTo(a.threshold, 3);
        // the report's units: °C for a temperature, K for a spread of temperatures
        const unit =
          a.name === 'TEMPERATURE_SPREAD' ? 'K' : a.name.includes('TEMPERATURE') || a.name.startsWith('NTC') ? '°C' : a.name.includes('CURRENT') ? 'A' : 'V';
        expect(f.threshold?.unit).toBe(unit);
      }),
      { numRuns: 20, seed: 616 },
    );
  });

  // for all judged codes and leads from 0 to 8 s / such that the data go beyond the threshold
  // for 1 s that long before the EVENT (the BMS's debounce and clock) / no finding, holds
  it('should accept an alarm matched by the data within the window', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALARMS), fc.integer({ min: 0, max: 80 }), (a, lead) => {
        const k0 = 400; // 40 s: discharging
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              if (k.k >= k0 - lead - 10 && k.k < k0 - lead) a.match(k);
              if (k.k === k0) raise(k, a, FaultTier.WARNING);
            },
          },
          { checks: [ID] },
        );
        expect(findingsOf(report, ID)).toEqual([]);
        expect(report.checks.find((c) => c.check === ID)!.metrics!.events_matched).toBe(1);
      }),
      { numRuns: 16, seed: 61 },
    );
  });

  it('should list sensor and system alarms as not judged (info), and ignore INFO tiers and clears', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.k === 300) k.events.push({ code: FaultCode.CURRENT_PLAUSIBILITY, tier: FaultTier.WARNING, raised: true, index: -1, value: 90, threshold: 75 });
          if (k.k === 320) k.events.push({ code: 27, tier: FaultTier.FATAL, raised: true, index: -1, value: 1, threshold: 0 });
          if (k.k === 330) k.events.push({ code: FaultCode.CELL_OVERVOLTAGE, tier: FaultTier.INFO, raised: true, index: 0, value: 4.02, threshold: 4.01 });
          if (k.k === 340) k.events.push({ code: FaultCode.CELL_OVERVOLTAGE, tier: FaultTier.WARNING, raised: false, index: 0, value: 4.02, threshold: 4.05 });
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(fs.map((f) => f.severity)).toEqual(['info', 'info']);
    expect(fs.map((f) => f.evidence.code)).toEqual(['CURRENT_PLAUSIBILITY', 'CODE_27']);
    expect(statusOf(report, ID)).toBe('pass');
  });

  it('should judge an alarm raised again before it was cleared once, and a new raise after the clear again', () => {
    const a = ALARMS[0]!;
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.k === 300 || k.k === 310) raise(k, a, FaultTier.WARNING);
          if (k.k === 300) raise(k, a, FaultTier.WARNING); // the same tick twice
          if (k.k === 320) k.events.push({ code: a.code, tier: FaultTier.WARNING, raised: false, index: a.index, value: 4, threshold: a.threshold });
          if (k.k === 330) raise(k, a, FaultTier.WARNING);
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(fs.map((f) => f.t_start_s)).toEqual([30, 33]);
    expect(report.checks.find((c) => c.check === ID)!.metrics!.false_alarms).toBe(2);
  });

  // for all seeds / a clean session (no EVENT) / no finding, holds
  it('should find nothing on clean sessions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
      }),
      { numRuns: 3, seed: 13 },
    );
  });

  it('should match CELL_VOLTAGE_PLAUSIBILITY to a cell that kept one reading while the others moved, however long before', () => {
    const a = { code: FaultCode.CELL_VOLTAGE_PLAUSIBILITY, index: 2, threshold: 0.02 };
    const run = (freezeAt: number) =>
      analyzeGenerated(
        {
          phases: SHORT,
          mutate: (k) => {
            // the discharge pulls every cell down; cell 2 frozen from freezeAt (tick) on
            if (k.k >= freezeAt) k.cellVoltage_V[2] = 3.3;
            if (k.k === 700) k.events.push({ code: a.code, tier: FaultTier.WARNING, raised: true, index: a.index, value: 0.021, threshold: a.threshold });
          },
        },
        { checks: [ID] },
      );
    // frozen 50 s before the alarm (far outside its 10 s window): the mean moved, the alarm matches
    const held = run(200);
    expect(findingsOf(held, ID)).toEqual([]);
    expect(held.checks.find((c) => c.check === ID)!.metrics!.events_matched).toBe(1);
    // never frozen: a false alarm that says what the data showed
    const live = findingsOf(run(10_000), ID);
    expect(live, show(live)).toHaveLength(1);
    expect(live[0]!.message).toMatch(
      /^CELL_VOLTAGE_PLAUSIBILITY WARNING raised at 70 s .* but the cell 2 never kept one reading while the mean of the cells moved above 0\.015 V \(up to 2 s after; the mean moved at most 0 V\): a false alarm$/,
    );
  });

  it('should judge CONTACTOR_FEEDBACK against frames whose contactors are against their state', () => {
    const run = (stuck: boolean) =>
      analyzeGenerated(
        {
          phases: SHORT,
          mutate: (k) => {
            // 40 s into the discharge (NORMAL): main+ shows open for half a second, then the alarm
            if (stuck && k.k >= 395 && k.k < 400) k.contactors.pos = false;
            if (k.k === 400) k.events.push({ code: FaultCode.CONTACTOR_FEEDBACK, tier: FaultTier.FATAL, raised: true, index: -1, value: 1, threshold: 0 });
          },
        },
        { checks: [ID] },
      );
    expectJudged(
      run,
      /^CONTACTOR_FEEDBACK FATAL raised at 40 s .* but no frame showed its contactors against its state \(PROTOCOL\.md §8\) from 10 s before to 2 s after: a false alarm$/,
    );
  });

  it('should judge PRECHARGE_FAILURE against a precharge that did not close the main contactor', () => {
    const run = (precharge: boolean) =>
      analyzeGenerated(
        {
          phases: SHORT,
          mutate: (k) => {
            // at 30-33 s the pack sits in PRECHARGE (main- and precharge closed), then STANDBY, and the alarm
            if (precharge && k.k >= 300 && k.k < 330) {
              k.state = BmsState.PRECHARGE;
              k.contactors = { pos: false, neg: true, pre: true };
              k.current_A = 0;
            }
            if (precharge && k.k >= 330 && k.k < 360) {
              k.state = BmsState.STANDBY;
              k.contactors = { pos: false, neg: false, pre: false };
              k.current_A = 0;
            }
            if (k.k === 335) k.events.push({ code: FaultCode.PRECHARGE_FAILURE, tier: FaultTier.FATAL, raised: true, index: -1, value: 1, threshold: 0 });
          },
        },
        { checks: [ID] },
      );
    expectJudged(
      run,
      /but no precharge in the window failed to close the main contactor \(PRECHARGE to NORMAL or CHARGE\) from 10 s before to 2 s after: a false alarm$/,
    );
  });

  // the BMS divides a group's current by the cells it believes connected: the split is not in the
  // telemetry, so the pack current is the most one cell can carry
  it('should judge CELL_OVERCURRENT false only where not even one cell carrying its whole group’s current reaches it', () => {
    const run = (current_A: number) =>
      findingsOf(
        analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              if (k.k >= 290 && k.k < 300) k.current_A = current_A;
              if (k.k === 300)
                k.events.push({ code: FaultCode.CELL_OVERCURRENT, tier: FaultTier.WARNING, raised: true, index: -1, value: 451, threshold: 450 });
            },
          },
          { checks: [ID] },
        ),
        ID,
      );
    // 2 cells a group: 300 A is 150 A a cell, and 300 A on one cell is still under 450 A
    const fs = run(-300);
    expect(fs.map((f) => [f.severity, f.message])).toEqual([
      [
        'warning',
        'CELL_OVERCURRENT WARNING raised at 30 s (value 451 A, threshold 450 A) but the pack current magnitude never went above 445 A from 10 s before to 2 s after (extreme 300 A), and not even one cell carrying all of its group’s current would reach it: a false alarm',
      ],
    ]);
    expect(run(-449)).toEqual([]); // a group that lost a cell: the BMS's own split
    expect(run(449)).toEqual([]);
  });

  it('should match the alarms of the NTC, open-wire, stuck-channel, welded-contactor and precharge fault scenarios to what they name', () => {
    for (const [name, alarms] of [
      ['fault-ntc-open', 1],
      ['fault-ntc-short', 1],
      ['fault-open-sense-wire', 1],
      ['fault-stuck-cell-voltage', 2], // WARNING at 67 s, FATAL at 299 s: the channel froze at 60 s
      ['fault-welded-contactor', 1], // main+ still closed in STANDBY after key-off
      ['fault-precharge-resistor-open', 1], // the last of the precharge attempts ends in ERROR
    ] as const) {
      const report = analyzeBytes(scenarioCapture(name), { checks: [ID] }).report;
      expect(findingsOf(report, ID), name).toEqual([]);
      const m = report.checks.find((c) => c.check === ID)!.metrics!;
      expect(m.events_judged, name).toBe(alarms);
      expect(m.events_matched, name).toBe(alarms);
    }
  });

  it('should match every alarm of fault-ntc-drift and fault-cell-internal-short to the data', () => {
    for (const name of ['fault-ntc-drift', 'fault-cell-internal-short']) {
      const report = analyzeBytes(scenarioCapture(name), { checks: [ID] }).report;
      expect(serious(findingsOf(report, ID)), name).toEqual([]);
      const m = report.checks.find((c) => c.check === ID)!.metrics!;
      expect(m.events_judged, name).toBe(2);
      expect(m.events_matched, name).toBe(2);
    }
  });
});
