/**
 * natrium capture: a scenario into a capture file, in-process through main (the file, the summary
 * line) and as a process through bin/natrium.js (the exit code and the one-line errors).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { main as captureMain } from '../../cli/capture.ts';
import { decodeCapture } from '../../protocol/capture.ts';
import { stderrOf } from './stderr.ts';

const SHORT = fileURLToPath(new URL('../device/fixtures/capture-8s1p-short.json', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'natrium-cli-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/natrium.js'), 'capture', ...args], { encoding: 'utf8', cwd: ROOT });

describe('natrium capture', () => {
  it('should write a capture that decodes cleanly and print one summary line', async () => {
    const out = join(dir, 'short.bin');
    const err = stderrOf();
    expect(await captureMain([SHORT, '--out', out])).toBe(0);
    const bytes = readFileSync(out);
    const { counters } = decodeCapture(bytes);
    expect(counters).toMatchObject({ crcErrors: 0, cobsErrors: 0, seqMissing: 0, incompleteBytes: 0 });
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      new RegExp(
        `^natrium capture: ${SHORT.replace(/[.]/g, '\\.')} → ${out.replace(/[.]/g, '\\.')}: 3[23]\\.0 s device time, ` +
          `${counters.frames} frames, 0\\.05 MB, 0 dropped \\(pacing\\), no link faults, \\d+\\.\\d\\d s wall\\n$`,
      ),
    );
  });

  it('should pace to --baud, fault the line with --link-faults and stop at --duration', async () => {
    const out = join(dir, 'faulted.bin');
    const err = stderrOf();
    expect(await captureMain([SHORT, '--out', out, '--duration', '10', '--baud', '9600', '--link-faults', 'corruptFrame=0.02', '--seed', '3'])).toBe(0);
    const { counters } = decodeCapture(readFileSync(out));
    expect(counters.crcErrors).toBeGreaterThan(0);
    const m = /: 10\.0 s device time, (\d+) frames, [\d.]+ MB, (\d+) dropped \(pacing\), link faults: 0 frames lost, (\d+) corrupted, /.exec(err[0]!);
    expect(m).not.toBeNull();
    const [dropped, corrupted] = [Number(m![2]), Number(m![3])];
    expect(dropped).toBeGreaterThan(0);
    expect(counters.crcErrors).toBe(corrupted);
    expect(counters.seqMissing).toBe(dropped + corrupted);
  });

  it('should refuse bad arguments with a usage error', async () => {
    await expect(captureMain([SHORT])).rejects.toThrow(/missing --out/);
    await expect(captureMain(['--out', join(dir, 'x.bin')])).rejects.toThrow(/expected one SCENARIO/);
    await expect(captureMain([SHORT, '--out', join(dir, 'x.bin'), '--duration', '-1'])).rejects.toThrow(/--duration/);
    await expect(captureMain([SHORT, '--out', join(dir, 'x.bin'), '--baud', 'fast'])).rejects.toThrow(/--baud/);
    await expect(captureMain([SHORT, '--out', join(dir, 'x.bin'), '--seed', '1.5'])).rejects.toThrow(/--seed/);
    await expect(captureMain([SHORT, '--out', join(dir, 'x.bin'), '--link-faults', 'dropFrame=2'])).rejects.toThrow(UsageError);
    expect(existsSync(join(dir, 'x.bin'))).toBe(false);
  });

  it('should refuse an unknown scenario and an output it cannot write with an InputError, leaving no file', async () => {
    const out = join(dir, 'never.bin');
    await expect(captureMain(['no-such-scenario', '--out', out])).rejects.toThrow(/sim\/scenarios\/no-such-scenario\.json: \(file\): no such file/);
    expect(existsSync(out)).toBe(false);
    await expect(captureMain([SHORT, '--out', join(dir, 'no-dir', 'x.bin')])).rejects.toThrow(/no-dir\/x\.bin: \(file\): no such directory/);
    await expect(captureMain([SHORT, '--out', dir])).rejects.toThrow(/: \(file\): is a directory/);
    expect(existsSync(join(dir, 'no-dir'))).toBe(false);
  });

  // as a process: exit code 2 and one line on stderr, nothing on stdout, no file
  const failures = [
    ['a bad option', (out: string) => [SHORT, '--out', out, '--bogus'], /^natrium: unknown option --bogus \(natrium capture --help\)$/],
    [
      'an unknown scenario',
      (out: string) => ['no-such-scenario', '--out', out],
      /^natrium: sim\/scenarios\/no-such-scenario\.json: \(file\): no such file \(natrium scenarios lists the library; or give a path\)$/,
    ],
    ['an unwritable --out', (out: string) => [SHORT, '--out', join(out, 'x.bin')], /^natrium: .+\/x\.bin: \(file\): no such directory$/],
  ] as const;
  failures.forEach(([what, args, msg], k) => {
    it(`should exit 2 with one line on ${what}`, () => {
      const out = join(dir, `failed-${k}.bin`);
      const r = run(...args(out));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(msg);
      expect(existsSync(out)).toBe(false);
    });
  });

  it('should write the file through bin/natrium.js and exit 0', () => {
    const out = join(dir, 'cli.bin');
    const r = run(SHORT, '--out', out, '--duration', '5');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^natrium capture: .+: 5\.0 s device time, \d+ frames/);
    expect(decodeCapture(readFileSync(out)).counters.messages).toBeGreaterThan(200);
  });
});
