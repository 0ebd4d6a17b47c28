/** The device's alarms as episodes: raise → clear, a restart, or the end of the data. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmEpisodes, faultUnit } from '../../../analyzer/rules/alarms.ts';
import { Timeline, type TimedEvent } from '../../../analyzer/timeline/store.ts';
import { FAULT_CODE_NAMES, FaultCode, FaultTier } from '../../../protocol/messages.ts';

const ev = (t_s: number, code: number, raised: boolean, index = -1, tier: FaultTier = FaultTier.WARNING): TimedEvent => ({
  t_s,
  seq: 0,
  code,
  tier,
  raised,
  index,
  value: 1,
  threshold: 0,
});

function timeline(events: TimedEvent[], restarts: number[]): Timeline {
  const tl = new Timeline();
  tl.events.push(...events);
  for (const t_s of restarts) tl.clockSteps.push({ row: 0, t_s, back_s: t_s, shift_s: t_s });
  return tl;
}

describe('alarmEpisodes', () => {
  it('should pair each raise with its clear by code, tier and index, and leave the rest open to the end', () => {
    const tl = timeline(
      [ev(1, 5, true, 2), ev(2, 5, true, 3), ev(3, 5, true, 2), ev(4, 5, false, 2), ev(5, 5, true, 2, FaultTier.FATAL), ev(6, 5, false, 2, FaultTier.WARNING)],
      [],
    );
    const got = alarmEpisodes(tl, () => true, 10).map((e) => [e.raise.index, e.raise.tier, e.t_start_s, e.t_end_s, e.end]);
    expect(got).toEqual([
      [2, 1, 1, 4, 'cleared'], // the second raise of the same alarm while raised changes nothing
      [3, 1, 2, 10, 'open'],
      [2, 2, 5, 10, 'open'], // a clear at another tier does not clear it
    ]);
  });

  it('should end every alarm still raised at a device restart', () => {
    // raised at 1, restart after 3; the clear at 7 belongs to nothing; raised again at 8 and open
    const tl = timeline([ev(1, 9, true), ev(2, 4, true), ev(2.5, 4, false), ev(7, 9, false), ev(8, 9, true)], [3]);
    const got = alarmEpisodes(tl, () => true, 10).map((e) => [e.raise.code, e.t_start_s, e.t_end_s, e.end]);
    expect(got).toEqual([
      [4, 2, 2.5, 'cleared'],
      [9, 1, 3, 'restart'],
      [9, 8, 10, 'open'],
    ]);
    // a restart after the last EVENT ends what is raised too
    expect(alarmEpisodes(timeline([ev(1, 9, true)], [3, 6]), () => true, 10).map((e) => [e.t_end_s, e.end])).toEqual([[3, 'restart']]);
  });

  // for all sequences of EVENTs and restarts: no episode spans a restart, every raise of an alarm
  // not already raised starts one, and each ends at its clear, a restart or the end of the data
  it('should never let an episode span a restart', () => {
    const event = fc.record({ dt: fc.integer({ min: 0, max: 30 }), code: fc.integer({ min: 0, max: 2 }), raised: fc.boolean() });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 5 }), (evs, rs) => {
        let t = 0;
        const events = evs.map((e) => ev((t += e.dt / 10), e.code, e.raised));
        const restarts = rs.map((x) => x / 10 + 0.05).sort((a, b) => a - b); // never at an EVENT's time
        const end = t + 1;
        const eps = alarmEpisodes(timeline(events, restarts), () => true, end);
        for (const e of eps) {
          for (const r of restarts) expect(e.t_start_s < r && r < e.t_end_s).toBe(false);
          expect(e.t_end_s).toBe(e.end === 'open' ? end : e.end === 'restart' ? restarts.find((r) => r > e.t_start_s) : e.t_end_s);
        }
        // raises that start an episode: the alarm was not raised (since its last clear or restart)
        const raisedNow = new Set<number>();
        let starts = 0;
        let k = 0;
        for (const e of events) {
          for (; k < restarts.length && restarts[k]! < e.t_s; k++) raisedNow.clear();
          if (e.raised && !raisedNow.has(e.code)) {
            raisedNow.add(e.code);
            starts++;
          } else if (!e.raised) raisedNow.delete(e.code);
        }
        expect(eps).toHaveLength(starts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('faultUnit', () => {
  // the report's units: a temperature in °C, the spread of temperatures (a difference) in K, as
  // the thermal checks write it; the wire's 'C' never reaches a finding
  it('should give every code its unit as the report writes it', () => {
    expect(faultUnit(FaultCode.CELL_OVERVOLTAGE)).toBe('V');
    expect(faultUnit(FaultCode.OVERCURRENT_DISCHARGE)).toBe('A');
    expect(faultUnit(FaultCode.OVERTEMPERATURE_CHARGE)).toBe('°C');
    expect(faultUnit(FaultCode.NTC_OPEN)).toBe('°C');
    expect(faultUnit(FaultCode.TEMPERATURE_SPREAD)).toBe('K');
    expect(faultUnit(FaultCode.HOST_COMM_LOSS)).toBe('s');
    expect(faultUnit(FaultCode.CONTACTOR_FEEDBACK)).toBe('');
    expect(faultUnit(999)).toBe('');
    for (let c = 0; c < FAULT_CODE_NAMES.length; c++) expect(faultUnit(c)).not.toBe('C');
  });
});
