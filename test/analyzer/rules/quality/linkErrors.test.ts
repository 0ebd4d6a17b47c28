/** quality.link_errors: the decoder's counters as findings, severity by share or by kind. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timelineFromBytes } from '../../../../analyzer/timeline/ingest.ts';
import { cobsEncode, cobsMaxEncodedLength } from '../../../../protocol/cobs.ts';
import { crc32c } from '../../../../protocol/crc.ts';
import { rawFrame } from '../../../../protocol/frame.ts';
import { MessageType, type Decoded, type DeviceMessage } from '../../../../protocol/messages.ts';
import { generateCapture, generateMessages } from '../../generate.ts';
import { analyzeBytes, findingsOf, statusOf } from '../../harness.ts';
import { SHORT, analyzeTimeline, captureWith, show } from './sessions.ts';

const ID = 'quality.link_errors';
const DAMAGE = ['crcErrors', 'cobsErrors', 'shortFrames', 'oversizeRuns'];

/** The generated session as frames (each with its 0x00), so a test can damage, repeat or replace some. */
function frames(): { msgs: Decoded<DeviceMessage>[]; wire: Uint8Array[] } {
  const msgs = generateMessages({ phases: SHORT });
  return { msgs, wire: msgs.map((m) => stuff(rawFrame(m, m.seq, m.t_ms))) };
}

/** COBS bytes of a raw frame plus its delimiter. */
function stuff(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(raw.length) + 1);
  const w = cobsEncode(raw, out, 0, 0, raw.length);
  out[w] = 0;
  return out.slice(0, w + 1);
}

/** A raw frame rebuilt with a new CRC after `edit` (a valid frame that breaks the protocol). */
function recrc(raw: Uint8Array, edit: (body: Uint8Array) => Uint8Array): Uint8Array {
  const body = edit(raw.slice(0, raw.length - 4));
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32c(body), true);
  return out;
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let p = 0;
  for (const x of parts) {
    out.set(x, p);
    p += x.length;
  }
  return out;
}

describe('quality.link_errors', () => {
  const base = frames();

  // for all sets of 1..8 frames and byte masks / such that one data byte of each frame is
  // changed (never into 0x00) / the damage findings count exactly those frames, each with the
  // severity of its share of the valid frames and the whole session as its range, holds
  it('should count planted damaged frames with the severity of their share', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 10, max: base.wire.length - 10 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 255 }),
        (which, where, mask) => {
          const wire = base.wire.map((w, i) => {
            if (!which.includes(i)) return w;
            const d = w.slice();
            const at = Math.floor((where / 1_000_001) * (d.length - 1)); // not the delimiter
            d[at] = d[at]! ^ mask || d[at]! ^ 0xff || 1;
            if (d[at] === 0) d[at] = 1;
            return d;
          });
          const { report } = analyzeBytes(join(wire), { checks: [ID] });
          const fs = findingsOf(report, ID);
          const damage = fs.filter((f) => DAMAGE.includes(f.subject));
          expect(
            damage.reduce((s, f) => s + (f.evidence.count as number), 0),
            show(fs),
          ).toBe(which.length);
          const frames = report.input.decoder!.frames;
          for (const f of damage) {
            const share = (f.evidence.count as number) / ((f.evidence.count as number) + frames);
            expect(f.severity).toBe(share > 0.02 ? 'error' : share > 0.001 ? 'warning' : 'info');
            expect(f.t_start_s).toBe(0);
            expect(f.t_end_s).toBe(report.input.duration_s);
            const n = f.evidence.count as number;
            expect(f.message).toMatch(n === 1 ? /^1 (frame|run) (failed its|was) / : new RegExp(`^${n} (frames|runs) (failed their|were) `));
          }
          expect(fs.some((f) => f.subject === 'bytesDiscarded')).toBe(true);
        },
      ),
      { numRuns: 15, seed: 21 },
    );
  });

  // for all sets of 1..20 frames / such that each is sent twice / one "duplicates" finding with
  // that count, holds
  it('should report frames the link repeated', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: base.wire.length - 1 }), { minLength: 1, maxLength: 20 }), (which) => {
        const wire = base.wire.flatMap((w, i) => (which.includes(i) ? [w, w] : [w]));
        const fs = findingsOf(analyzeBytes(join(wire), { checks: [ID] }).report, ID);
        expect(
          fs.map((f) => f.subject),
          show(fs),
        ).toEqual(['duplicates']);
        expect(fs[0]!.evidence.count).toBe(which.length);
      }),
      { numRuns: 10, seed: 22 },
    );
  });

  it('should warn on a single protocol violation (truncated payload, bad version)', () => {
    const i = base.msgs.findIndex((m, k) => k > 100 && m.type === MessageType.PACK_STATUS);
    const j = base.msgs.findIndex((m, k) => k > 200 && m.type === MessageType.TEMPERATURES);
    const raw = (k: number): Uint8Array => rawFrame(base.msgs[k]!, base.msgs[k]!.seq, base.msgs[k]!.t_ms);
    const wire = [...base.wire];
    wire[i] = stuff(recrc(raw(i), (b) => b.slice(0, 8 + 20))); // PACK_STATUS needs 52 payload bytes
    wire[j] = stuff(recrc(raw(j), (b) => ((b[0] = 2), b)));
    const fs = findingsOf(analyzeBytes(join(wire), { checks: [ID] }).report, ID);
    // the bad-version frame is a rejected run: its bytes are discarded too (a small share: info)
    expect(fs.map((f) => `${f.subject} ${f.severity}`).sort(), show(fs)).toEqual(['badVersions warning', 'bytesDiscarded info', 'truncatedPayloads warning']);
    expect(fs.filter((f) => f.subject !== 'bytesDiscarded').map((f) => f.evidence.count)).toEqual([1, 1]);
    expect(
      fs
        .filter((f) => f.subject !== 'bytesDiscarded')
        .map((f) => f.message.split(':')[0])
        .sort(),
    ).toEqual(['1 frame carried another protocol version', '1 frame had a payload shorter than its type needs']);
  });

  it('should take a capture cut at both ends as information only', () => {
    const bytes = join(base.wire);
    const cut = bytes.subarray(7, bytes.length - 5);
    const { report } = analyzeBytes(cut, { checks: [ID] });
    const fs = findingsOf(report, ID);
    expect(fs.map((f) => `${f.subject} ${f.severity}`).sort(), show(fs)).toEqual(['incompleteBytes info', 'presyncBytes info']);
    expect(statusOf(report, ID)).toBe('pass');
  });

  it('should find nothing on a clean session and not be evaluable on a trace', () => {
    const bytes = generateCapture({ phases: SHORT });
    const { report } = analyzeBytes(bytes, { checks: [ID] });
    expect(findingsOf(report, ID)).toEqual([]);
    expect(statusOf(report, ID)).toBe('pass');
    expect(statusOf(analyzeTimeline(timelineFromBytes(bytes).timeline, [ID]), ID)).toBe('not_evaluable');
  });

  it('should match what a faulty line did to a real capture', () => {
    const { bytes, summary } = captureWith('fault-host-comm-loss', { duration_s: 60, linkFaults: { corruptFrame: 0.005, duplicateFrame: 0.003 }, seed: 9 });
    const lf = summary.linkFaults!;
    const fs = findingsOf(analyzeBytes(bytes, { checks: [ID] }).report, ID);
    const count = (s: string): number => (fs.find((f) => f.subject === s)?.evidence.count as number | undefined) ?? 0;
    expect(count('crcErrors')).toBe(lf.framesCorrupted);
    expect(count('duplicates')).toBe(lf.framesDuplicated);
    expect(fs.find((f) => f.subject === 'crcErrors')?.severity).toBe('warning');
  });
});
