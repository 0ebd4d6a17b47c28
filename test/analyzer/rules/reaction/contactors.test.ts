/** reaction.contactors: every frame against PROTOCOL.md §8's state/contactor table, and the current. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BmsState, FaultCode } from '../../../../protocol/messages.ts';
import type { GenOptions, Tick } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { scenarioCapture } from '../../scenario-capture.ts';
import { DISCHARGE, PERIOD_S, SHORT, near, rowSpan, serious, show } from '../envelope/sessions.ts';

const ID = 'reaction.contactors';
/** The default profile's current grace on a simulator: pack_step_s 1 s + tick_s 10 ms. */
const CURRENT_GRACE_S = 1.01;
/** The same on a real device (INFO without the simulator flag): tick_s. */
const REAL_CURRENT_GRACE_S = 0.01;

/** A planted inconsistency: what a tick shows while it lasts and its subject. */
interface Kind {
  name: string;
  subject: string;
  /** Until the end of the session (ERROR is latched). */
  latched?: boolean;
  apply(k: Tick): void;
}

/** Against the §8 table: no grace, one frame is a finding. */
const LAW_KINDS: Kind[] = [
  {
    name: 'NORMAL with main+ open',
    subject: 'main contactors',
    apply: (k) => {
      k.contactors.pos = false;
      k.current_A = 0;
    },
  },
  {
    name: 'NORMAL with precharge still closed',
    subject: 'main contactors',
    apply: (k) => {
      k.contactors.pre = true;
    },
  },
  {
    name: 'STANDBY with the mains closed',
    subject: 'contactors at rest',
    apply: (k) => {
      k.state = BmsState.STANDBY;
      k.current_A = 0;
    },
  },
  {
    name: 'PRECHARGE without the precharge contactor',
    subject: 'precharge contactor',
    apply: (k) => {
      k.state = BmsState.PRECHARGE;
      k.contactors = { pos: false, neg: true, pre: false };
      k.current_A = 0;
    },
  },
  {
    name: 'PRECHARGE without main−',
    subject: 'precharge contactor',
    apply: (k) => {
      k.state = BmsState.PRECHARGE;
      k.contactors = { pos: false, neg: false, pre: true };
      k.current_A = 0;
    },
  },
  {
    name: 'ERROR with main+ welded',
    subject: 'contactors in ERROR',
    latched: true,
    apply: (k) => {
      k.state = BmsState.ERROR;
      k.contactors = { pos: true, neg: false, pre: false };
      k.current_A = 0;
    },
  },
];

const CURRENT: Kind = {
  name: 'current with everything open',
  subject: 'current path',
  apply: (k) => {
    k.state = BmsState.STANDBY;
    k.contactors = { pos: false, neg: false, pre: false };
  },
};

function plant(kind: Kind, t0: number, d: number, g: GenOptions = {}) {
  return analyzeGenerated(
    {
      phases: SHORT,
      ...g,
      mutate: (k) => {
        if (k.t_s >= t0 - 1e-9 && (kind.latched || k.t_s < t0 + d - 1e-9)) kind.apply(k);
      },
    },
    { checks: [ID] },
  );
}

describe('reaction.contactors', () => {
  // for all kinds against the §8 table, starts in the discharge phase and durations from one frame
  // to 15 s / one error with the kind's subject, from its first row to its last, holds
  it('should report every frame against the state/contactor table, from one frame on', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LAW_KINDS), fc.integer({ min: 80, max: 400 }), fc.integer({ min: 1, max: 150 }), (kind, at, frames) => {
        const t0 = at / 10;
        const d = frames * PERIOD_S;
        const fs = findingsOf(plant(kind, t0, d), ID);
        expect(fs, `${kind.name}\n${show(fs)}`).toHaveLength(1);
        const f = fs[0]!;
        expect(f.severity).toBe('error');
        expect(f.subject).toBe(kind.subject);
        const span = rowSpan(t0, t0 + d);
        expect(near(f.t_start_s, span.first, 1e-6), `${f.t_start_s} vs ${span.first}`).toBe(true);
        if (kind.latched) expect(f.t_end_s).toBeGreaterThan(100);
        else expect(near(f.t_end_s, span.last, 1e-6), `${f.t_end_s} vs ${span.last}`).toBe(true);
        expect(f.evidence.frames).toBe(kind.latched ? Math.round((f.t_end_s - f.t_start_s) / PERIOD_S) + 1 : frames);
      }),
      { numRuns: 25, seed: 909 },
    );
  });

  it('should find NORMAL with main+ open for one frame at that frame', () => {
    const fs = findingsOf(plant(LAW_KINDS[0]!, 30, PERIOD_S), ID);
    expect(fs.map((f) => [f.subject, f.t_start_s, f.t_end_s, f.evidence.state, f.evidence.wrong_open])).toEqual([
      ['main contactors', 30, 30, 'NORMAL', 'main+'],
    ]);
    expect(fs[0]!.message).toContain('NORMAL with main+ open for 0.1 s');
  });

  // for all durations over the grace / one error from the first row to the last, holds
  it('should report a current with no path closed that outlasts one pack step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 130 }), (at, extra) => {
        const d = Math.ceil(CURRENT_GRACE_S / PERIOD_S + 1) * PERIOD_S + extra * PERIOD_S;
        const t0 = Math.round((DISCHARGE.from + (at / 1000) * (DISCHARGE.to - DISCHARGE.from - d)) * 10) / 10;
        const fs = findingsOf(plant(CURRENT, t0, d), ID);
        expect(fs, show(fs)).toHaveLength(1);
        const span = rowSpan(t0, t0 + d);
        expect([fs[0]!.subject, fs[0]!.severity]).toEqual(['current path', 'error']);
        expect(near(fs[0]!.t_start_s, span.first, 1e-6)).toBe(true);
        expect(near(fs[0]!.t_end_s, span.last, 1e-6)).toBe(true);
      }),
      { numRuns: 15, seed: 10 },
    );
  });

  // for all durations up to one pack step / no finding on a simulator, one on a real device, holds
  it('should allow a simulator one pack step of current after the path opened, and a real device none', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), (frames) => {
        const d = frames * PERIOD_S;
        expect(findingsOf(plant(CURRENT, 30, d), ID)).toEqual([]);
        const real = findingsOf(plant(CURRENT, 30, d, { simulator: false }), ID);
        expect(real.map((f) => [f.subject, f.t_start_s])).toEqual([['current path', 30]]);
        expect(real[0]!.evidence.grace_s).toBe(REAL_CURRENT_GRACE_S);
      }),
      { numRuns: 6, seed: 11 },
    );
  });

  it('should not hold a current the BMS flags as implausible as evidence of a welded contactor', () => {
    const report = analyzeGenerated(
      {
        phases: SHORT,
        mutate: (k) => {
          if (k.t_s >= 20 && k.t_s < 30) {
            CURRENT.apply(k);
            k.faultMask |= 1 << FaultCode.CURRENT_PLAUSIBILITY;
          }
        },
      },
      { checks: [ID] },
    );
    const fs = findingsOf(report, ID);
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['current path', 'info']]);
  });

  it('should take the law grace from the profile', () => {
    const bytes = (d: number) =>
      analyzeGenerated(
        { phases: SHORT, mutate: (k) => k.t_s >= 30 && k.t_s < 30 + d - 1e-9 && LAW_KINDS[2]!.apply(k) },
        { checks: [ID], set: [`${ID}.state_grace_s=0.25`] },
      );
    expect(findingsOf(bytes(0.2), ID)).toEqual([]);
    expect(findingsOf(bytes(0.4), ID)).toHaveLength(1);
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

  it('should find the welded main+ of fault-welded-contactor as one episode, and nothing on the precharge retries of fault-precharge-resistor-open', () => {
    const welded = analyzeBytes(scenarioCapture('fault-welded-contactor'), { checks: [ID] }).report;
    const fs = findingsOf(welded, ID);
    expect(fs.map((f) => [f.subject, f.severity])).toEqual([['contactors in ERROR', 'error']]);
    // STANDBY requested at 300 s: main− opens after its operate time (NORMAL with main− open), two
    // operate times on the device goes on (STANDBY, main+ still closed), then CONTACTOR_FEEDBACK and ERROR
    const f = fs[0]!;
    expect(f.evidence.states).toBe('NORMAL → STANDBY → ERROR');
    expect(f.evidence.wrong_closed).toBe('main+');
    expect(f.t_start_s).toBeGreaterThan(300);
    expect(f.t_start_s).toBeLessThan(300.5);
    const retries = analyzeBytes(scenarioCapture('fault-precharge-resistor-open'), { checks: [ID] }).report;
    expect(serious(findingsOf(retries, ID))).toEqual([]);
  });

  it('should find the charger faults opening under load within one pack step: no finding', () => {
    const r = analyzeBytes(scenarioCapture('fault-charger-no-termination'), { checks: [ID] }).report;
    expect(show(findingsOf(r, ID))).toBe('');
  });
});
