/** quality.na: channels the device reported as not available. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../../analyzer/analyze.ts';
import { traceFallback } from '../../../../analyzer/node/trace.ts';
import { builtInProfile } from '../../../../analyzer/profile.ts';
import { RULES } from '../../../../analyzer/rules/index.ts';
import { traceFromText } from '../../../../analyzer/timeline/trace.ts';
import { BmsState } from '../../../../protocol/messages.ts';
import { type Tick, encodeRestarted, generateMessages } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { SHORT, near, show } from './sessions.ts';

const ID = 'quality.na';

type Where = { kind: 'cell' | 'sensor'; i: number } | { kind: 'pack'; ch: 'current_A' | 'packVoltage_V' | 'soc' };
const where: fc.Arbitrary<Where> = fc.oneof(
  fc.record({ kind: fc.constant('cell' as const), i: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('sensor' as const), i: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('pack' as const), ch: fc.constantFrom('current_A' as const, 'packVoltage_V' as const, 'soc' as const) }),
);

function blank(k: Tick, w: Where): void {
  if (w.kind === 'cell') k.cellVoltage_V[w.i] = NaN;
  else if (w.kind === 'sensor') k.temperature_C[w.i] = NaN;
  else if (w.kind === 'pack') k[w.ch] = NaN;
}

const subjectOf = (w: Where): string => (w.kind === 'pack' ? w.ch : `${w.kind} ${w.i}`);

describe('quality.na', () => {
  // for all channels (cell, sensor, pack value), starts and lengths (2.5..30 s) / such that the
  // channel is sent as NA over [t0, t0 + d) / one warning for that channel spanning the NA ticks
  // (± 0.1 s), holds
  it('should report a planted NA run with its channel and time', () => {
    fc.assert(
      fc.property(where, fc.double({ min: 6, max: 25, noNaN: true }), fc.double({ min: 2.5, max: 30, noNaN: true }), (w, t0, d) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              if (k.t_s >= t0 && k.t_s < t0 + d) blank(k, w);
            },
          },
          { checks: [ID] },
        );
        const fs = findingsOf(report, ID).filter((f) => !f.subject.startsWith('cellVoltageM') && !f.subject.startsWith('temperatureM'));
        expect(
          fs.map((f) => `${f.subject} ${f.severity}`),
          show(findingsOf(report, ID)),
        ).toEqual([`${subjectOf(w)} warning`]);
        const first = Math.ceil(t0 * 10 - 1e-9) / 10;
        const last = Math.ceil((t0 + d) * 10 - 1e-9) / 10 - 0.1;
        expect(near(fs[0]!.t_start_s, first, 0.1), `${fs[0]!.t_start_s} vs ${first}`).toBe(true);
        expect(near(fs[0]!.t_end_s, last, 0.1), `${fs[0]!.t_end_s} vs ${last}`).toBe(true);
      }),
      { numRuns: 15, seed: 61 },
    );
  });

  // for all channels and NA runs that begin before a device restart at 30 s and go on after it
  // (each part at least min_duration_s) / two warnings for that channel, one ending before the
  // restart and one beginning after it: the rows after a restart are another run of the device,
  // never joined to the one before (before, one finding spanned the restart), holds
  it('should split an NA run at a device restart', () => {
    fc.assert(
      fc.property(where, fc.double({ min: 15, max: 27.5, noNaN: true }), fc.double({ min: 32.5, max: 45, noNaN: true }), (w, t0, t1) => {
        const msgs = generateMessages({
          phases: SHORT,
          mutate: (k) => {
            if (k.t_s >= t0 && k.t_s < t1) blank(k, w);
          },
        });
        const { report, builder } = analyzeBytes(encodeRestarted(msgs, [30]), { checks: [ID] });
        expect(builder.timeline.clockSteps).toHaveLength(1);
        const fs = findingsOf(report, ID).filter((f) => !f.subject.startsWith('cellVoltageM') && !f.subject.startsWith('temperatureM'));
        expect(
          fs.map((f) => `${f.subject} ${f.severity}`),
          show(fs),
        ).toEqual([`${subjectOf(w)} warning`, `${subjectOf(w)} warning`]);
        expect(near(fs[0]!.t_end_s, 29.9, 0.001), `${fs[0]!.t_end_s}`).toBe(true);
        expect(fs[1]!.t_start_s).toBeGreaterThan(29.9);
        expect(near(fs[1]!.t_start_s, 29.9, 0.002), `${fs[1]!.t_start_s}`).toBe(true);
      }),
      { numRuns: 12, seed: 64 },
    );
  });

  // for all channels and lengths below min_duration_s (≤ 1.5 s) / short NA blips / no finding, holds
  it('should ignore NA shorter than min_duration_s', () => {
    fc.assert(
      fc.property(where, fc.integer({ min: 60, max: 500 }), fc.integer({ min: 1, max: 15 }), (w, k0, n) => {
        const report = analyzeGenerated(
          {
            phases: SHORT,
            mutate: (k) => {
              if (k.k >= k0 && k.k < k0 + n) blank(k, w);
            },
          },
          { checks: [ID] },
        );
        expect(findingsOf(report, ID)).toEqual([]);
      }),
      { numRuns: 10, seed: 62 },
    );
  });

  it('should leave NA during INIT alone (the device has not measured yet)', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s < 4) {
            k.state = BmsState.INIT;
            k.cellVoltage_V.fill(NaN);
            k.temperature_C.fill(NaN);
            k.current_A = NaN;
          }
        },
      },
      { checks: [ID] },
    );
    expect(findingsOf(report, ID)).toEqual([]);
  });

  it('should keep at most max_findings and sum up the rest in one finding', () => {
    // five cells NA for 3 s each, at different times
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          for (let c = 0; c < 5; c++) if (k.t_s >= 6 + 8 * c && k.t_s < 9 + 8 * c) k.cellVoltage_V[c] = NaN;
        },
      },
      { checks: [ID], set: ['quality.na.max_findings=3'] },
    );
    const fs = findingsOf(report, ID);
    expect(
      fs.map((f) => f.subject),
      show(fs),
    ).toEqual(['cell 0', 'cell 1', 'cell 2', 'more']);
    expect(fs[3]!.severity).toBe('warning');
    expect(fs[3]!.evidence.more).toBe(2);
    expect(near(fs[3]!.t_start_s, 30, 0.1) && near(fs[3]!.t_end_s, 40.9, 0.1)).toBe(true);
  });

  it('should find nothing on a clean session', () => {
    const report = analyzeGenerated({ phases: SHORT }, { checks: [ID] });
    expect(findingsOf(report, ID)).toEqual([]);
    expect(statusOf(report, ID)).toBe('pass');
  });

  it('should catch the open sense wire and the open NTC of the scenario library', () => {
    const a = findingsOf(analyzeBytes(scenarioCapture('fault-open-sense-wire'), { checks: [ID] }).report, ID);
    expect(
      a.map((f) => `${f.subject} ${f.severity}`),
      show(a),
    ).toEqual(['cell 37 warning', 'cell 38 warning']);
    expect(near(a[0]!.t_start_s, 120, 0.2)).toBe(true);
    const b = findingsOf(analyzeBytes(scenarioCapture('fault-ntc-open', 150), { checks: [ID] }).report, ID);
    expect(
      b.map((f) => `${f.subject} ${f.severity}`),
      show(b),
    ).toEqual(['sensor 12 warning']); // the NTC on cell 24
    expect(near(b[0]!.t_start_s, 120, 0.2)).toBe(true);
  });

  // a trace has no soh column (and no soc or limits without the BMS columns): NaN on every row is
  // no report of the device; before, every sim trace analysed got "soh reported not available" (error)
  it('should not judge a sim trace, whose missing channels are no NA reports', () => {
    const head = [
      '# natrium-trace/1 {"scenario":"x","chemistry":"naion-18650-layered","ns":2,"np":1,"dt_s":1,"every":1,"cells":"min-max","bms":false}',
      'time_s,current_A,voltage_V,ambient_C,soc,v_min_V,v_max_V,soc_min,soc_max,T_min_C,T_max_C',
    ];
    const rows = Array.from({ length: 900 }, (_, t) => `${t},-1,7.4,25,0.5,3.69,3.71,0.49,0.51,25,25.1`);
    const text = `${[...head, ...rows].join('\n')}\n`;
    const r = traceFromText(text);
    const report = analyze(
      { timeline: r.timeline, counters: null, meta: { name: 'trace.csv', kind: 'trace', bytes: text.length } },
      { profile: builtInProfile('default'), fallback: traceFallback(r.meta), rules: RULES.filter((x) => x.id === ID), today: '2026-12-03' },
    );
    expect(findingsOf(report, ID)).toEqual([]);
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });
});
