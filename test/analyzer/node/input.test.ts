// loadInput: a capture file is read into a store sized from the file's size; a pipe (whose size
// is unknown) grows by doubling; the two give the same timeline and the same report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeLoaded } from '../../../analyzer/node/analyze-file.ts';
import { loadInput } from '../../../analyzer/node/input.ts';
import { builtInProfile } from '../../../analyzer/profile.ts';
import { TimelineBuilder } from '../../../analyzer/timeline/ingest.ts';
import { generateCapture } from '../generate.ts';

const dir = mkdtempSync(join(tmpdir(), 'natrium-input-'));
// 10 Hz for 1200 s: 12 000 rows in ~2 MB (the reader's chunks are 1 MiB: the store is sized after
// the first)
const bytes = generateCapture({ seed: 7, rate_Hz: 10, phases: [{ current_A: -50, duration_s: 1200, state: 'NORMAL' }] });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadInput', () => {
  it('sizes the store of a capture file from its size (a pipe doubles), with the same timeline and report', () => {
    // doubling from 1024 ends at 16 384
    const file = join(dir, 'c.nat');
    writeFileSync(file, bytes);
    const fromFile = loadInput(file);
    // the same bytes through a pipe: stdin of a child that loads "-" and prints what it saw
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${new URL('../../../analyzer/node/input.ts', import.meta.url).href}').then(({ loadInput }) => {
           const i = loadInput('-');
           process.stdout.write(JSON.stringify({ length: i.timeline.length, columnBytes: i.timeline.columnBytes }));
         })`,
      ],
      { input: bytes, encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    const fromPipe = JSON.parse(child.stdout) as { length: number; columnBytes: number };
    const tl = fromFile.timeline;
    expect(bytes.length).toBeGreaterThan(1 << 20);
    expect(tl.length).toBe(12_000);
    expect(fromPipe.length).toBe(tl.length);
    // presized: a few % beyond the rows (doubling leaves 16 384 − 12 000 rows empty)
    const perRow = fromPipe.columnBytes / 16_384;
    expect(tl.columnBytes / perRow).toBeLessThan(tl.length * 1.05);
    expect(tl.columnBytes / perRow).toBeGreaterThanOrEqual(tl.length);
    // the same report as from the bytes pushed with no size known
    const profile = builtInProfile('default');
    const a = analyzeLoaded(fromFile, { profile });
    const pushed = new TimelineBuilder();
    for (let p = 0; p < bytes.length; p += 4096) pushed.push(bytes.subarray(p, p + 4096));
    pushed.finish();
    const b = analyzeLoaded(
      {
        timeline: pushed.timeline,
        counters: { ...pushed.counters },
        lateFrames: pushed.assembler.lateFrames,
        seqLost: pushed.assembler.seqLost,
        meta: a.input,
        traceMeta: null,
      },
      { profile },
    );
    expect(b).toEqual(a);
  });

  it('reserves for a file whose size overstates its rows no more than a bounded multiple of the rows read', () => {
    // the same capture, then a 126 MB hole (a sparse file: zeros, no frames): at the first
    // chunk's rate its size promises ~780 000 rows; the store is sized for at most 64 × the
    // ~6 000 rows of that chunk and stays there
    const plainFile = join(dir, 'plain.nat');
    const sparseFile = join(dir, 'sparse.nat');
    writeFileSync(plainFile, bytes);
    writeFileSync(sparseFile, bytes);
    truncateSync(sparseFile, 128 << 20);
    const plain = loadInput(plainFile).timeline;
    const sparse = loadInput(sparseFile).timeline;
    expect(sparse.length).toBe(plain.length);
    // plain: ~12 240 rows; sparse: ≤ 64 × ~6 100 (unbounded: ~780 000, 64 × plain)
    expect(sparse.columnBytes / plain.columnBytes).toBeLessThan(40);
    expect(sparse.columnBytes / plain.columnBytes).toBeGreaterThan(20);
  });
});
