/** reaction.contactors: contactor feedback consistent with the state and the current. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BmsState, FaultCode } from '../../../../protocol/messages.ts';
import type { Tick } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { DISCHARGE, SHORT, near, rowSpan, serious, show } from '../envelope/sessions.ts';

const ID = 'reaction.contactors';
const GRACE_S = 1.5;
const PRECHARGE_GRACE_S = 3.5;
const ERROR_GRACE_S = 3.5;

/** A planted inconsistency: what a tick shows while it lasts, its subject and its grace. */
interface Kind {
  name: string;
  subject: string;
  grace: number;
  /** Until the end of the session (ERROR is latched). */
  latched?: boolean;
  apply(k: Tick): void;
}

const KINDS: Kind[] = [
  {
    name: 'NORMAL with main+ open',
    subject: 'main contactors',
    grace: GRACE_S,
    apply: (k) => {
      k.contactors.pos = false;
      k.current_A = 0;
    },
  },
  {
    name: 'STANDBY with the mains closed',
    subject: 'contactors at rest',
    grace: GRACE_S,
    apply: (k) => {
      k.state = BmsState.STANDBY;
      k.current_A = 0;
    },
  },
  {
    name: 'PRECHARGE without the precharge contactor',
    subject: 'precharge contactor',
    grace: PRECHARGE_GRACE_S,
    apply: (k) => {
      k.state = BmsState.PRECHARGE;
      k.contactors = { pos: false, neg: true, pre: false };
      k.current_A = 0;
    },
  },
  {
    name: 'current with everything open',
    subject: 'current path',
    grace: GRACE_S,
    apply: (k) => {
      k.state = BmsState.STANDBY;
      k.contactors = { pos: false, neg: false, pre: false };
    },
  },
  {
    name: 'ERROR with main+ welded',
    subject: 'contactors in ERROR',
    grace: ERROR_GRACE_S,
    latched: true,
    apply: (k) => {
      k.state = BmsState.ERROR;
      k.contactors = { pos: true, neg: false, pre: false };
      k.current_A = 0;
    },
  },
];

function plant(kind: Kind, t0: number, d: number) {
  return analyzeGenerated(
    {
      phases: SHORT,
      mutate: (k) => {
        if (k.t_s >= t0 && (kind.latched || k.t_s < t0 + d)) kind.apply(k);
      },
    },
    { checks: [ID] },
  );
}

describe('reaction.contactors', () => {
  // for all kinds of inconsistency, starts in the discharge phase and durations from grace + 0.5 s
  // to 15 s / such that the ticks show it / one error with the kind's subject, from its first row
  // (ERROR: from the end of the grace after entering ERROR) to its last, holds
  it('should report an inconsistency that outlasts its grace', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (kind, at, frac) => {
        const d = kind.grace + 0.5 + frac * (15 - kind.grace - 0.5);
        const t0 = DISCHARGE.from + at * (DISCHARGE.to - DISCHARGE.from - d);
        const report = plant(kind, t0, d);
        const fs = findingsOf(report, ID);
        expect(fs, `${kind.name}\n${show(fs)}`).toHaveLength(1);
        const f = fs[0]!;
        const span = rowSpan(t0, t0 + d);
        expect(f.severity).toBe('error');
        expect(f.subject).toBe(kind.subject);
        if (kind.latched) {
          expect(near(f.t_start_s, span.first + kind.grace + 0.1, 0.1), `${f.t_start_s} vs ${span.first + kind.grace}`).toBe(true);
          expect(f.evidence.error_entry_s as number).toBeCloseTo(span.first, 6);
        } else {
          expect(near(f.t_start_s, span.first, 0.1)).toBe(true);
          expect(near(f.t_end_s, span.last, 0.1)).toBe(true);
        }
      }),
      { numRuns: 20, seed: 909 },
    );
  });

  // for all kinds (but the latched ERROR) and durations up to 0.2 s under the grace / no finding, holds
  it('should tolerate an inconsistency within its grace', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS.filter((k) => !k.latched)), fc.double({ min: 0, max: 1, noNaN: true }), (kind, frac) => {
        const d = 0.1 + frac * (kind.grace - 0.3);
        expect(findingsOf(plant(kind, 30, d), ID)).toEqual([]);
      }),
      { numRuns: 10, seed: 10 },
    );
  });

  it('should not hold a current the BMS flags as implausible as evidence of a welded contactor', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= 20 && k.t_s < 30) {
            KINDS[3]!.apply(k);
            k.faultMask |= 1 << FaultCode.CURRENT_PLAUSIBILITY;
          }
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['current path', 'info']]);
  });

  // for all seeds / a clean session (precharge, NORMAL, CHARGE, STANDBY) / no finding, holds
  it('should find nothing on clean sessions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
      }),
      { numRuns: 4, seed: 12 },
    );
  });

  it('should find the welded main+ of fault-welded-contactor in ERROR, and nothing on the precharge retries of fault-precharge-resistor-open', () => {
    const welded = analyzeBytes(scenarioCapture('fault-welded-contactor'), { checks: [ID] }).report;
    const fs = findingsOf(welded, ID);
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['contactors in ERROR', 'error']]);
    expect(fs[0]!.evidence.closed).toBe('main+');
    // STANDBY requested at 300 s, ERROR at 300.8 s, judged after the 3.5 s grace
    expect(fs[0]!.t_start_s).toBeGreaterThan(300);
    expect(fs[0]!.t_start_s).toBeLessThan(306);
    const retries = analyzeBytes(scenarioCapture('fault-precharge-resistor-open'), { checks: [ID] }).report;
    expect(serious(findingsOf(retries, ID))).toEqual([]);
  });
});
