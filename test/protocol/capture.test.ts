import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../protocol/capture.ts';
import * as A from './arbitraries.ts';
import { buildStream } from './damage.ts';

const ERRORS = ['crcErrors', 'cobsErrors', 'shortFrames', 'badVersions', 'oversizeRuns', 'bytesDiscarded'] as const;

describe('decodeCapture', () => {
  // for all captures and every cut c: the frames whose bytes all lie before c are returned, the
  // rest of the last frame is counted as incomplete, and no error is counted
  it('should return exactly the frames completed before a cut at any byte offset', () => {
    fc.assert(
      fc.property(A.timedMessages(A.smallMessage, 6), (items) => {
        const s = buildStream(items);
        for (let cut = 0; cut <= s.bytes.length; cut++) {
          const { messages, counters } = decodeCapture(s.bytes.subarray(0, cut));
          // frame i is complete once the byte before its 0x00 is in (the 0x00 itself may be cut off)
          const complete = s.spans.filter((sp) => sp.end <= cut).length;
          expect(messages).toEqual(s.messages.slice(0, complete));
          for (const k of ERRORS) expect(counters[k]).toBe(0);
          // bytes after the last complete frame's 0x00 (or after the leading 0x00) are the incomplete tail
          const consumed = complete === 0 ? 1 : s.spans[complete - 1]!.end + 1;
          expect(counters.incompleteBytes).toBe(cut - Math.min(cut, consumed));
          expect(counters.frames).toBe(complete);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('should read a capture that starts in the middle of a frame', () => {
    const s = buildStream(Array.from({ length: 5 }, (_, i) => ({ m: { type: 0x82 as const }, t_ms: i })));
    const { messages, counters } = decodeCapture(s.bytes.subarray(s.spans[1]!.start + 3));
    expect(messages.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(counters.presyncBytes).toBeGreaterThan(0);
    for (const k of ERRORS) expect(counters[k]).toBe(0);
  });
});
