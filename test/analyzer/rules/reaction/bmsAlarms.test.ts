/** reaction.bms_alarms: the BMS's own WARNING/FATAL EVENTs become findings over raise → clear. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultCode, FaultTier } from '../../../../protocol/messages.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { generateCapture, type Phase } from '../../generate.ts';
import { concat } from '../../../protocol/helpers.ts';

const PHASES: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  { current_A: -75, duration_s: 60, state: 'NORMAL' },
];
const CHECK = 'reaction.bms_alarms';

describe(CHECK, () => {
  // for all alarms raised at tick a and cleared at tick b (or never) / one finding from a to b, severity by tier
  it('should report each raised alarm from its raise to its clear', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 60, max: 300 }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        fc.constantFrom(FaultTier.WARNING, FaultTier.FATAL),
        fc.boolean(),
        (a, len, pack, tier, clears) => {
          const b = a + len;
          const code = pack ? FaultCode.HOST_COMM_LOSS : FaultCode.OPEN_SENSE_WIRE;
          const index = pack ? -1 : 3;
          const r = analyzeGenerated(
            {
              phases: PHASES,
              rate_Hz: 10,
              mutate: (t) => {
                if (t.k === a) t.events.push({ code, tier, raised: true, index, value: 2, threshold: 1 });
                if (clears && t.k === b) t.events.push({ code, tier, raised: false, index, value: 0, threshold: 1 });
              },
            },
            { checks: [CHECK] },
          );
          const fs = findingsOf(r, CHECK);
          expect(fs).toHaveLength(1);
          const f = fs[0]!;
          expect(f.severity).toBe(tier === FaultTier.FATAL ? 'error' : 'warning');
          expect(f.t_start_s).toBeCloseTo(a / 10, 6);
          expect(f.t_end_s).toBeCloseTo(clears ? b / 10 : 64.9, 6);
          expect(f.subject).toBe(pack ? 'HOST_COMM_LOSS' : 'OPEN_SENSE_WIRE 3');
          expect(f.threshold?.source).toBe('device EVENT');
          expect(f.threshold?.unit).toBe(pack ? 's' : 'V');
        },
      ),
      { numRuns: 10 },
    );
  });

  // an alarm still raised when the device restarts ends there: the restarted firmware raises
  // again what is still wrong, and that is a finding of its own
  it('should end an alarm at a device restart', () => {
    const code = FaultCode.OPEN_SENSE_WIRE;
    const session = (raiseAt: number): Uint8Array =>
      generateCapture({
        phases: PHASES,
        mutate: (t) => void (t.k === raiseAt && t.events.push({ code, tier: FaultTier.WARNING, raised: true, index: 3, value: 2, threshold: 1 })),
      });
    const { report: r, builder } = analyzeBytes(concat(session(100), session(300)), { checks: [CHECK] });
    expect(builder.timeline.clockSteps).toHaveLength(1);
    const restart_s = builder.timeline.clockSteps[0]!.t_s;
    expect(restart_s).toBeCloseTo(64.9, 6);
    const fs = findingsOf(r, CHECK);
    expect(fs.map((f) => [f.t_start_s, f.t_end_s, f.evidence['ended_by_restart']])).toEqual([
      [10, restart_s, true],
      [expect.closeTo(restart_s + 0.001 + 30, 6), builder.timeline.t_s[builder.timeline.length - 1], false],
    ]);
    expect(fs[0]!.message).toContain('not cleared before the device restarted at 64.9 s');
    expect(fs[1]!.message).toContain('not cleared by the end of the data');
  });

  it('should find nothing in a clean session and ignore INFO-tier events', () => {
    const r = analyzeGenerated(
      { phases: PHASES, mutate: (t) => void (t.k === 100 && t.events.push({ code: 0, tier: FaultTier.INFO, raised: true, index: 1, value: 4, threshold: 4 })) },
      { checks: [CHECK] },
    );
    expect(findingsOf(r, CHECK)).toHaveLength(0);
    expect(statusOf(r, CHECK)).toBe('pass');
  });
});
