/**
 * captureScenario (device/capture.ts): a scenario in the emulated BMS, run synchronously, its
 * wire bytes checked with the decoder's counters against what the link says it did.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CaptureOptions, type CaptureSummary, END_TAIL_MS, STOP_CHECK_MS, captureScenario } from '../../device/capture.ts';
import { decodeCapture } from '../../protocol/capture.ts';
import type { DecoderCounters } from '../../protocol/decoder.ts';
import { MAX_CELLS, MAX_RATE_HZ, MessageType, type Decoded } from '../../protocol/messages.ts';
import { DEFAULT_RATES_HZ, PERIODIC_TYPES } from '../../protocol/session.ts';
import { loadScenario } from '../../sim/node/load.ts';

/** 20 s of 1C discharge, then 10 s of rest: the steps are over at 30 s. */
const SHORT = fileURLToPath(new URL('./fixtures/capture-8s1p-short.json', import.meta.url));
const STEPS_END_MS = 30_000;

interface Captured {
  bytes: Uint8Array;
  summary: CaptureSummary;
  messages: Decoded[];
  counters: DecoderCounters;
}

function capture(opts: Omit<CaptureOptions, 'out'> = {}, scenario = SHORT): Captured {
  const parts: Uint8Array[] = [];
  const summary = captureScenario(loadScenario(scenario), { ...opts, out: (b) => parts.push(b.slice()) });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  const { messages, counters } = decodeCapture(bytes);
  return { bytes, summary, messages, counters };
}

const damaged = (c: DecoderCounters): number => c.crcErrors + c.cobsErrors + c.shortFrames + c.oversizeRuns + c.badVersions;

describe('captureScenario', () => {
  it('should capture a scenario to the end of its steps plus the tail, every frame intact and in sequence', () => {
    const { bytes, summary, messages, counters } = capture();
    expect(counters).toMatchObject({ crcErrors: 0, cobsErrors: 0, seqGaps: 0, seqMissing: 0, incompleteBytes: 0, presyncBytes: 0 });
    expect(counters.messages).toBe(summary.framesSent);
    expect(summary).toMatchObject({ bytesSent: bytes.length, framesDropped: 0, linkFaults: null, scenarioEnded: true, end: 'steps_over' });
    const end_ms = summary.time_s * 1000;
    expect(end_ms).toBeGreaterThanOrEqual(STEPS_END_MS + END_TAIL_MS);
    expect(end_ms).toBeLessThanOrEqual(STEPS_END_MS + END_TAIL_MS + STOP_CHECK_MS);
    // every periodic type at its rate (SIM_CELL_TRUTH on at 1 Hz), the last ones sampled at the end
    const count = (type: MessageType) => messages.filter((m) => m.type === type).length;
    const seconds = end_ms / 1000;
    expect(count(MessageType.PACK_STATUS)).toBe(seconds * DEFAULT_RATES_HZ[MessageType.PACK_STATUS] + 1);
    expect(count(MessageType.SIM_CELL_TRUTH)).toBe(seconds + 1);
    expect(messages.at(-1)!.t_ms).toBe(end_ms);
    expect(messages[0]!.type).toBe(MessageType.INFO);
  });

  it('should stop at duration_s when given, the scenario not over', () => {
    const { summary, counters } = capture({ duration_s: 12.34 });
    expect(summary).toMatchObject({ time_s: 12.34, end: 'duration', scenarioEnded: false });
    expect(counters.seqMissing + counters.crcErrors).toBe(0);
  });

  it("should stop at the scenario's own duration", () => {
    const sc = loadScenario(SHORT);
    sc.duration_s = 5;
    const summary = captureScenario(sc, { out: () => {} });
    expect(summary).toMatchObject({ time_s: 5, end: 'scenario_duration', scenarioEnded: true });
  });

  it('should pass the rates through on top of the defaults', () => {
    const { messages } = capture({ duration_s: 3, rates: { [MessageType.SIM_CELL_TRUTH]: 0, [MessageType.BALANCING]: 10 } });
    expect(messages.some((m) => m.type === MessageType.SIM_CELL_TRUTH)).toBe(false);
    expect(messages.filter((m) => m.type === MessageType.BALANCING)).toHaveLength(31);
  });

  // without a baud rate nothing is dropped, even at the most a tick can make: the largest pack
  // the protocol describes (MAX_CELLS series groups) with every periodic type at 100 Hz
  it('should drop nothing without a baud rate, however much a tick makes', () => {
    const sc = loadScenario(SHORT);
    sc.pack = { ...sc.pack, ns: MAX_CELLS };
    const parts: Uint8Array[] = [];
    const rates = Object.fromEntries(PERIODIC_TYPES.map((t) => [t, MAX_RATE_HZ]));
    const summary = captureScenario(sc, { duration_s: 1, rates, out: (b) => parts.push(b.slice()) });
    const { messages, counters } = decodeCapture(Buffer.concat(parts));
    expect(summary.framesDropped).toBe(0);
    expect(counters.seqMissing + counters.seqGaps + damaged(counters)).toBe(0);
    expect(messages.filter((m) => m.type === MessageType.PACK_STATUS)).toHaveLength(MAX_RATE_HZ + 1);
  });

  it('should make the same bytes from the same seed, and other faults from another', () => {
    const faults = { dropFrame: 0.01, corruptByte: 0.001 };
    const a = capture({ duration_s: 10, linkFaults: faults, seed: 5 });
    const b = capture({ duration_s: 10, linkFaults: faults, seed: 5 });
    const c = capture({ duration_s: 10, linkFaults: faults, seed: 6 });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(Buffer.from(a.bytes).equals(Buffer.from(c.bytes))).toBe(false);
    expect(Buffer.from(capture({ duration_s: 10 }).bytes).equals(Buffer.from(capture({ duration_s: 10 }).bytes))).toBe(true);
  });

  it('should drop whole frames when telemetry exceeds the baud rate, each a missing seq for the decoder', () => {
    const { summary, counters } = capture({ duration_s: 20, baudRate: 9600 });
    expect(summary.framesDropped).toBeGreaterThan(100);
    expect(counters.seqMissing).toBe(summary.framesDropped);
    expect(damaged(counters)).toBe(0);
    // the line carried no more than its rate (10 bits a byte), the drained queue aside
    expect(summary.bytesSent).toBeLessThanOrEqual((9600 / 10) * summary.time_s + 4096 + 1024 + 1);
  });

  it('should damage frames with link faults, counted alike by the link and the decoder', () => {
    const { summary, counters } = capture({
      duration_s: 30,
      seed: 11,
      linkFaults: { dropFrame: 0.01, corruptFrame: 0.01, duplicateFrame: 0.01, corruptByte: 0.0005, dropByte: 0.0005 },
    });
    const f = summary.linkFaults!;
    expect(f.framesDropped * f.framesCorrupted * f.framesDuplicated * f.framesByteDamaged).toBeGreaterThan(0);
    expect(counters.crcErrors + counters.cobsErrors).toBeGreaterThan(0);
    expect(damaged(counters)).toBe(f.framesCorrupted + f.framesByteDamaged);
    expect(counters.duplicates).toBe(f.framesDuplicated);
    expect(counters.seqMissing).toBe(f.framesDropped + f.framesCorrupted + f.framesByteDamaged);
    expect(summary.framesDropped).toBe(0);
  });

  it('should refuse bad options with a TypeError naming the option', () => {
    const sc = loadScenario(SHORT);
    expect(() => captureScenario(sc, { out: () => {}, duration_s: 0 })).toThrow(/"duration_s"/);
    expect(() => captureScenario(sc, { out: () => {}, baudRate: -1 })).toThrow(/"baudRate"/);
    expect(() => captureScenario(sc, { out: 'x' as never })).toThrow(/"out"/);
  });
});
