/** The snapshot assembler and columnar store: rows, time, loss, NA, damage. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnapshotAssembler } from '../../../analyzer/timeline/assembler.ts';
import { TimelineBuilder, timelineFromBytes, timelineFromStream, decodeStream } from '../../../analyzer/timeline/ingest.ts';
import { ABSENT, PACK_CHANNELS, Present, type Timeline } from '../../../analyzer/timeline/store.ts';
import {
  type CellVoltages,
  type Decoded,
  type DeviceMessage,
  type Info,
  MessageType,
  type SimCellTruth,
  type Temperatures,
  type TierLimits,
} from '../../../protocol/messages.ts';
import { BOOT_WINDOW_MS } from '../../../protocol/clock.ts';
import { Encoder } from '../../../protocol/encoder.ts';
import { DEFAULT_PHASES, generateCapture, generateMessages, type Phase } from '../generate.ts';

const SHORT: Phase[] = [
  { current_A: 0, duration_s: 5, state: 'STANDBY' },
  { current_A: -75, duration_s: 20, state: 'NORMAL' },
  { current_A: 50, duration_s: 10, state: 'CHARGE' },
];

/** Every valid value of a Timeline, for equality checks. */
function snapshot(tl: Timeline): unknown {
  const n = tl.length;
  const pack: Record<string, number[]> = {};
  for (const c of PACK_CHANNELS) pack[c] = Array.from(tl.pack[c].subarray(0, n));
  return {
    n,
    t: Array.from(tl.t_s.subarray(0, n)),
    present: Array.from(tl.present.subarray(0, n)),
    state: Array.from(tl.state.subarray(0, n)),
    contactors: Array.from(tl.contactors.subarray(0, n)),
    masks: [tl.faultMask, tl.warningMask, tl.infoMask].map((a) => Array.from(a.subarray(0, n))),
    pack,
    cells: tl.cellVoltage_V.map((a) => Array.from(a.subarray(0, n))),
    temps: tl.temperature_C.map((a) => Array.from(a.subarray(0, n))),
    bal: tl.balancing.map((a) => Array.from(a.subarray(0, n))),
    events: tl.events,
    infos: tl.infos.length,
    seqGaps: tl.seqGaps,
    typeGaps: tl.typeGaps,
    received: [...tl.received.entries()],
  };
}

/** The per-row values of the families a chunk fills, and every row's present bits. */
function stored(tl: Timeline): unknown {
  const n = tl.length;
  const cols = (list: readonly Float32Array[]): number[][] => list.map((a) => Array.from(a.subarray(0, n)));
  return {
    n,
    present: Array.from(tl.present.subarray(0, n)),
    cells: cols(tl.cellVoltage_V),
    temps: cols(tl.temperature_C),
    truthSoc: cols(tl.truthCellSoc),
    truthCore: cols(tl.truthCellCoreTemperature_C),
  };
}

/**
 * The messages with every CELL_VOLTAGES, TEMPERATURES and SIM_CELL_TRUTH split into chunks of
 * `size` entries, as a device with more cells than a frame holds sends them; seq renumbered.
 */
function chunked(msgs: readonly Decoded[], size: number): Decoded[] {
  const out: Decoded[] = [];
  const parts = (n: number, make: (o: number, e: number) => Decoded): void => {
    for (let o = 0; o < n; o += size) out.push(make(o, Math.min(n, o + size)));
  };
  for (const m of msgs) {
    if (m.type === MessageType.CELL_VOLTAGES) {
      const v = (m as Decoded<CellVoltages>).voltages_V;
      parts(v.length, (o, e) => ({ ...m, offset: o, voltages_V: v.subarray(o, e) }) as Decoded);
    } else if (m.type === MessageType.TEMPERATURES) {
      const v = (m as Decoded<Temperatures>).temperatures_C;
      parts(v.length, (o, e) => ({ ...m, offset: o, temperatures_C: v.subarray(o, e) }) as Decoded);
    } else if (m.type === MessageType.SIM_CELL_TRUTH) {
      const t = m as Decoded<SimCellTruth>;
      parts(t.soc.length, (o, e) => ({ ...m, offset: o, soc: t.soc.subarray(o, e), coreTemperatures_C: t.coreTemperatures_C.subarray(o, e) }) as Decoded);
    } else out.push(m);
  }
  return out.map((m, i) => ({ ...m, seq: i & 0xffff }));
}

/** The messages as wire bytes, each with its own seq and time. */
function encoded(msgs: readonly Decoded[]): Uint8Array {
  const enc = new Encoder({ initialCapacity: 1 << 16 });
  for (const m of msgs) enc.encodeWithSeq(m as Decoded<DeviceMessage>, m.seq, m.t_ms);
  return enc.view().slice();
}

describe('SnapshotAssembler', () => {
  it('should make one row per device tick with every message of the tick in it', () => {
    const bytes = generateCapture({ phases: SHORT, ns: 6, nt: 3 });
    const { timeline: tl, counters } = timelineFromBytes(bytes);
    expect(counters.crcErrors + counters.seqMissing).toBe(0);
    expect(tl.length).toBe(350);
    expect(tl.ns).toBe(6);
    expect(tl.nt).toBe(3);
    for (let r = 0; r < tl.length; r++) {
      expect(tl.t_s[r]).toBeCloseTo(r * 0.1, 9);
      const all = Present.STATUS | Present.CELLS | Present.TEMPERATURES | Present.TRUTH;
      expect(tl.present[r]! & all).toBe(all);
      expect((tl.present[r]! & Present.BALANCING) !== 0).toBe(r % 10 === 0);
      expect(tl.balancing[0]![r]).toBe(r % 10 === 0 ? 0 : ABSENT);
    }
    // precharge is visible, then NORMAL with both mains closed, then CHARGE
    expect(tl.state[0]).toBe(1);
    expect(tl.state[51]).toBe(2);
    expect(tl.contactors[51]).toBe(6); // main− and precharge
    expect(tl.state[100]).toBe(3);
    expect(tl.contactors[100]).toBe(3);
    expect(tl.state[300]).toBe(4);
    expect(tl.pack.current_A[300]).toBeGreaterThan(49);
    expect(tl.received.get(MessageType.INFO)).toBe(7);
  });

  // for all chunkings of a capture / the timeline built from the chunks / equals the one built at once
  it('should build the same Timeline whatever the chunking', () => {
    const bytes = generateCapture({ phases: SHORT, ns: 5, nt: 2, seed: 3 });
    const whole = snapshot(timelineFromBytes(bytes).timeline);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        const b = new TimelineBuilder({ engine: 'js' });
        let p = 0;
        let i = 0;
        while (p < bytes.length) {
          const n = sizes[i++ % sizes.length]!;
          b.push(bytes.subarray(p, p + n));
          p += n;
        }
        b.finish();
        expect(snapshot(b.timeline)).toEqual(whole);
      }),
      { numRuns: 15 },
    );
  });

  // for all sets of lost messages / the store counts them per type, where they were lost, and never bridges
  it('should count lost frames per type and keep the lost values NaN', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 20, max: 330 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom(MessageType.CELL_VOLTAGES, MessageType.PACK_STATUS, MessageType.TEMPERATURES),
        (ticks, type) => {
          const lost = new Set(ticks);
          const bytes = generateCapture({ phases: SHORT, ns: 4, nt: 2, drop: (t, tick) => t === type && lost.has(tick.k) });
          const b = timelineFromBytes(bytes);
          const tl = b.timeline;
          expect(b.assembler.seqLost).toBe(lost.size);
          expect(tl.missingByType.get(type) ?? 0).toBe(lost.size);
          const missingRows = tl.typeGaps.flatMap((g) => Array.from({ length: g.missing }, (_, j) => Math.round(g.tPrev_s * 10) + j + 1));
          expect(missingRows.sort((x, y) => x - y)).toEqual([...lost].sort((x, y) => x - y));
          for (const k of lost) {
            const r = tl.rowAt(k / 10);
            expect(tl.t_s[r]).toBeCloseTo(k / 10, 9); // the row exists (the other messages came)
            if (type === MessageType.CELL_VOLTAGES) {
              expect(tl.present[r]! & Present.CELLS).toBe(0);
              expect(tl.cellVoltage_V[0]![r]).toBeNaN();
            }
            if (type === MessageType.PACK_STATUS) {
              expect(tl.present[r]! & Present.STATUS).toBe(0);
              expect(tl.pack.current_A[r]).toBeNaN();
              expect(tl.state[r]).toBe(ABSENT);
            }
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('should keep NA as NaN with the message marked present', () => {
    const bytes = generateCapture({
      phases: SHORT,
      ns: 4,
      nt: 2,
      mutate: (t) => {
        if (t.k >= 100 && t.k < 120) t.cellVoltage_V[2] = NaN;
      },
    });
    const tl = timelineFromBytes(bytes).timeline;
    for (let r = 100; r < 120; r++) {
      expect(tl.present[r]! & Present.CELLS).toBe(Present.CELLS);
      expect(tl.cellVoltage_V[2]![r]).toBeNaN();
      expect(tl.cellVoltage_V[1]![r]).toBeGreaterThan(2);
    }
  });

  it('should unwrap the u32 device clock and mark a device restart without breaking the time axis', () => {
    const a = generateMessages({ phases: SHORT, ns: 3, nt: 1 });
    const enc = new Encoder();
    const base = 2 ** 32 - 2000; // wraps 2 s in
    for (const m of a) enc.encodeWithSeq(m, m.seq, (m.t_ms + base) % 2 ** 32);
    // a restart: seq and clock begin again
    const b = generateMessages({ phases: SHORT.slice(0, 1), ns: 3, nt: 1 });
    for (const m of b) enc.encodeWithSeq(m, m.seq, m.t_ms);
    const tl = timelineFromBytes(enc.view()).timeline;
    expect(tl.length).toBe(350 + 50);
    for (let r = 1; r < tl.length; r++) expect(tl.t_s[r]!).toBeGreaterThan(tl.t_s[r - 1]!);
    expect(tl.t_s[349]).toBeCloseTo(34.9, 9);
    expect(tl.clockSteps).toHaveLength(1);
    expect(tl.clockSteps[0]!.row).toBe(350);
  });

  // for all counts the device had reached before a reset (its new count, from 0, lands ahead of
  // the old one about half the time, right after it at 65535, on it at 0): the reset is a restart, the rows after it
  // are all kept on an ascending axis, and no frame counts as lost
  it('should keep every row after a device restart, wherever the old count was', () => {
    const a = generateMessages({ phases: SHORT.slice(0, 2), ns: 3, nt: 1 });
    const b = generateMessages({ phases: SHORT.slice(0, 1), ns: 3, nt: 1 });
    const rowsA = 250;
    const lastSeq = a[a.length - 1]!.seq;
    const ends = [(0xffff - lastSeq) & 0xffff, (0x10000 - lastSeq) & 0xffff].map((o) => fc.constant(o));
    // and for all clocks it had reached, past 2^31 ms of uptime too (a reset then reads as a
    // step forward of the clock: PROTOCOL.md section 6, the boot window)
    const spanA = a[a.length - 1]!.t_ms;
    const clocks = fc.oneof(
      fc.constant(7000),
      fc.integer({ min: 7000, max: 2 ** 32 - BOOT_WINDOW_MS - spanA - 1 }),
      fc.constant(2 ** 32 - BOOT_WINDOW_MS - spanA - 1),
    );
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 0xffff }), ...ends), clocks, (offset, clock) => {
        const enc = new Encoder();
        for (const m of a) enc.encodeWithSeq(m, (m.seq + offset) & 0xffff, m.t_ms + clock);
        for (const m of b) enc.encodeWithSeq(m, m.seq, m.t_ms); // a reset: seq and clock from 0
        const built = timelineFromBytes(enc.view());
        const tl = built.timeline;
        expect(tl.length).toBe(rowsA + 50);
        for (let r = 1; r < tl.length; r++) expect(tl.t_s[r]!).toBeGreaterThan(tl.t_s[r - 1]!);
        expect(tl.clockSteps).toHaveLength(1);
        expect(tl.clockSteps[0]!.row).toBe(rowsA);
        expect(tl.clockSteps[0]!.back_s).toBeCloseTo((clock + spanA - b[0]!.t_ms) / 1000, 6);
        expect([built.assembler.seqLost, built.counters.seqMissing, built.counters.seqBackwards, built.assembler.lateFrames]).toEqual([0, 0, 1, 0]);
      }),
      { numRuns: 100 },
    );
  });

  // for all runs of under 10 s from a reset (seq and clock from 0: a boot loop, a brown-out) and
  // the run after the next reset / the second run's frames are behind the first's by less than
  // the late-frame window, yet none of them is a late frame: the first run's rows keep their
  // values and the second run's rows all follow (before, its first seconds were written over
  // the first run's rows at the same clock), holds
  it('should not take the start of a run after a quick restart for late frames', () => {
    const b = generateMessages({ phases: SHORT.slice(0, 2), ns: 3, nt: 1, seed: 5 });
    const rowsB = 250;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), (ticks) => {
        const a = generateMessages({ phases: SHORT.slice(0, 2), ns: 3, nt: 1, seed: 4 }).filter((m) => m.t_ms < ticks * 100);
        const alone = timelineFromBytes(encodeAll(a)).timeline;
        const tl = timelineFromBytes(encodeAll([...a, ...b])).timeline;
        expect(tl.length).toBe(ticks + rowsB);
        expect(tl.clockSteps).toHaveLength(1);
        for (let r = 0; r < ticks; r++) {
          expect(tl.pack.current_A[r]).toBe(alone.pack.current_A[r]);
          expect(tl.cellVoltage_V[1]![r]).toBe(alone.cellVoltage_V[1]![r]);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('should yield every complete frame of a capture cut at any byte', () => {
    const bytes = generateCapture({ phases: SHORT.slice(0, 2), ns: 3, nt: 1 });
    const whole = timelineFromBytes(bytes);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length }), (cut) => {
        const b = timelineFromBytes(bytes.subarray(0, cut));
        expect(b.counters.crcErrors).toBe(0);
        expect(b.timeline.length).toBeLessThanOrEqual(whole.timeline.length);
        // all rows but possibly the last one are whole
        const n = b.timeline.length;
        for (let r = 0; r + 1 < n; r++) expect(b.timeline.present[r]).toBe(whole.timeline.present[r]);
      }),
      { numRuns: 40 },
    );
  });

  it('should take frames of any stream shape (async iterable, web ReadableStream, array)', async () => {
    const bytes = generateCapture({ phases: SHORT.slice(0, 1), ns: 2, nt: 1 });
    const parts = [bytes.subarray(0, 1000), bytes.subarray(1000, 5000), bytes.subarray(5000)];
    const fromArray = await timelineFromStream(parts);
    const rs = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(p);
        c.close();
      },
    });
    const fromWeb = await timelineFromStream(rs);
    async function* gen(): AsyncGenerator<Uint8Array> {
      for (const p of parts) yield p;
    }
    const fromAsync = await timelineFromStream(gen());
    expect(snapshot(fromWeb.timeline)).toEqual(snapshot(fromArray.timeline));
    expect(snapshot(fromAsync.timeline)).toEqual(snapshot(fromArray.timeline));
    const seen: number[] = [];
    const counters = await decodeStream(parts, (m) => seen.push(m.type));
    expect(counters.messages).toBe(seen.length);
    expect(seen.length).toBe(fromArray.counters.messages);
  });

  it('should ignore commands and place a late frame in its own row', () => {
    const asm = new SnapshotAssembler();
    const msgs = generateMessages({ phases: SHORT.slice(0, 1), ns: 2, nt: 1 });
    const cells = msgs.filter((m) => m.type === MessageType.CELL_VOLTAGES);
    const late = cells[10]!;
    for (const m of msgs) if (m !== late) asm.push(m);
    asm.push({ type: MessageType.CMD_RESET_FAULTS, seq: 0, t_ms: 0 });
    expect(asm.timeline.cellVoltage_V[0]![10]).toBeNaN();
    asm.push(late);
    asm.finish();
    expect(asm.timeline.cellVoltage_V[0]![10]).toBeCloseTo((late as { voltages_V: Float64Array }).voltages_V[0]!, 4);
    // the late frame completes its row's cell set, as it would have in order
    expect(asm.timeline.present[10]! & Present.CELLS).toBe(Present.CELLS);
    expect(asm.lateFrames).toBe(0);
  });

  // A frame the link delays past later ticks (within the late window) lands in its own row and
  // completes that row's set: the store is the one the frames give in order, present bits
  // included (a late chunk once filled its values but left its row marked incomplete, so the row
  // stayed out of the cell statistics, exports and the viewer), on the wire and from objects.
  it('should give the store of the frames in order when some arrive late', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 24 }),
        fc.array(fc.record({ at: fc.nat(), by: fc.integer({ min: 1, max: 40 }) }), { minLength: 1, maxLength: 12 }),
        (seed, size, delays) => {
          const msgs = chunked(generateMessages({ seed, phases: SHORT.slice(0, 2), ns: 24, nt: 8 }), size);
          const chunks = msgs.map((m, i) => ({ m, i, key: i }));
          const late = chunks.filter(
            ({ m }) => m.type === MessageType.CELL_VOLTAGES || m.type === MessageType.TEMPERATURES || m.type === MessageType.SIM_CELL_TRUTH,
          );
          for (const { at, by } of delays) late[at % late.length]!.key += by + 0.5;
          const shuffled = [...chunks].sort((a, b) => a.key - b.key).map(({ m }) => m);
          expect(shuffled.some((m, i) => m !== msgs[i])).toBe(true);

          const wire = (list: readonly Decoded[]): TimelineBuilder => timelineFromBytes(encoded(list));
          const inOrder = wire(msgs);
          const reordered = wire(shuffled);
          expect(reordered.assembler.lateFrames).toBe(0);
          expect(stored(reordered.timeline)).toEqual(stored(inOrder.timeline));

          const objects = (list: readonly Decoded[]): SnapshotAssembler => {
            const asm = new SnapshotAssembler();
            for (const m of list) asm.push(m);
            asm.finish();
            return asm;
          };
          expect(stored(objects(shuffled).timeline)).toEqual(stored(objects(msgs).timeline));
        },
      ),
      { numRuns: 40 },
    );
  });

  // a late SIM_CELL_TRUTH fills its own row and is no part of the current one (it once counted
  // towards the current row's CELL_TRUTH, found by the cut property test)
  it('should not count a late per-cell truth frame towards the current row', () => {
    const asm = new SnapshotAssembler();
    const msgs = generateMessages({ phases: SHORT.slice(0, 1), ns: 2, nt: 1 });
    const truth = msgs.filter((m) => m.type === MessageType.SIM_CELL_TRUTH);
    const [late, last] = truth.slice(-2);
    for (const m of msgs) if (m !== late && m !== last) asm.push(m);
    asm.push(late!);
    asm.finish();
    const tl = asm.timeline;
    // the last row (the current one when the late frame came: SIM_CELL_TRUTH is at 1 Hz) and the one whose truth was lost
    for (const r of [tl.length - 1, tl.rowAt(last!.t_ms / 1000)]) {
      expect(tl.present[r]! & Present.CELL_TRUTH).toBe(0);
      expect(tl.truthCellSoc[0]![r]).toBeNaN();
    }
    const lateRow = tl.rowAt(late!.t_ms / 1000);
    expect(tl.truthCellSoc[0]![lateRow]).toBeCloseTo((late as { soc: Float64Array }).soc[0]!, 6);
    expect(asm.lateFrames).toBe(0);
  });

  it('should keep one object for an INFO that repeats the last, and a new one when it changes', () => {
    const asm = new SnapshotAssembler();
    const msgs = generateMessages({ phases: SHORT, ns: 2, nt: 1 });
    const infos = msgs.filter((m) => m.type === MessageType.INFO) as Decoded<Info>[];
    expect(infos.length).toBe(7);
    // the fourth says something else (an RSL limit), the fifth a different firmware; the rest repeat
    infos[3] = { ...infos[3]!, limits: { ...infos[3]!.limits, rsl: { ...infos[3]!.limits.rsl, cellVoltageMax_V: 3.95 } } };
    infos[4] = { ...infos[4]!, firmwarePatch: infos[4]!.firmwarePatch + 1 };
    let k = 0;
    for (const m of msgs) asm.push(m.type === MessageType.INFO ? infos[k++]! : m);
    asm.finish();
    const got = asm.timeline.infos.map((i) => i.info);
    expect(got.length).toBe(7);
    expect(new Set(got).size).toBe(4); // 0–2 one object, 3, 4, 5–6 one object
    expect(got[1]).toBe(got[0]);
    expect(got[2]).toBe(got[0]);
    expect(got[6]).toBe(got[5]);
    expect(got[3]!.limits.rsl.cellVoltageMax_V).toBe(3.95);
    expect(got[4]!.firmwarePatch).toBe(infos[0]!.firmwarePatch + 1);
    expect(got[5]).not.toBe(got[4]);
    expect(got[5]).not.toBe(got[0]); // equal in value to the first, but not to the last INFO
    expect(got[5]).toEqual(got[0]);
    for (let i = 0; i < 7; i++) {
      const { seq: _s, t_ms: _t, ...body } = infos[i]!;
      expect(got[i]).toEqual(body);
      expect(asm.timeline.infos[i]!.t_s).toBeCloseTo((infos[i]!.t_ms - infos[0]!.t_ms) / 1000, 9);
    }
  });

  // for every field of INFO and of each limits tier / an INFO that differs from the last in it alone / gets an object of its own
  it('should tell an INFO that differs from the last in any one field', () => {
    const base = generateMessages({ phases: SHORT.slice(0, 1), ns: 2, nt: 1 }).find((m) => m.type === MessageType.INFO) as Decoded<Info>;
    const other = (v: unknown): unknown => (typeof v === 'number' ? v + 1 : typeof v === 'string' ? `${v}x` : !v);
    const variants: Decoded<Info>[] = [];
    for (const k of Object.keys(base) as (keyof Decoded<Info>)[]) {
      if (k === 'seq' || k === 't_ms' || k === 'type' || k === 'limits') continue;
      variants.push({ ...base, [k]: other(base[k]) });
    }
    for (const tier of ['mol', 'rsl', 'msl'] as const) {
      for (const k of Object.keys(base.limits[tier]) as (keyof TierLimits)[]) {
        variants.push({ ...base, limits: { ...base.limits, [tier]: { ...base.limits[tier], [k]: other(base.limits[tier][k]) } } });
      }
    }
    expect(variants.length).toBeGreaterThan(30);
    for (const v of variants) {
      const asm = new SnapshotAssembler();
      asm.push(base);
      asm.push({ ...base, seq: base.seq + 1, t_ms: base.t_ms + 100 });
      asm.push({ ...v, seq: base.seq + 2, t_ms: base.t_ms + 200 });
      const [a, b, c] = asm.timeline.infos.map((i) => i.info);
      expect(b).toBe(a);
      expect(c).not.toBe(a);
    }
  });
});

describe('generator', () => {
  it('should describe the default session', () => {
    expect(DEFAULT_PHASES.reduce((s, p) => s + p.duration_s, 0)).toBe(3360);
  });
});

/** Wire bytes of the messages with their own seq and clock. */
function encodeAll(msgs: readonly Decoded[]): Uint8Array {
  const enc = new Encoder();
  for (const m of msgs) enc.encodeWithSeq(m, m.seq, m.t_ms);
  return enc.view().slice();
}
