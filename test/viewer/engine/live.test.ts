/**
 * The live window (viewer/src/engine/live.ts): however long the stream, it holds between one
 * and two windows of the latest telemetry, its memory stays bounded, its origin maps
 * its axis back to device time, and clear empties it.
 */
import { describe, expect, it } from 'vitest';
import { LiveWindow } from '../../../viewer/src/engine/live.ts';
import { generateCapture } from '../../analyzer/generate.ts';

const RATE_HZ = 10;
const STREAM = generateCapture({
  seed: 11,
  ns: 8,
  nt: 2,
  rate_Hz: RATE_HZ,
  phases: [
    { current_A: 0, duration_s: 20, state: 'STANDBY' },
    { current_A: -50, duration_s: 700, state: 'NORMAL' },
  ],
});

describe('LiveWindow', () => {
  it('keeps between one and two windows, in bounded memory', () => {
    const w = new LiveWindow(60);
    let maxRows = 0;
    let maxBytes = 0;
    let bytesAt300 = 0;
    for (let p = 0; p < STREAM.length; p += 997) {
      w.push(STREAM.subarray(p, p + 997));
      const tl = w.timeline;
      maxRows = Math.max(maxRows, tl.length);
      maxBytes = Math.max(maxBytes, w.columnBytes);
      const end = w.origin_s + tl.t_s[tl.length - 1]!;
      if (bytesAt300 === 0 && end > 300) bytesAt300 = maxBytes;
      if (end > 100) {
        expect(tl.duration_s).toBeGreaterThanOrEqual(60 - 1);
        expect(tl.duration_s).toBeLessThanOrEqual(120 + 1);
      }
    }
    expect(maxRows).toBeLessThanOrEqual(120 * RATE_HZ + 20);
    // memory reached by 300 s of device time is all it ever takes, over 720 s
    expect(maxBytes).toBe(bytesAt300);
    const tl = w.timeline;
    expect(w.origin_s + tl.t_s[tl.length - 1]!).toBeCloseTo(720, 0);
    w.clear();
    expect(w.timeline.length).toBe(0);
    expect(w.bytes).toBe(0);
    expect(() => new LiveWindow(0)).toThrow(/window_s/);
  });
});
