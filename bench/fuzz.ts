/**
 * `npm run fuzz [-- RUNS] [-- --seed N]`: many fast-check cases against the protocol decoder
 * (default 20,000 per property; also FUZZ_RUNS / FUZZ_SEED from the environment):
 *   damage    streams of messages hit by bit flips, insertions, deletions and truncation, fed in
 *             random chunks: never throws, every untouched frame recovered, no damaged frame
 *             accepted, every byte accounted for;
 *   garbage   random bytes in random chunks: never throws, every byte accounted for;
 *   roundtrip decode(encode(m)) = m for every message type;
 *   link      streams sent through seeded link faults (protocol/linkfaults.ts): the decoder's
 *             counters match the injected faults exactly (duplicates, rejected runs, missing frames);
 *   classify  damaged streams in random chunks: every run is classified (frame, CRC error, COBS
 *             error, short, bad version, oversize) as the plain reader written from PROTOCOL.md
 *             (test/protocol/reference-reader.ts) classifies it;
 *   engines   damaged streams, and random bytes, in random chunks: the WebAssembly frame scanner
 *             path and the JavaScript path deliver the same messages and counters.
 * The properties but the last run on the decoder's default path (WebAssembly under Node).
 * Prints the counts and exits non-zero on the first failure (with seed and counterexample).
 */
import fc from 'fast-check';
import { Decoder } from '../protocol/decoder.ts';
import { Encoder } from '../protocol/encoder.ts';
import { LinkFaults } from '../protocol/linkfaults.ts';
import { encodeFrame } from '../protocol/frame.ts';
import { messageToJson } from '../protocol/json.ts';
import type { Message } from '../protocol/messages.ts';
import { isDeepStrictEqual } from 'node:util';
import * as A from '../test/protocol/arbitraries.ts';
import { applyDamages, buildStream, checkRecovery, damage, decodeInPieces, placeDamages } from '../test/protocol/damage.ts';
import { classifyRuns } from '../test/protocol/reference-reader.ts';

const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const runsArg = args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--seed');
const runs = Number(runsArg ?? process.env.FUZZ_RUNS ?? 20_000);
if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`runs must be a positive integer: ${runsArg ?? process.env.FUZZ_RUNS}`);

const cuts = fc.array(
  fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((x) => x / 1_000_001),
  { maxLength: 16 },
);
const zeros = (b: Uint8Array): number => b.reduce((n, x) => n + (x === 0 ? 1 : 0), 0);

const tally = {
  streams: 0,
  bytes: 0,
  frames: 0,
  damages: 0,
  untouchedFrames: 0,
  recovered: 0,
  rejectedRuns: 0,
  garbageBytes: 0,
  roundTrips: 0,
  linkFrames: 0,
  linkFaults: 0,
  classifiedRuns: 0,
  engineStreams: 0,
};

const damageProp = fc.property(A.timedMessages(A.smallMessage, 12), fc.array(damage, { minLength: 1, maxLength: 6 }), cuts, (items, ds, cs) => {
  const s = buildStream(items);
  const { bytes, touched } = applyDamages(s.bytes, placeDamages(s.bytes.length, ds));
  const { messages, counters: c } = decodeInPieces(bytes, cs);
  const err = checkRecovery(s, touched, messages);
  if (err !== null) throw new Error(err);
  const accounted = c.frameBytes + c.bytesDiscarded + c.presyncBytes + c.incompleteBytes + zeros(bytes);
  if (accounted !== bytes.length) throw new Error(`accounted ${accounted} of ${bytes.length} bytes`);
  tally.streams++;
  tally.bytes += bytes.length;
  tally.frames += s.spans.length;
  tally.damages += ds.length;
  tally.untouchedFrames += s.spans.filter(({ start, end }) => {
    for (let p = start; p <= end; p++) if (touched.has(p)) return false;
    return true;
  }).length;
  tally.recovered += messages.length;
  tally.rejectedRuns += c.crcErrors + c.cobsErrors + c.shortFrames + c.badVersions + c.oversizeRuns;
});

const garbageProp = fc.property(fc.uint8Array({ maxLength: 4000, size: 'large' }), cuts, (bytes, cs) => {
  const { counters: c } = decodeInPieces(bytes, cs);
  const accounted = c.frameBytes + c.bytesDiscarded + c.presyncBytes + c.incompleteBytes + zeros(bytes);
  if (accounted !== bytes.length) throw new Error(`accounted ${accounted} of ${bytes.length} bytes`);
  tally.garbageBytes += bytes.length;
});

const roundTripProp = fc.property(A.message, A.u16, A.u32, (m, seq, t_ms) => {
  const got: Message[] = [];
  new Decoder({ onMessage: (x) => got.push(x) }).push(encodeFrame(m, seq, t_ms));
  // compared through messageToJson: plain objects on both sides (fast-check records may have a null prototype)
  if (got.length !== 1 || !isDeepStrictEqual(messageToJson(got[0]!), messageToJson({ ...m, seq, t_ms } as unknown as Message))) {
    throw new Error('round trip differs');
  }
  tally.roundTrips++;
});

const prob = (max: number) => fc.oneof(fc.constant(0), fc.double({ min: 0, max, noNaN: true }));
const linkProp = fc.property(
  A.timedMessages(A.smallMessage, 40, 2),
  fc.record({
    dropFrame: prob(0.3),
    corruptFrame: prob(0.3),
    duplicateFrame: prob(0.3),
    delayFrame: prob(0.3),
    dropByte: prob(0.01),
    corruptByte: prob(0.01),
    duplicateByte: prob(0.01),
  }),
  fc.integer(),
  cuts,
  (items, rates, seed, cs) => {
    const faults = new LinkFaults(rates, seed);
    const enc = new Encoder({ leadingDelimiter: false });
    const parts: Uint8Array[] = [new Uint8Array(1)];
    items.forEach(({ m, t_ms }, i) => {
      enc.encode(m, t_ms);
      faults.enabled = i > 0 && i < items.length - 1; // first and last frames clean
      parts.push(faults.apply(enc.take()).bytes);
    });
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
    const { messages, counters: c } = decodeInPieces(bytes, cs);
    const f = faults.counters;
    const lost = f.framesDropped + f.framesCorrupted + f.framesByteDamaged;
    const rejected = c.crcErrors + c.cobsErrors + c.shortFrames + c.badVersions + c.oversizeRuns;
    if (c.duplicates !== f.framesDuplicated) throw new Error(`duplicates ${c.duplicates} vs ${f.framesDuplicated} injected`);
    if (rejected !== f.framesCorrupted + f.framesByteDamaged) throw new Error(`rejected ${rejected} vs ${f.framesCorrupted + f.framesByteDamaged} damaged`);
    if (c.seqMissing !== lost) throw new Error(`seqMissing ${c.seqMissing} vs ${lost} lost`);
    if (messages.length !== items.length - lost) throw new Error(`${messages.length} messages vs ${items.length - lost}`);
    tally.linkFrames += items.length;
    tally.linkFaults += lost + f.framesDuplicated + f.framesDelayed;
  },
);

const classifyProp = fc.property(A.timedMessages(A.smallMessage, 12), fc.array(damage, { maxLength: 6 }), cuts, (items, ds, cs) => {
  const s = buildStream(items);
  const { bytes: damaged } = applyDamages(s.bytes, placeDamages(s.bytes.length, ds));
  const bytes = new Uint8Array(damaged.length + 1); // ends with a 0x00: every run is complete
  bytes.set(damaged);
  const ref = classifyRuns(bytes);
  const { counters: c } = decodeInPieces(bytes, cs);
  const got = {
    frames: c.frames,
    crcErrors: c.crcErrors,
    cobsErrors: c.cobsErrors,
    shortFrames: c.shortFrames,
    badVersions: c.badVersions,
    oversizeRuns: c.oversizeRuns,
  };
  if (!isDeepStrictEqual(got, ref)) throw new Error(`runs ${JSON.stringify(got)} vs reference ${JSON.stringify(ref)}`);
  tally.classifiedRuns += Object.values(ref).reduce((n, x) => n + x, 0);
});

const enginesProp = fc.property(
  A.timedMessages(A.smallMessage, 12),
  fc.array(damage, { maxLength: 6 }),
  fc.uint8Array({ maxLength: 600 }),
  cuts,
  cuts,
  (items, ds, garbage, cs1, cs2) => {
    const s = buildStream(items);
    const { bytes: damaged } = applyDamages(s.bytes, placeDamages(s.bytes.length, ds));
    const bytes = new Uint8Array(damaged.length + garbage.length);
    bytes.set(damaged);
    bytes.set(garbage, damaged.length);
    const wasm = decodeInPieces(bytes, cs1, false, 'auto');
    const js = decodeInPieces(bytes, cs2, false, 'js');
    if (!isDeepStrictEqual(wasm.counters, js.counters)) throw new Error(`counters differ: ${JSON.stringify(wasm.counters)} vs ${JSON.stringify(js.counters)}`);
    if (wasm.messages.length !== js.messages.length || wasm.messages.some((m, i) => !isDeepStrictEqual(messageToJson(m), messageToJson(js.messages[i]!)))) {
      throw new Error('messages differ');
    }
    tally.engineStreams++;
  },
);

if (new Decoder().engine !== 'wasm') throw new Error('fuzz: the WebAssembly frame scanner is unavailable here');

let failed = false;
const t0 = performance.now();
function check<T>(name: string, prop: fc.IProperty<T>): void {
  const t = performance.now();
  const r = fc.check(prop, { numRuns: runs, seed }) as fc.RunDetails<T>;
  const s = ((performance.now() - t) / 1000).toFixed(1);
  if (r.failed) {
    failed = true;
    console.log(`${name}: FAILED after ${r.numRuns} cases (${s} s), seed ${r.seed}, path ${r.counterexamplePath}`);
    console.log(`  ${String(r.errorInstance)}`);
    console.log(`  counterexample: ${fc.stringify(r.counterexample)}`);
  } else {
    console.log(`${name}: ${r.numRuns} cases passed (${s} s)`);
  }
}
check('damage', damageProp);
check('garbage', garbageProp);
check('roundtrip', roundTripProp);
check('link', linkProp);
check('classify', classifyProp);
check('engines', enginesProp);
console.log(JSON.stringify({ runs, seed, seconds: Math.round((performance.now() - t0) / 100) / 10, ...tally, node: process.version }));
process.exit(failed ? 1 : 0);
