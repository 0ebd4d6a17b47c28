/**
 * natrium diff: a capture against itself is empty; a planted offset on one channel over a time
 * range is reported with that channel and range and its size; tolerances (abs, rel, time) let
 * it pass; the CLI's exit codes and forms.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { diffTimelines, parseTolerance } from '../../../analyzer/diff.ts';
import { timelineFromBytes } from '../../../analyzer/timeline/ingest.ts';
import { scenarioCapture } from '../scenario-capture.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../../device/fixtures/capture-8s1p-short.json', import.meta.url));
const bytes = scenarioCapture(SCENARIO);
const tl = () => timelineFromBytes(bytes).timeline;
const names = { a: 'a', b: 'b' };
const dir = mkdtempSync(join(tmpdir(), 'natrium-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('diffTimelines', () => {
  it('should find no difference between a capture and itself', () => {
    const r = diffTimelines(tl(), tl(), {}, names);
    expect(r.differences).toEqual([]);
    expect(r.exit_code).toBe(0);
    expect(r.channels_compared).toBeGreaterThan(20);
    expect(r.rows.matched).toBe(r.rows.a);
  });

  it('should report a planted offset with its channel, time range and size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 10, max: 200 }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.002, max: 0.2, noNaN: true }),
        (cell, from, n, offset) => {
          const a = tl();
          const b = tl();
          const col = b.cellVoltage_V[cell]!;
          let planted = 0;
          for (let r = from; r < from + n; r++) {
            if (Number.isNaN(col[r]!)) continue;
            col[r] = col[r]! + offset;
            planted++;
          }
          fc.pre(planted === n);
          const r = diffTimelines(a, b, {}, names);
          expect(r.exit_code).toBe(1);
          expect(r.differences.map((d) => d.channel)).toEqual([`cellVoltage_V[${cell}]`]);
          const d = r.differences[0]!;
          expect(d.ranges).toHaveLength(1);
          expect([d.ranges[0]!.t_start_s, d.ranges[0]!.t_end_s, d.rows_beyond]).toEqual([a.t_s[from], a.t_s[from + n - 1], n]);
          expect(d.max_abs_diff).toBeCloseTo(offset, 4); // float32 column
          // an absolute or relative tolerance above the offset lets it pass, one below does not
          expect(diffTimelines(a, b, { cellVoltage_V: { abs: offset * 1.01, rel: 0, time_s: 0 } }, names).exit_code).toBe(0);
          expect(diffTimelines(a, b, { '*': { abs: 0, rel: (offset * 1.01) / 2, time_s: 0 } }, names).exit_code).toBe(0);
          expect(diffTimelines(a, b, { cellVoltage_V: { abs: offset * 0.9, rel: 0, time_s: 0 } }, names).exit_code).toBe(1);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('should accept a time shift within the time tolerance and report it beyond', () => {
    const a = tl();
    const b = tl();
    for (let r = 0; r < b.length; r++) b.t_s[r] = b.t_s[r]! + 0.1; // one tick late
    const strict = diffTimelines(a, b, {}, names);
    expect(strict.exit_code).toBe(1);
    expect(strict.differences.map((d) => d.channel)).toContain('current_A');
    const within = diffTimelines(a, b, { '*': { abs: 0, rel: 0, time_s: 0.1 } }, names);
    // B's value of A's time t sits at t + 0.1: within ±0.1 s of it
    expect(within.differences).toEqual([]);
  });

  it('should report rows of A that B does not cover under (time)', () => {
    const a = tl();
    const b = tl();
    b.length = Math.floor(b.length / 2);
    const r = diffTimelines(a, b, {}, names);
    expect(r.differences[0]!.channel).toBe('(time)');
    expect(r.differences[0]!.rows_beyond).toBe(a.length - b.length);
    expect(r.differences[0]!.ranges[0]!.t_start_s).toBe(a.t_s[b.length]);
  });

  it('should parse tolerances and reject bad ones', () => {
    expect(parseTolerance('current_A=0.5,0.01,0.2')).toEqual(['current_A', { abs: 0.5, rel: 0.01, time_s: 0.2 }]);
    expect(parseTolerance('cellVoltage_V=0.002')).toEqual(['cellVoltage_V', { abs: 0.002, rel: 0, time_s: 0 }]);
    expect(() => parseTolerance('soc')).toThrow(/CHANNEL=abs/);
    expect(() => parseTolerance('soc=-1')).toThrow(/abs must be/);
  });
});

describe('natrium diff (CLI)', () => {
  const natrium = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/natrium.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  const A = join(dir, 'a.bin');
  const B = join(dir, 'b.bin');
  writeFileSync(A, bytes);
  writeFileSync(B, bytes.subarray(0, Math.floor(bytes.length * 0.6)));

  it('should exit 0 on a self-diff and 1 with the differing range on a cut capture', () => {
    const same = natrium('diff', A, A);
    expect(same.status, same.stderr).toBe(0);
    expect(same.stdout).toContain('no differences');
    const cut = natrium('diff', A, B, '--json');
    expect(cut.status, cut.stderr).toBe(1);
    const r = JSON.parse(cut.stdout);
    expect(r.schema).toBe('natrium.diff/1');
    expect(r.differences[0].channel).toBe('(time)');
    const md = natrium('diff', A, B, '--md');
    expect(md.stdout).toMatch(/^# natrium diff/);
    expect(md.stdout).toContain('| (time) |');
  });

  it('should reject a bad tolerance with exit 2 and one line', () => {
    const r = natrium('diff', A, A, '--tolerance', 'x=abc');
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
