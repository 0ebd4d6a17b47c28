/**
 * Opening files in the viewer (viewer/src/engine/load.ts): a capture read in two parts (first
 * paint, then the rest) ends as the whole capture read at once, and its report is the one
 * `natrium analyze` makes; a report JSON gives findings; bad input is one line naming the file.
 */
import { describe, expect, it } from 'vitest';
import { LoadError, chemistryByName, loadBytes } from '../../../viewer/src/engine/load.ts';
import { PRESETS, chemistryPreset } from '../../../sim/chemistry.ts';
import { traceHeader } from '../../../sim/trace.ts';
import { analyzeBytes } from '../../analyzer/browser/entry.ts';
import { generateCapture } from '../../analyzer/generate.ts';
import config from '../../../viewer/config.json' with { type: 'json' };
import { Session } from '../../../viewer/src/engine/session.ts';

const CAPTURE = generateCapture({ seed: 5, ns: 6, nt: 2, phases: [{ current_A: -50, duration_s: 120, state: 'NORMAL' }] });
const TODAY = '2026-12-03';

describe('loadBytes', () => {
  it('reads a capture in two parts to the same timeline and report', () => {
    const whole = loadBytes(CAPTURE, 'c.bin', TODAY);
    const parts = loadBytes(CAPTURE, 'c.bin', TODAY, 1 << 16);
    if (whole.kind !== 'capture' || parts.kind !== 'capture') throw new Error('not captures');
    const n = whole.timeline.length;
    expect(parts.timeline.length).toBeGreaterThan(10);
    expect(parts.timeline.length).toBeLessThan(n / 2);
    expect(parts.rest()).toBe(true);
    expect(parts.rest()).toBe(false);
    expect(parts.timeline.length).toBe(n);
    expect(Array.from(parts.timeline.t_s.subarray(0, n))).toEqual(Array.from(whole.timeline.t_s.subarray(0, n)));
    expect(parts.chemistry?.name).toBe('naion-prismatic-150ah');
    const report = JSON.parse(JSON.stringify(parts.analyze()));
    expect(report).toEqual(JSON.parse(JSON.stringify(analyzeBytes(CAPTURE, 'c.bin', TODAY))));
  });

  it('takes a report JSON and rejects what it cannot show', () => {
    const report = analyzeBytes(CAPTURE, 'c.bin', TODAY);
    const got = loadBytes(new TextEncoder().encode(JSON.stringify(report)), 'r.json');
    expect(got.kind).toBe('report');
    const bad: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /^e\.bin: \(file\): empty$/],
      [new TextEncoder().encode('{"schema":"other"}'), /^e\.bin: schema: expected "natrium\.report\/1", got "other"$/],
      [new TextEncoder().encode('{ nope'), /^e\.bin: \(json\): /],
      [new Uint8Array(70_000).fill(7), /^e\.bin: \(file\): no natrium frames in the first 65536 bytes/],
      [new Uint8Array(100).fill(7), /^e\.bin: \(file\): no natrium frames in 100 bytes \(not a capture, trace or report\?\)$/],
      [
        new TextEncoder().encode('Date,Voltage(V)\n1,2\n'),
        /^e\.bin: \(file\): no natrium frames in 20 bytes \(text, not a natrium trace: its first line is "Date,Voltage\(V\)" /,
      ],
    ];
    for (const [bytes, re] of bad) {
      expect(() => loadBytes(bytes, 'e.bin', TODAY, 1 << 16)).toThrow(LoadError);
      expect(() => loadBytes(bytes, 'e.bin', TODAY, 1 << 16)).toThrow(re);
    }
  });

  it('names chemistries by the sim presets, checked by its reader', () => {
    for (const name of PRESETS) {
      const c = chemistryByName(name);
      expect(c).toEqual(chemistryPreset(name).spec);
      // read once, then the same object
      expect(chemistryByName(name)).toBe(c);
    }
    expect(chemistryByName('naion-unknown')).toBeNull();
    expect(chemistryByName('constructor')).toBeNull();
  });

  // a sim trace (all cells) of a 4s2p pack of 150 Ah cells resting at 4.5 A: within 2 % of the
  // pack's 300 Ah (6 A), not of one cell's 150 Ah (3 A) / the OCV-derived SOC is drawn for it, from
  // the pack the analyser assumes for the trace
  it('gives a trace the pack its preset names, for the OCV-derived SOC at rest', () => {
    const ns = 4;
    const meta = { scenario: 'default', chemistry: 'naion-prismatic-150ah', ns, np: 2, dt_s: 1, every: 1, cells: 'all', bms: true };
    const cells = (x: string): string[] => Array.from({ length: 2 * ns }, () => x);
    const rows = Array.from({ length: 120 }, (_, t) =>
      [t.toFixed(3), '-4.5000', '15.0', '25.00', '0.5', ...cells('3.75'), ...cells('0.5'), ...cells('25.0'), 'NORMAL', '0.5', '500.00', '500.00', '0'].join(
        ',',
      ),
    );
    const text = [`# natrium-trace/1 ${JSON.stringify(meta)}`, traceHeader(2 * ns, true, true).join(','), ...rows, ''].join('\n');
    const l = loadBytes(new TextEncoder().encode(text), 't.csv', TODAY);
    if (l.kind !== 'trace') throw new Error(`read as ${l.kind}`);
    expect(l.fallbackInfo?.np).toBe(2);
    expect(l.fallbackInfo?.cellCapacity_Ah).toBe(150);
    const s = new Session(l.timeline, config, l.kind, 't.csv', l.chemistry, l.fallbackInfo);
    const [soc] = s.plot({ t0: 0, t1: 119, width: 60, series: ['soc.ocv'] }).y;
    expect(soc!.length).toBeGreaterThan(10);
    for (const v of soc!) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
  });
});
