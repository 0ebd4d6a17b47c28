/**
 * quality.link_errors — what the decoder rejected or flagged on the way in (DecoderCounters,
 * PROTOCOL.md section 7) and the frames the assembler could not place (late frames).
 *
 * Why: damaged runs (CRC, COBS, short, oversize) are lost frames and a sign of a noisy or
 * overrun line; duplicates and late frames are a link that repeats or reorders; a bad version,
 * a truncated payload or a bad value is the sender breaking the protocol (a firmware bug or a
 * mismatched protocol version), which no line noise explains (CRC-32C catches that).
 *
 * Thresholds: line damage (crcErrors, cobsErrors, shortFrames, oversizeRuns, duplicates, late
 * frames as a share of the valid frames; bytesDiscarded as a share of the wire bytes) is info
 * when present, a warning above `warning_pct` (0.1 %), an error above `error_pct` (2 %).
 * Protocol violations (badVersions, truncatedPayloads, badValues) are a warning from
 * `violation_warning_count` (1) on, an error above error_pct. Informational, never a
 * failure: incompleteBytes (the capture was cut mid-frame), presyncBytes (it started
 * mid-frame), unknownTypes (newer firmware), seqBackwards (sender restarts or reordering;
 * quality.time reports the clock). The counters carry no time: every finding spans the whole
 * session.
 *
 * Not evaluable: no decoder counters (a trace).
 */
import type { DecoderCounters } from '../../../protocol/decoder.ts';
import { type Finding, type Severity, type Threshold, finding, round } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';

const ID = 'quality.link_errors';

const DAMAGE: readonly (keyof DecoderCounters)[] = ['crcErrors', 'cobsErrors', 'shortFrames', 'oversizeRuns', 'duplicates'];
const VIOLATIONS: readonly (keyof DecoderCounters)[] = ['badVersions', 'truncatedPayloads', 'badValues'];
/** What a count means, for one and for more. */
type Said = readonly [one: string, many: string];
const NOTES: Readonly<Partial<Record<keyof DecoderCounters, Said>>> = {
  incompleteBytes: [
    'byte of a last frame cut short at the end of the input (the capture was cut mid-frame)',
    'bytes of a last frame cut short at the end of the input (the capture was cut mid-frame)',
  ],
  presyncBytes: [
    'byte before the first frame boundary (the capture started mid-frame)',
    'bytes before the first frame boundary (the capture started mid-frame)',
  ],
  unknownTypes: [
    'frame of a message type this reader does not know (skipped; newer firmware)',
    'frames of a message type this reader does not know (skipped; newer firmware)',
  ],
  seqBackwards: [
    'time the sequence number or the clock went back (a sender restart or reordered frames)',
    'times the sequence number or the clock went back (a sender restart or reordered frames)',
  ],
};
const WHAT: Readonly<Partial<Record<keyof DecoderCounters, Said>>> = {
  crcErrors: ['frame failed its CRC', 'frames failed their CRC'],
  cobsErrors: ['run was not valid COBS', 'runs were not valid COBS'],
  shortFrames: ['run was shorter than a frame', 'runs were shorter than a frame'],
  oversizeRuns: ['run was longer than the largest frame', 'runs were longer than the largest frame'],
  duplicates: ['frame was repeated by the link', 'frames were repeated by the link'],
  badVersions: ['frame carried another protocol version', 'frames carried another protocol version'],
  truncatedPayloads: ['frame had a payload shorter than its type needs', 'frames had a payload shorter than their type needs'],
  badValues: ['frame held a value the protocol does not define', 'frames held a value the protocol does not define'],
};
/** "1 frame failed its CRC", "3 frames failed their CRC". */
const count = (n: number, said: Said): string => `${n} ${n === 1 ? said[0] : said[1]}`;

export const linkErrors: Rule = {
  id: ID,
  group: 'quality',
  title: 'Link errors counted by the decoder',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, counters: c, profile } = ctx;
    if (c === null) return notEvaluable('no decoder counters: the input is a trace, not a capture');
    const warn = profile.threshold(`${ID}.warning_pct`, '%');
    const err = profile.threshold(`${ID}.error_pct`, '%');
    const violations = profile.threshold(`${ID}.violation_warning_count`, 'frames');
    const t0 = tl.length > 0 ? tl.t_s[0]! : 0;
    const t1 = tl.length > 0 ? tl.t_s[tl.length - 1]! : 0;
    const out: Finding[] = [];
    const byShare = (share: number): { severity: Severity; threshold: Threshold } =>
      err.value !== null && share * 100 > err.value
        ? { severity: 'error', threshold: err }
        : warn.value !== null && share * 100 > warn.value
          ? { severity: 'warning', threshold: warn }
          : { severity: 'info', threshold: warn };
    const add = (subject: string, severity: Severity, threshold: Threshold | null, message: string, evidence: Finding['evidence']): void => {
      out.push(finding({ check: ID, severity, t_start_s: t0, t_end_s: t1, subject, message, evidence, threshold }));
    };

    for (const k of DAMAGE) {
      const n = c[k];
      if (n <= 0) continue;
      const share = n / (n + c.frames);
      const j = byShare(share);
      add(k, j.severity, j.threshold, `${count(n, WHAT[k]!)} (${pct(share)} of the valid frames)`, { count: n, frames: c.frames, share: round(share, 6) });
    }
    if (ctx.lateFrames > 0) {
      const share = ctx.lateFrames / (ctx.lateFrames + c.frames);
      const j = byShare(share);
      add(
        'lateFrames',
        j.severity,
        j.threshold,
        `${count(ctx.lateFrames, ['frame arrived too late to be placed in its row', 'frames arrived too late to be placed in their row'])} (${pct(share)})`,
        {
          count: ctx.lateFrames,
          frames: c.frames,
          share: round(share, 6),
        },
      );
    }
    if (c.bytesDiscarded > 0) {
      const share = c.bytesDiscarded / (c.bytesDiscarded + c.frameBytes);
      const j = byShare(share);
      add(
        'bytesDiscarded',
        j.severity,
        j.threshold,
        `${count(c.bytesDiscarded, ['wire byte discarded in a rejected run', 'wire bytes discarded in rejected runs'])} (${pct(share)} of the bytes)`,
        {
          count: c.bytesDiscarded,
          frame_bytes: c.frameBytes,
          share: round(share, 6),
        },
      );
    }
    for (const k of VIOLATIONS) {
      const n = c[k];
      if (n <= 0) continue;
      const share = n / (n + c.frames);
      const severity: Severity =
        err.value !== null && share * 100 > err.value ? 'error' : violations.value !== null && n >= violations.value ? 'warning' : 'info';
      add(k, severity, severity === 'error' ? err : violations, `${count(n, WHAT[k]!)}: the sender breaks the protocol (PROTOCOL.md section 7)`, {
        count: n,
        frames: c.frames,
        share: round(share, 6),
      });
    }
    for (const [k, note] of Object.entries(NOTES) as [keyof DecoderCounters, Said][]) {
      const n = c[k];
      if (n > 0) add(k, 'info', null, count(n, note), { count: n });
    }
    const metrics: Record<string, number> = { frames: c.frames, late_frames: ctx.lateFrames };
    for (const k of [...DAMAGE, ...VIOLATIONS, 'bytesDiscarded', ...Object.keys(NOTES)] as (keyof DecoderCounters)[]) metrics[k] = c[k];
    return { evaluable: true, findings: out, metrics };
  },
};

function pct(x: number): string {
  return `${(x * 100).toPrecision(2)} %`;
}
