/**
 * The trace format (sim/trace.ts): the columns and number formats are the ones `natrium sim
 * --out` has always written (users' files stay valid), the meta line is one `#` line that
 * parses back to what was written, the header parses back to its layout, and `--every N`
 * records steps 0, N, 2N, … with the same values as a full-rate run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pack } from '../../sim/pack.ts';
import { type StepView, runScenario } from '../../sim/run.ts';
import { readScenario } from '../../sim/scenario.ts';
import { TRACE_BMS_COLUMNS, type TraceMeta, parseTraceHeader, parseTraceMeta, traceHeader, traceMeta, traceMetaLine, traceRow } from '../../sim/trace.ts';

/** A StepView of a 2-cell pack with chosen values (only what traceRow reads). */
function view(over: Partial<StepView> = {}, pack: Partial<Pack> = {}): StepView {
  const p = {
    n: 2,
    packCurrent: -1.23456789,
    packVoltage: 7.12345678,
    voltage: Float64Array.of(3.5612345, 3.5598765),
    ...pack,
  } as unknown as Pack;
  return {
    t_s: 12.3456,
    pack: p,
    z: Float64Array.of(0.51234567, 0.49876543),
    T_C: Float64Array.of(25.12345, 26.98765),
    ambient_C: 24.999,
    soc: 0.505555555,
    bms: null,
    ...over,
  };
}

describe('trace header and rows (the columns users already read)', () => {
  it('should name the columns as before: base, min-max or every cell, then the BMS', () => {
    expect(traceHeader(4, false, false)).toEqual([
      'time_s',
      'current_A',
      'voltage_V',
      'ambient_C',
      'soc',
      'v_min_V',
      'v_max_V',
      'soc_min',
      'soc_max',
      'T_min_C',
      'T_max_C',
    ]);
    expect(traceHeader(2, true, true)).toEqual([
      'time_s',
      'current_A',
      'voltage_V',
      'ambient_C',
      'soc',
      'v1_V',
      'v2_V',
      'soc1',
      'soc2',
      'T1_C',
      'T2_C',
      'bms_state',
      'soc_est',
      'charge_limit_A',
      'discharge_limit_A',
      'balancing_count',
    ]);
  });

  it('should print the numbers with the decimals they always had', () => {
    // time 3, current 4, voltage 4, ambient 2, soc 6; cell V 5, cell SOC 6, cell T 3
    expect(traceRow(view(), false)).toBe('12.346,-1.2346,7.1235,25.00,0.505556,3.55988,3.56123,0.498765,0.512346,25.123,26.988');
    expect(traceRow(view(), true)).toBe('12.346,-1.2346,7.1235,25.00,0.505556,3.56123,3.55988,0.512346,0.498765,25.123,26.988');
  });

  it('should print -0 and values that round to zero as 0, and the BMS columns after', () => {
    const bms = { state: 'NORMAL', soc_est: 0.4999999, charge_limit_A: 12.345, discharge_limit_A: NaN, balancing_count: 3 };
    expect(traceRow(view({ t_s: 0, bms }, { packCurrent: -0.00001 }), false)).toBe(
      '0.000,0.0000,7.1235,25.00,0.505556,3.55988,3.56123,0.498765,0.512346,25.123,26.988,NORMAL,0.50000,12.35,NaN,3',
    );
  });
});

const meta: fc.Arbitrary<TraceMeta> = fc.record({
  scenario: fc.string({ unit: 'binary', maxLength: 30 }),
  chemistry: fc.string({ unit: 'binary', maxLength: 30 }),
  ns: fc.integer({ min: 1, max: 512 }),
  np: fc.integer({ min: 1, max: 16 }),
  dt_s: fc.double({ min: 1e-6, max: 60, noNaN: true }),
  every: fc.integer({ min: 1, max: 10_000 }),
  cells: fc.constantFrom('all' as const, 'min-max' as const),
  bms: fc.boolean(),
});

describe('the meta line', () => {
  // for all metas (any names, including quotes, line breaks and non-ASCII)
  // such that the line is written, it is one line starting "# natrium-trace/1 " and
  // parseTraceMeta gives back the same meta
  it('should be one comment line that parses back to the meta written', () => {
    fc.assert(
      fc.property(meta, (m) => {
        const line = traceMetaLine(m);
        expect(line.startsWith('# natrium-trace/1 {')).toBe(true);
        expect(/[\n\r]/.test(line)).toBe(false);
        expect(parseTraceMeta(line)).toEqual({ ok: true, meta: m });
        // what pandas, Polars and DuckDB see after the `#`: plain JSON
        expect(JSON.parse(line.slice(line.indexOf(' ', 2) + 1))).toEqual(m);
      }),
    );
  });

  it('should write the keys in the documented order', () => {
    const m: TraceMeta = { scenario: 'default', chemistry: 'naion-prismatic-150ah', ns: 100, np: 2, dt_s: 1, every: 10, cells: 'min-max', bms: true };
    expect(traceMetaLine(m)).toBe(
      '# natrium-trace/1 {"scenario":"default","chemistry":"naion-prismatic-150ah","ns":100,"np":2,"dt_s":1,"every":10,"cells":"min-max","bms":true}',
    );
  });

  it('should name the key of a bad meta line, and refuse other versions', () => {
    const ok = '{"scenario":"s","chemistry":"c","ns":2,"np":1,"dt_s":1,"every":1,"cells":"all","bms":false}';
    expect(parseTraceMeta(`# natrium-trace/2 ${ok}`)).toMatchObject({ ok: false, field: 'meta', problem: expect.stringContaining('unsupported version 2') });
    expect(parseTraceMeta('# natrium-trace/1 {oops')).toMatchObject({ ok: false, field: 'meta' });
    expect(parseTraceMeta(`# natrium-trace/1 ${ok.replace('"ns":2', '"ns":0')}`)).toMatchObject({ ok: false, field: 'meta.ns' });
    expect(parseTraceMeta(`# natrium-trace/1 ${ok.replace('"all"', '"some"')}`)).toMatchObject({ ok: false, field: 'meta.cells' });
    expect(parseTraceMeta(`# natrium-trace/1 ${ok.replace('false', '1')}`)).toMatchObject({ ok: false, field: 'meta.bms' });
    // keys a later writer may add are ignored
    expect(parseTraceMeta(`# natrium-trace/1 ${ok.replace('}', ',"new_key":[1]}')}`)).toMatchObject({ ok: true });
  });
});

describe('the header', () => {
  // for all pack sizes n and both layouts, with or without a BMS
  // parseTraceHeader(traceHeader(n, all, bms)) gives back the layout
  it('should parse back to its layout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.boolean(), (n, all, bms) => {
        const h = traceHeader(n, all, bms);
        expect(parseTraceHeader(h)).toEqual({
          ok: true,
          layout: { cells: all ? 'all' : 'min-max', n: all ? n : 0, bms, columns: h.length, bmsAt: bms ? h.length - TRACE_BMS_COLUMNS.length : -1 },
        });
      }),
    );
  });

  it('should name the first column out of place', () => {
    const h = traceHeader(3, true, true);
    expect(parseTraceHeader(h.map((c) => (c === 'soc2' ? 'soc9' : c)))).toMatchObject({ ok: false, field: 'soc2' });
    expect(parseTraceHeader(h.slice(0, -1))).toMatchObject({ ok: false, field: 'balancing_count', problem: expect.stringContaining('missing') });
    expect(parseTraceHeader([...h, 'extra'])).toMatchObject({ ok: false, field: 'extra' });
    expect(parseTraceHeader(['time_s', 'current_A', 'voltage_V', 'ambient_C', 'soc', 'x'])).toMatchObject({ ok: false, field: 'v_min_V' });
    expect(parseTraceHeader(['time_s', 'current_A'])).toMatchObject({ ok: false, field: 'voltage_V' });
  });
});

const SCENARIO = {
  name: 'trace-test',
  chemistry: 'naion-18650-layered',
  pack: { ns: 2, np: 2, spread: { capacity_rel_sigma: 0.02, resistance_rel_sigma: 0.05, soc_sigma: 0.01 } },
  ambient: { constant_C: 25 },
  initial: { soc: 0.9, temperature_C: 25 },
  dt_s: 1,
  seed: 3,
  steps: ['Discharge at 1C for 30 s', 'Rest for 10 s'],
};

describe('a run written as a trace', () => {
  it('should describe the run in its meta line', () => {
    const sc = readScenario('trace-test.json', SCENARIO);
    expect(traceMeta(sc, { every: 5, cells: 'all' })).toEqual({
      scenario: 'trace-test',
      chemistry: 'naion-18650-layered',
      ns: 2,
      np: 2,
      dt_s: 1,
      every: 5,
      cells: 'all',
      bms: false,
    });
    expect(traceMeta(readScenario('b.json', { ...SCENARIO, bms: 'default' }), { every: 1, cells: 'min-max' }).bms).toBe(true);
  });

  // for all N in 1..12, a run with every = N records steps k = 0, N, 2N, … < 40, and each of
  // its rows is the full-rate run's row k, to the character
  it('should record steps 0, N, 2N, … with --every N (the first row at t = 0)', () => {
    const rowsOf = (every: number): string[] => {
      const rows: string[] = [];
      runScenario(readScenario('trace-test.json', SCENARIO), { every, onRecord: (v) => rows.push(traceRow(v, true)) });
      return rows;
    };
    const full = rowsOf(1);
    expect(full).toHaveLength(40);
    expect(full.map((r) => Number(r.split(',')[0]))).toEqual([...Array(40).keys()]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), (every) => {
        expect(rowsOf(every)).toEqual(full.filter((_, k) => k % every === 0));
      }),
      { numRuns: 12 },
    );
  });
});
