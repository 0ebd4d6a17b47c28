/** captureToFile: the capture file, removed when it fails, and refused early when it would not fit. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { captureToFile } from '../../../device/node/capture-file.ts';
import { InputError } from '../../../sim/errors.ts';
import { loadScenario } from '../../../sim/node/load.ts';

const SHORT = fileURLToPath(new URL('../fixtures/capture-8s1p-short.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'natrium-capture-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('captureToFile', () => {
  // the 8s1p fixture writes ~1.6 kB per device second: 1 MiB after ~11 min
  const sc = loadScenario(SHORT);

  // 20 MB free for a 10 h capture of ~60 MB; 100 GB free for ~170 GB (beyond 32-bit integers)
  it.each([
    [36_000, 20e6, '6\\d\\.\\d MB', '20\\.0 MB'],
    [1e8, 100e9, '1\\d\\d GB', '100 GB'],
  ])('should stop once the projected capture exceeds the free space (%d s, %d bytes free), name both, and leave no file', (duration_s, free, total, left) => {
    const out = join(dir, 'big.bin');
    let last = 0;
    let asked = '';
    let err: unknown;
    try {
      captureToFile(out, sc, {
        duration_s,
        freeBytes: (d) => ((asked = d), free),
        onProgress: (t) => {
          last = t;
          if (t > 1500) throw new Error(`not refused by ${t} s`); // (a capture not refused would run for hours)
        },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^${out.replace(/[.]/g, '\\.')}: \\(file\\): the capture would take about ${total} \\(1\\.\\d\\d kB per device second for ${duration_s} s\\), ` +
          `more than the ${left} free there: give a shorter duration$`,
      ),
    );
    expect(asked).toBe(dir);
    // refused as soon as FREE_CHECK_BYTES were written (~11 min of device time), not at the end
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(1500);
    expect(existsSync(out)).toBe(false);
  });

  it('should write the whole capture when it fits (the margin included), looking once', () => {
    const out = join(dir, 'fits.bin');
    let looks = 0;
    const s = captureToFile(out, sc, { duration_s: 1800, freeBytes: () => (looks++, 3e6) });
    expect(s.time_s).toBe(1800);
    expect(readFileSync(out).length).toBe(s.bytesSent);
    expect(looks).toBe(1);
  });

  it('should not look at the free space of a device given as the output', () => {
    let looks = 0;
    captureToFile('/dev/null', sc, { duration_s: 1800, freeBytes: () => (looks++, 0) });
    expect(looks).toBe(0);
  });
});
