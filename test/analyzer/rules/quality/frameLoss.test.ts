/** quality.frame_loss: lost frames per type (arrival grid) and in total (sequence numbers). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../../../../protocol/messages.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { SHORT, SHORT_TICKS, analyzeTimeline, captureWith, near, show } from './sessions.ts';
import { generateCapture } from '../../generate.ts';
import { timelineFromBytes } from '../../../../analyzer/timeline/ingest.ts';

const ID = 'quality.frame_loss';
const TYPES = [
  [MessageType.PACK_STATUS, 'PACK_STATUS'],
  [MessageType.CELL_VOLTAGES, 'CELL_VOLTAGES'],
  [MessageType.TEMPERATURES, 'TEMPERATURES'],
] as const;

describe('quality.frame_loss', () => {
  // for all periodic types, burst starts and lengths (1..30 ticks) / such that the burst of that
  // type is lost / one finding for the type whose range is the burst (from the tick before to the
  // tick after, ± 0.1 s) with the loss counted exactly and the severity of its share, and one
  // "all frames" finding with the same count, holds
  it('should report a planted burst of lost frames with its type, size and time', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.integer({ min: 60, max: 500 }), fc.integer({ min: 1, max: 30 }), ([type, name], k0, n) => {
        const report = analyzeGenerated({ phases: SHORT, drop: (t, tick) => t === type && tick.k >= k0 && tick.k < k0 + n }, { checks: [ID] });
        const fs = findingsOf(report, ID);
        const f = fs.find((x) => x.subject === name);
        expect(f, show(fs)).toBeDefined();
        expect(f!.evidence.lost).toBe(n);
        const share = n / SHORT_TICKS;
        expect(f!.severity).toBe(share > 0.02 ? 'error' : 'warning');
        expect(near(f!.t_start_s, (k0 - 1) / 10, 0.1), `${f!.t_start_s}`).toBe(true);
        expect(near(f!.t_end_s, (k0 + n) / 10, 0.1), `${f!.t_end_s}`).toBe(true);
        const all = fs.find((x) => x.subject === 'all frames');
        expect(all?.evidence.lost).toBe(n);
        expect(fs.map((x) => x.subject).sort()).toEqual(['all frames', name].sort());
        expect(f!.message).toContain(`${n} ${name} messages lost of `);
        expect(f!.message).toMatch(n === 1 ? /, in one dropout of 0\.2 s$/ : /, in one dropout of [\d.]+ s$/);
      }),
      { numRuns: 15, seed: 11 },
    );
  });

  it('should tell single frames lost here and there from dropouts, and span scattered loss whole', () => {
    // PACK_STATUS: one frame in 50 lost from tick 100 on (a noisy line)
    const scattered = findingsOf(
      analyzeGenerated({ phases: SHORT, drop: (t, tick) => t === MessageType.PACK_STATUS && tick.k >= 100 && tick.k % 50 === 0 }, { checks: [ID] }),
      ID,
    ).find((f) => f.subject === 'PACK_STATUS')!;
    const n = Math.floor((SHORT_TICKS - 1) / 50) - 1;
    expect(scattered.evidence.lost).toBe(n);
    expect(scattered.message).toMatch(new RegExp(`, a frame or two at a time, in ${n} places over [\\d.:]+( s)?$`));
    expect(near(scattered.t_start_s, 9.9, 0.1), `${scattered.t_start_s}`).toBe(true);
    expect(near(scattered.t_end_s, n * 5 + 5 + 0.1, 0.1), `${scattered.t_end_s}`).toBe(true);
    // the same, and a dropout of 20 frames at tick 400: the message names it, the range covers it
    const mixed = findingsOf(
      analyzeGenerated(
        { phases: SHORT, drop: (t, tick) => t === MessageType.PACK_STATUS && ((tick.k >= 100 && tick.k % 50 === 0) || (tick.k >= 400 && tick.k < 420)) },
        { checks: [ID] },
      ),
      ID,
    ).find((f) => f.subject === 'PACK_STATUS')!;
    expect(mixed.message).toMatch(/, in \d+ places over [\d.:]+( s)?; the longest dropout lost 20 over 2\.1 s$/);
    expect(mixed.t_start_s).toBeLessThanOrEqual(39.9);
    expect(mixed.t_end_s).toBeGreaterThanOrEqual(42);
  });

  // for all seeds / such that nothing is dropped / no finding and a zero loss share, holds
  it('should find nothing on a clean session', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(findingsOf(report, ID)).toEqual([]);
        expect(statusOf(report, ID)).toBe('pass');
        expect(report.checks[0]!.metrics?.loss_share).toBe(0);
      }),
      { numRuns: 5, seed: 3 },
    );
  });

  it('should be info below warning_share by default and a warning in the lab profile', () => {
    // one PACK_STATUS of 1 500 (0.067 %)
    const bytes = generateCapture({
      phases: [...SHORT, { current_A: 0, duration_s: 90, state: 'STANDBY' }],
      drop: (t, tick) => t === MessageType.PACK_STATUS && tick.k === 300,
    });
    const def = findingsOf(analyzeBytes(bytes, { checks: [ID] }).report, ID);
    expect(def.find((f) => f.subject === 'PACK_STATUS')?.severity).toBe('info');
    const lab = findingsOf(analyzeBytes(bytes, { checks: [ID], profile: 'lab' }).report, ID);
    expect(lab.find((f) => f.subject === 'PACK_STATUS')?.severity).toBe('warning');
    expect(lab.find((f) => f.subject === 'PACK_STATUS')?.threshold?.value).toBe(0);
  });

  it('should not be evaluable without sequence numbers (a trace)', () => {
    const tl = timelineFromBytes(generateCapture({ phases: SHORT })).timeline;
    expect(statusOf(analyzeTimeline(tl, [ID]), ID)).toBe('not_evaluable');
  });

  it('should count exactly the frames a lossy line lost in a real capture', () => {
    const { bytes, summary } = captureWith('fault-host-comm-loss', { duration_s: 60, linkFaults: { dropFrame: 0.01, corruptFrame: 0.004 }, seed: 5 });
    const lf = summary.linkFaults!;
    const fs = findingsOf(analyzeBytes(bytes, { checks: [ID] }).report, ID);
    const all = fs.find((f) => f.subject === 'all frames');
    expect(all?.evidence.lost).toBe(lf.framesDropped + lf.framesCorrupted);
    expect(all?.severity).toBe('warning'); // ~1.4 %
    expect(fs.some((f) => f.subject === 'PACK_STATUS')).toBe(true);
  });
});
