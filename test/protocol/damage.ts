/**
 * Streams of frames, a model of link damage, and the recovery check shared by the decoder
 * properties (test/protocol/decoder.test.ts) and the fuzz script (bench/fuzz.ts).
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { Decoder, type DecoderCounters } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { messageToJson } from '../../protocol/json.ts';
import type { Decoded, Message } from '../../protocol/messages.ts';
import { timedMessages } from './arbitraries.ts';

export interface Stream {
  bytes: Uint8Array;
  /** Per frame: index of the 0x00 before it and of its own 0x00 (its span, both included). */
  spans: { start: number; end: number }[];
  /** What the decoder must return for the undamaged stream. */
  messages: Decoded[];
}

/** Encodes messages (seq 0, 1, ...) after one leading 0x00, recording each frame's span. */
export function buildStream(items: readonly { m: Message; t_ms: number }[]): Stream {
  const enc = new Encoder();
  const spans: Stream['spans'] = [];
  const messages: Decoded[] = [];
  for (const { m, t_ms } of items) {
    const start = enc.length - 1;
    const seq = enc.encode(m, t_ms);
    spans.push({ start, end: enc.length - 1 });
    messages.push({ ...m, seq, t_ms } as Decoded);
  }
  return { bytes: enc.take(), spans, messages };
}

export type Damage =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'truncate'; at: number };

/** A damage at a position given in millionths of the stream (mapped onto its length later; unbiased). */
export const damage: fc.Arbitrary<{ where: number; d: Omit<Damage, 'at'> }> = fc.record({
  where: fc.noBias(fc.integer({ min: 0, max: 1_000_000 })),
  d: fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    fc.record({ kind: fc.constant('delete' as const), len: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('truncate' as const) }),
  ),
});

export function placeDamages(len: number, ds: readonly { where: number; d: Omit<Damage, 'at'> }[]): Damage[] {
  return ds.map(({ where, d }) => ({ ...d, at: Math.min(len, Math.floor((where / 1_000_001) * (len + 1))) }) as Damage);
}

/** Applies damages given at original positions; returns the new bytes and the touched original positions. */
export function applyDamages(src: Uint8Array, damages: readonly Damage[]): { bytes: Uint8Array; touched: Set<number> } {
  const touched = new Set<number>();
  const flips = new Map<number, number>();
  const inserts = new Map<number, Uint8Array[]>();
  const deleted = new Uint8Array(src.length + 1);
  let cut = src.length;
  for (const d of damages) {
    if (d.kind === 'flip' && d.at < src.length) {
      flips.set(d.at, (flips.get(d.at) ?? 0) ^ d.mask);
      touched.add(d.at);
    } else if (d.kind === 'insert') {
      inserts.set(d.at, [...(inserts.get(d.at) ?? []), d.bytes]);
      touched.add(d.at);
    } else if (d.kind === 'delete') {
      for (let i = d.at; i < Math.min(src.length, d.at + d.len); i++) {
        deleted[i] = 1;
        touched.add(i);
      }
    } else if (d.kind === 'truncate') {
      cut = Math.min(cut, d.at);
    }
  }
  for (let i = cut; i < src.length; i++) touched.add(i);
  const out: number[] = [];
  for (let i = 0; i <= src.length; i++) {
    if (i >= cut) break;
    for (const b of inserts.get(i) ?? []) out.push(...b);
    if (i === src.length) break;
    if (!deleted[i]) out.push(src[i]! ^ (flips.get(i) ?? 0));
  }
  // A flip of mask m at a byte is a no-op only if m = 0, which the arbitrary excludes; XOR of two
  // flips at one byte may cancel, which still counts as touched (harmless, the check is one-sided).
  return { bytes: Uint8Array.from(out), touched };
}

/** Decodes `bytes` fed in pieces cut at the given fractions; copies each message as it comes. */
export function decodeInPieces(
  bytes: Uint8Array,
  cuts: readonly number[],
  reuse = false,
  engine: 'auto' | 'js' = 'auto',
): { messages: Decoded[]; counters: DecoderCounters } {
  const messages: Decoded[] = [];
  const d = new Decoder({ reuse, engine, onMessage: (m) => messages.push(reuse ? structuredClone(m) : m) });
  const at = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  let p = 0;
  for (const c of [...at, bytes.length]) {
    d.push(bytes.subarray(p, c));
    p = c;
  }
  d.finish();
  return { messages, counters: d.counters };
}

/**
 * The recovery check: every frame whose span is untouched is recovered, and every accepted
 * message equals an original one, in the original order (no damaged frame accepted). Returns a
 * description of the first violation, or null.
 */
export function checkRecovery(stream: Stream, touched: Set<number>, accepted: readonly Decoded[]): string | null {
  const bySeq = new Map(stream.messages.map((m, i) => [m.seq, i]));
  let last = -1;
  const got = new Set<number>();
  for (const m of accepted) {
    const i = bySeq.get(m.seq);
    if (i === undefined) return `accepted a message with unknown seq ${m.seq}`;
    // through messageToJson: plain objects on both sides (fast-check records may have a null prototype)
    if (!isDeepStrictEqual(messageToJson(m), messageToJson(stream.messages[i]!))) return `accepted a corrupted frame for seq ${m.seq}`;
    if (i <= last) return `accepted seq ${m.seq} out of order`;
    last = i;
    got.add(i);
  }
  for (let i = 0; i < stream.spans.length; i++) {
    const { start, end } = stream.spans[i]!;
    let hit = false;
    for (let p = start; p <= end && !hit; p++) hit = touched.has(p);
    if (!hit && !got.has(i)) return `lost untouched frame ${i} (seq ${stream.messages[i]!.seq})`;
  }
  return null;
}

export const streamItems = timedMessages;
