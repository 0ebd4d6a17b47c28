/**
 * Sim traces into the Timeline (analyzer/timeline/trace.ts) and their INFO stand-in
 * (analyzer/node/trace.ts): a real short run written with sim/trace.ts reads back to its values
 * within print precision, row for row; any chunking of the text (or of its bytes) gives the same
 * Timeline; malformed input throws TraceError naming line and column, never anything else; the
 * content sniffer tells traces from captures; the fallback limits are the emulated BMS's own.
 */
import { RULES } from '../../../analyzer/rules/index.ts';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../analyzer/analyze.ts';
import { traceFallback } from '../../../analyzer/node/trace.ts';
import { builtInProfile } from '../../../analyzer/profile.ts';
import { ABSENT, PACK_CHANNELS, Present, type Timeline } from '../../../analyzer/timeline/store.ts';
import { TraceError, TraceReader, looksLikeTrace, traceFromStream, traceFromText } from '../../../analyzer/timeline/trace.ts';
import { ScenarioModel } from '../../../device/model.ts';
import { BmsState, MessageType } from '../../../protocol/messages.ts';
import { createBmsForScenario } from '../../../sim/bms/index.ts';
import { runScenario } from '../../../sim/run.ts';
import { readScenario } from '../../../sim/scenario.ts';
import { type TraceMeta, traceHeader, traceMeta, traceMetaLine, traceRow } from '../../../sim/trace.ts';
import { generateCapture } from '../generate.ts';

const FIXTURE = JSON.parse(readFileSync(new URL('../../cli/fixtures/emulate-8s1p.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** What the run recorded, unrounded, one entry per trace row. */
interface Recorded {
  t: number;
  I: number;
  V: number;
  soc: number;
  v: Float64Array;
  z: Float64Array;
  T: Float64Array;
  bms: { state: string; soc_est: number; charge_limit_A: number; discharge_limit_A: number; balancing_count: number } | null;
}

/** Runs the fixture (with overrides) and writes it as `natrium sim --out` does. */
function simTrace(over: Record<string, unknown>, every: number, cells: 'all' | 'min-max', duration_s?: number) {
  const sc = readScenario('emulate-8s1p.json', { ...FIXTURE, ...over });
  const meta = traceMeta(sc, { every, cells });
  const lines = [traceMetaLine(meta), traceHeader(sc.pack.ns * sc.pack.np, cells === 'all', sc.bms !== null).join(',')];
  const rec: Recorded[] = [];
  const { summary } = runScenario(sc, {
    every,
    duration_s,
    bms: sc.bms === null ? undefined : (pack) => createBmsForScenario(pack, sc),
    onRecord: (v) => {
      lines.push(traceRow(v, cells === 'all'));
      rec.push({
        t: v.t_s,
        I: v.pack.packCurrent,
        V: v.pack.packVoltage,
        soc: v.soc,
        v: Float64Array.from(v.pack.voltage),
        z: Float64Array.from(v.z),
        T: Float64Array.from(v.T_C),
        bms: v.bms ? { ...v.bms } : null,
      });
    },
  });
  return { text: lines.join('\n') + '\n', rec, meta, steps: summary.steps_simulated, sc };
}

/** |got − want| <= tol; NaN (the trace prints it where the model or the BMS has no value yet) matches NaN. */
const near = (got: number, want: number, tol: number) => {
  if (Number.isNaN(want)) expect(got).toBeNaN();
  else expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tol);
};
/** Half a unit in the last printed place, plus float32 storage for per-cell columns. */
const P = (decimals: number, f32 = 0) => 0.5 * 10 ** -decimals + 1e-12 + f32;

/** Everything a Timeline holds for its rows, as plain values (NaN compares equal in toEqual). */
function snapshot(tl: Timeline) {
  const n = tl.length;
  const cut = (a: ArrayLike<number> & { subarray(b: number, e: number): ArrayLike<number> }) => Array.from(a.subarray(0, n));
  return {
    length: n,
    t_s: cut(tl.t_s),
    present: cut(tl.present),
    state: cut(tl.state),
    contactors: cut(tl.contactors),
    pack: Object.fromEntries(PACK_CHANNELS.map((c) => [c, cut(tl.pack[c])])),
    cellVoltage_V: tl.cellVoltage_V.map(cut),
    temperature_C: tl.temperature_C.map(cut),
    balancing: tl.balancing.map(cut),
    truthCellSoc: tl.truthCellSoc.map(cut),
    truthCellCoreTemperature_C: tl.truthCellCoreTemperature_C.map(cut),
    received: [...tl.received.entries()].sort((a, b) => a[0] - b[0]),
  };
}

describe('a sim run read back from its trace', () => {
  it('should give the min-max values and the BMS columns of every recorded step, within print precision', () => {
    const { text, rec, meta, steps } = simTrace({ bms: 'default' }, 10, 'min-max', 180);
    const r = traceFromText(text);
    const tl = r.timeline;
    expect(r.meta).toEqual(meta);
    expect(steps).toBe(1800);
    expect(r.rows).toBe(180); // steps 0, 10, …, 1790
    expect(tl.length).toBe(rec.length);
    expect(tl.length).toBe(180);
    expect(tl.received.get(MessageType.PACK_STATUS)).toBe(180);
    expect(tl.received.get(MessageType.SIM_TRUTH)).toBe(180);
    expect(tl.received.has(MessageType.CELL_VOLTAGES)).toBe(false);
    expect(tl.ns).toBe(0);
    expect(tl.hasTruth).toBe(true);
    const p = tl.pack;
    rec.forEach((w, k) => {
      expect(tl.present[k]).toBe(Present.STATUS | Present.TRUTH);
      near(tl.t_s[k]!, w.t - rec[0]!.t, P(3));
      near(p.current_A[k]!, w.I, P(4));
      near(p.packVoltage_V[k]!, w.V, P(4));
      near(p.truthSocAvg[k]!, w.soc, P(6));
      near(p.cellVoltageMin_V[k]!, Math.min(...w.v), P(5));
      near(p.cellVoltageMax_V[k]!, Math.max(...w.v), P(5));
      near(p.truthSocMin[k]!, Math.min(...w.z), P(6));
      near(p.truthSocMax[k]!, Math.max(...w.z), P(6));
      near(p.temperatureMin_C[k]!, Math.min(...w.T), P(3));
      near(p.temperatureMax_C[k]!, Math.max(...w.T), P(3));
      const b = w.bms!;
      expect(tl.state[k]).toBe(BmsState[b.state as keyof typeof BmsState]);
      near(p.soc[k]!, b.soc_est, P(5));
      near(p.chargeCurrentLimit_A[k]!, b.charge_limit_A, P(2));
      near(p.dischargeCurrentLimit_A[k]!, b.discharge_limit_A, P(2));
      expect(p.balancingCount[k]).toBe(b.balancing_count);
    });
    expect(tl.t_s[0]).toBe(0);
    near(tl.duration_s, 179, 1e-9);
    // the BMS went through its states: at least STANDBY and a closed-path state
    expect(new Set(tl.state.subarray(0, tl.length)).size).toBeGreaterThan(1);
  });

  it('should make each series group one sensor with --cells all: mean voltage and SOC, hottest cell', () => {
    const { text, rec, meta } = simTrace(
      { pack: { ns: 4, np: 2, spread: { capacity_rel_sigma: 0.03, resistance_rel_sigma: 0.1, soc_sigma: 0.02 }, cell_connection_ohm: 0.003 } },
      25,
      'all',
      120,
    );
    const r = new TraceReader();
    r.push(text);
    const tl = r.finish();
    expect(meta).toMatchObject({ ns: 4, np: 2, cells: 'all', bms: false });
    expect(tl.length).toBe(rec.length);
    expect(tl.length).toBe(48); // 1200 steps, every 25th
    expect([tl.ns, tl.nt, tl.truthCellSoc.length]).toEqual([4, 4, 4]);
    for (const type of [MessageType.PACK_STATUS, MessageType.CELL_VOLTAGES, MessageType.TEMPERATURES, MessageType.SIM_TRUTH, MessageType.SIM_CELL_TRUTH]) {
      expect(tl.received.get(type)).toBe(48);
    }
    const p = tl.pack;
    const f32 = 4e-7; // float32 per-cell columns near 4 V / 30 °C
    rec.forEach((w, k) => {
      expect(tl.present[k]).toBe(Present.STATUS | Present.TRUTH | Present.CELLS | Present.TEMPERATURES | Present.CELL_TRUTH);
      // no BMS columns: nothing the BMS would have said
      expect(tl.state[k]).toBe(ABSENT);
      expect(p.soc[k]).toBeNaN();
      expect(p.chargeCurrentLimit_A[k]).toBeNaN();
      const gv: number[] = [];
      const gT: number[] = [];
      for (let g = 0; g < 4; g++) {
        const v = (w.v[2 * g]! + w.v[2 * g + 1]!) / 2;
        const z = (w.z[2 * g]! + w.z[2 * g + 1]!) / 2;
        const T = Math.max(w.T[2 * g]!, w.T[2 * g + 1]!);
        near(tl.cellVoltage_V[g]![k]!, v, P(5, 4 * f32));
        near(tl.truthCellSoc[g]![k]!, z, P(6, f32));
        near(tl.temperature_C[g]![k]!, T, P(3, 30 * f32));
        gv.push(v);
        gT.push(T);
      }
      near(p.truthSocAvg[k]!, w.soc, P(6));
      near(p.truthSocMin[k]!, Math.min(...w.z), P(6));
      near(p.truthSocMax[k]!, Math.max(...w.z), P(6));
      near(p.cellVoltageMin_V[k]!, Math.min(...gv), P(5));
      near(p.cellVoltageMax_V[k]!, Math.max(...gv), P(5));
      near(p.temperatureMax_C[k]!, Math.max(...gT), P(3));
      expect(p.cellVoltageMinIndex[k]).toBe(tl.cellVoltage_V.findIndex((c) => c[k] === Math.fround(p.cellVoltageMin_V[k]!)));
    });
  });
});

/** A short per-cell trace with BMS columns, whose meta names a non-ASCII scenario. */
function smallTrace(): string {
  const { text } = simTrace({ name: 'küçük-prüfung ✓', pack: { ns: 3, np: 2 }, bms: 'default' }, 7, 'all', 20);
  return text;
}

/** Splits a string or bytes at the given cut points. */
function cuts(n: number): fc.Arbitrary<number[]> {
  return fc.uniqueArray(fc.integer({ min: 0, max: Math.floor(n) }), { maxLength: 40 }).map((a) => [...a].sort((x, y) => x - y));
}

describe('chunked input', () => {
  const text = smallTrace();
  const whole = snapshot(traceFromText(text).timeline);

  it('should have read the small trace', () => {
    expect(whole.length).toBe(29); // 200 steps, every 7th
  });

  // for all cut points in the text, CRLF or LF line ends, with or without the last line end
  // such that the chunks are pushed in order
  // the Timeline equals the one read from the whole LF text
  it('should build the same Timeline for any chunking of the text', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), cuts(text.length * 1.1), (crlf, cutEnd, points) => {
        let t = crlf ? text.replaceAll('\n', '\r\n') : text;
        if (cutEnd) t = t.slice(0, -1);
        const r = new TraceReader();
        let at = 0;
        for (const c of points) {
          const end = Math.min(c, t.length);
          if (end < at) continue;
          r.push(t.slice(at, end));
          at = end;
        }
        r.push(t.slice(at));
        expect(snapshot(r.finish())).toEqual(whole);
        expect(r.droppedLastLine).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  // for all cut points in the UTF-8 bytes (also inside a multi-byte character of the meta line)
  // the Timeline and the meta equal those of the whole text
  it('should build the same Timeline for any chunking of the bytes', () => {
    const bytes = new TextEncoder().encode(text);
    const meta = traceFromText(text).meta;
    fc.assert(
      fc.property(cuts(bytes.length), (points) => {
        const r = new TraceReader();
        let at = 0;
        for (const c of [...points, bytes.length]) {
          r.pushBytes(bytes.subarray(at, c));
          at = c;
        }
        expect(snapshot(r.finish())).toEqual(whole);
        expect(r.meta).toEqual(meta);
        expect(r.bytes).toBe(bytes.length);
      }),
      { numRuns: 100 },
    );
  });

  it('should read a stream of byte chunks (traceFromStream)', async () => {
    const bytes = new TextEncoder().encode(text);
    const seen: number[] = [];
    const r = await traceFromStream([bytes.subarray(0, 101), bytes.subarray(101, 102), bytes.subarray(102)], undefined, (n) => seen.push(n));
    expect(snapshot(r.timeline)).toEqual(whole);
    expect(seen).toEqual([101, 102, bytes.length]);
  });

  it('should take a complete last line without a line end, and drop one cut short', () => {
    const lines = text.trimEnd().split('\n');
    const last = lines[lines.length - 1]!;
    const r1 = traceFromText(lines.join('\n'));
    expect(r1.rows).toBe(29);
    const short = [...lines.slice(0, -1), last.slice(0, last.lastIndexOf(','))].join('\n');
    const r2 = traceFromText(short);
    expect(r2.rows).toBe(28);
    expect(r2.droppedLastLine).toBe(true);
  });
});

const META: TraceMeta = { scenario: 's', chemistry: 'naion-18650-layered', ns: 2, np: 1, dt_s: 1, every: 1, cells: 'min-max', bms: false };
const HEAD = 'time_s,current_A,voltage_V,ambient_C,soc,v_min_V,v_max_V,soc_min,soc_max,T_min_C,T_max_C';
const ROW = (t: number) => `${t}.000,-1.5000,7.1000,25.00,0.500000,3.55000,3.56000,0.490000,0.510000,25.000,25.500`;

/** The TraceError a text throws (read at once), or null. */
function errorOf(text: string): TraceError | null {
  try {
    traceFromText(text);
    return null;
  } catch (e) {
    if (e instanceof TraceError) return e;
    throw e;
  }
}

describe('malformed traces', () => {
  it('should name the line and the column', () => {
    const meta = traceMetaLine(META);
    const cases: [string, string][] = [
      ['', 'line 1: column time_s: empty input: no header'],
      ['\n# just a comment\n', 'line 2: column time_s: no header (expected a line starting "time_s,")'],
      [`${meta}\n${HEAD.replace('T_max_C', 'T_MAX_C')}\n`, 'line 2: column T_max_C: expected "T_max_C" as column 11, got "T_MAX_C"'],
      [`${HEAD}\n${ROW(0)}\n${ROW(1).slice(0, ROW(1).lastIndexOf(','))}\n`, 'line 3: column T_max_C: expected 11 fields, got 10'],
      [`${HEAD}\n${ROW(0)},1\n`, 'line 2: column T_max_C: expected 11 fields, got 12'],
      [`${HEAD}\n${ROW(0).replace('3.56000', 'abc')}\n`, 'line 2: column v_max_V: expected a number, got "abc"'],
      [`${HEAD}\n${ROW(0).replace('3.56000', '')}\n`, 'line 2: column v_max_V: expected a number, got ""'],
      [`${HEAD}\n${ROW(0).replace('3.56000', '0x10')}\n`, 'line 2: column v_max_V: expected a number, got "0x10"'],
      [`${HEAD}\n${ROW(0)}\n\n${ROW(2)}\n${ROW(1)}\n`, "line 5: column time_s: time 1.000 s goes back from the previous row's 2 s"],
      [`${HEAD}\n${ROW(0)}\n${ROW(0)}\n`, "line 3: column time_s: time 0.000 s repeats the previous row's 0 s"],
      [`${HEAD}\n${ROW(0).replace('0.000', 'NaN')}\n`, 'line 2: column time_s: expected a finite time, got "NaN"'],
      [
        `${HEAD},bms_state,soc_est,charge_limit_A,discharge_limit_A,balancing_count\n${ROW(0)},DRIVING,0.5,1,1,0\n`,
        'line 2: column bms_state: unknown state "DRIVING" (expected one of INIT, STANDBY, PRECHARGE, NORMAL, CHARGE, ERROR)',
      ],
      [
        `${HEAD},bms_state,soc_est,charge_limit_A,discharge_limit_A,balancing_count\n${ROW(0)},NORMAL,0.5,1,1,1.5\n`,
        'line 2: column balancing_count: expected a whole number >= 0, got "1.5"',
      ],
      [`${meta.replace('"ns":2', '"ns":-2')}\n${HEAD}\n`, 'line 1: column meta.ns: expected a whole number >= 1, got -2'],
      [`${meta}\n${meta}\n${HEAD}\n`, 'line 2: column meta: a second meta line before the header'],
      [
        `${meta}\n${HEAD},bms_state,soc_est,charge_limit_A,discharge_limit_A,balancing_count\n`,
        'line 2: column bms_state: the meta line says bms false, the header has the BMS columns',
      ],
      [
        `${traceMetaLine({ ...META, cells: 'all', np: 2 })}\n${traceHeader(6, true, false).join(',')}\n`,
        'line 2: column v6_V: 6 cells, the meta line says ns 2 × np 2 = 4',
      ],
    ];
    for (const [text, message] of cases) {
      const e = errorOf(text);
      expect(e, JSON.stringify(text.slice(0, 60))).not.toBeNull();
      expect(e!.message).toBe(message);
      expect(e!.malformed).toBe(true);
      expect(`line ${e!.line}: column ${e!.column}: ${e!.problem}`).toBe(message);
    }
  });

  it('should take NaN and Infinity where the writer prints them, and skip comments after the header', () => {
    const r = traceFromText(`${HEAD}\n${ROW(0).replace('3.56000', 'NaN')}\n# a note\n${ROW(1).replace('-1.5000', '-Infinity')}\n`);
    expect(r.rows).toBe(2);
    expect(r.timeline.pack.cellVoltageMax_V[0]).toBeNaN();
    expect(r.timeline.pack.current_A[1]).toBe(-Infinity);
    expect(r.meta).toBeNull();
  });

  it('should keep throwing the first error, and refuse pushes after finish', () => {
    const r = new TraceReader();
    expect(() => r.push(`${HEAD}\n${ROW(0).replace('25.00', 'x')}\n`)).toThrow(TraceError);
    expect(() => r.push(`${ROW(1)}\n`)).toThrow('line 2: column ambient_C');
    expect(() => r.finish()).toThrow('line 2: column ambient_C');
    const ok = new TraceReader();
    ok.push(`${HEAD}\n`);
    ok.finish();
    expect(() => ok.push(ROW(0))).toThrow(TypeError);
    expect(() => new TraceReader({ np: 0 })).toThrow('"np"');
  });

  // for all edits of a valid trace (a character replaced, inserted or deleted, or the text
  // cut), read in any chunks
  // reading either succeeds or throws a TraceError whose message is `line N: column NAME: …`
  // with N a line of the input
  it('should throw only TraceError on damaged traces', () => {
    const text = `${traceMetaLine(META)}\n${HEAD},bms_state,soc_est,charge_limit_A,discharge_limit_A,balancing_count\n${[0, 1, 2, 3]
      .map((t) => `${ROW(t)},NORMAL,0.50000,1.00,2.00,0`)
      .join('\n')}\n`.replace('"bms":false', '"bms":true');
    expect(traceFromText(text).rows).toBe(4);
    const CHARS = [',', '.', '-', '+', 'e', 'E', '#', 'x', '\n', '\r', ' ', '0', '9', '"', '{', '}', 'N', '/', ''];
    const edit = fc.record({
      at: fc.nat(text.length),
      kind: fc.constantFrom('replace', 'insert', 'cut'),
      ch: fc.constantFrom(...CHARS),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), cuts(text.length + 4), (edits, points) => {
        let t = text;
        for (const e of edits) {
          const at = Math.min(e.at, t.length);
          t = e.kind === 'replace' ? t.slice(0, at) + e.ch + t.slice(at + 1) : e.kind === 'insert' ? t.slice(0, at) + e.ch + t.slice(at) : t.slice(0, at);
        }
        const r = new TraceReader();
        try {
          let at = 0;
          for (const c of [...points, t.length]) {
            const end = Math.min(c, t.length);
            if (end < at) continue;
            r.push(t.slice(at, end));
            at = end;
          }
          r.finish();
        } catch (e) {
          expect(e).toBeInstanceOf(TraceError);
          const err = e as TraceError;
          expect(err.message).toMatch(/^line \d+: column .+?: .+/s);
          expect(err.line).toBeGreaterThanOrEqual(1);
          expect(err.line).toBeLessThanOrEqual(t.split('\n').length);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('looksLikeTrace', () => {
  it('should tell traces (new and old) from captures, as text or bytes', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    const meta = traceMetaLine(META);
    for (const s of [`${meta}\n${HEAD}\n`, `${HEAD}\n${ROW(0)}\n`, `\n  \r\n${HEAD}\n`, `\ufeff${meta}\n`, `${HEAD.slice(0, 7)}`]) {
      expect(looksLikeTrace(s), JSON.stringify(s)).toBe(true);
      expect(looksLikeTrace(enc(s)), JSON.stringify(s)).toBe(true);
    }
    for (const s of ['', 'time_s\n', '# a comment\ntime_s,', '  time_s,current_A', 'timestamp,x', '# natrium-capture']) {
      expect(looksLikeTrace(s), JSON.stringify(s)).toBe(false);
      expect(looksLikeTrace(enc(s)), JSON.stringify(s)).toBe(false);
    }
    expect(looksLikeTrace(generateCapture({ phases: [{ current_A: 0, duration_s: 2, state: 'STANDBY' }] }).subarray(0, 512))).toBe(false);
  });
});

describe('traceFallback (INFO for a trace)', () => {
  it('should give the limits the emulated BMS reports in INFO for the same pack', () => {
    const sc = readScenario('emulate-8s1p.json', { ...FIXTURE, pack: { ns: 8, np: 3 } });
    const fb = traceFallback(traceMeta(sc, { every: 1, cells: 'min-max' }));
    const device = new ScenarioModel(sc).info();
    expect(fb.source).toBe('trace: scenario emulate-8s1p, chemistry naion-18650-layered, BMS config default');
    expect(fb.info!.limits).toEqual(device.limits);
    expect(fb.info).toMatchObject({ type: MessageType.INFO, ns: 8, np: 3, chemistry: 'naion-18650-layered', cellCapacity_Ah: device.cellCapacity_Ah });
    expect(fb.chemistry).toEqual(sc.chemistry.spec);
    // MOL ⊂ RSL ⊂ MSL, as INFO has it
    const { mol, rsl, msl } = fb.info!.limits;
    expect(mol.cellVoltageMax_V).toBeLessThanOrEqual(rsl.cellVoltageMax_V);
    expect(rsl.cellVoltageMax_V).toBeLessThanOrEqual(msl.cellVoltageMax_V);
  });

  it('should give nothing for an old trace, and say why for a chemistry that is no preset', () => {
    expect(traceFallback(null)).toEqual({ info: null, chemistry: null, source: 'none' });
    expect(traceFallback({ ...META, chemistry: 'my-cell' })).toEqual({
      info: null,
      chemistry: null,
      source: 'trace: scenario s, chemistry my-cell (not a preset: no limits)',
    });
  });

  it('should let analyze report a trace with its messages and limits source', () => {
    const { text } = simTrace({ bms: 'default' }, 50, 'min-max', 60);
    const r = traceFromText(text);
    const fallback = traceFallback(r.meta);
    const report = analyze(
      { timeline: r.timeline, counters: null, meta: { name: 'trace.csv', kind: 'trace', bytes: text.length } },
      { profile: builtInProfile('default'), fallback, today: '2026-12-03' },
    );
    expect(report.input.rows).toBe(12);
    expect(report.input.messages).toMatchObject({ PACK_STATUS: 12, SIM_TRUTH: 12 });
    expect(report.profile.limits_source).toBe('trace: scenario emulate-8s1p, chemistry naion-18650-layered, BMS config default');
    expect(report.input.device).toMatchObject({ ns: 8, np: 1, chemistry: 'naion-18650-layered', simulator: true });
  });

  // a min-max trace (natrium sim's default) and one with a column per cell / the INFO counts the
  // per-cell sensors the trace has, so quality.sampling does not miss CELL_VOLTAGES and
  // TEMPERATURES a min-max trace never carries (it warned "no CELL_VOLTAGES received"), holds
  it('should give a trace the per-cell sensors it has, and quality.sampling no finding for those it has not', () => {
    for (const cells of ['min-max', 'all'] as const) {
      const { text } = simTrace({ bms: 'default' }, 10, cells, 120);
      const r = traceFromText(text);
      const fallback = traceFallback(r.meta);
      const sensors = cells === 'all' ? 8 : 0;
      expect(fallback.info).toMatchObject({ cellVoltageSensors: sensors, temperatureSensors: sensors });
      const report = analyze(
        { timeline: r.timeline, counters: null, meta: { name: 'trace.csv', kind: 'trace', bytes: text.length } },
        { profile: builtInProfile('default'), fallback, today: '2026-12-03', rules: RULES.filter((x) => x.id === 'quality.sampling') },
      );
      expect(report.findings.filter((f) => f.check === 'quality.sampling').map((f) => f.message)).toEqual([]);
      expect(report.input.device?.temperature_sensors).toBe(sensors);
    }
  });
});
