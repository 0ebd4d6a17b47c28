/**
 * natrium cut (the real CLI): a capture that holds two devices, cut where quality.device says,
 * gives back the two captures it was joined from, and each analyses without that finding; the
 * piece written to stdout is the piece written to a file; a window with no frame writes nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'natrium-cut-'));
const f = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI; `input` is written to its stdin (else stdin is closed at once). */
function natrium(args: string[], input?: Buffer): Promise<Run> {
  return new Promise((resolve) => {
    const opts = { cwd: ROOT, env: { ...process.env, NATRIUM_DEBUG: '' }, timeout: 60_000, encoding: 'buffer' as const, maxBuffer: 1 << 26 };
    const child = execFile(process.execPath, [join(ROOT, 'bin/natrium.js'), ...args], opts, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr: stderr.toString() });
    });
    child.stdin!.end(input);
  });
}

interface Finding {
  check: string;
  severity: string;
  message: string;
}

async function findings(path: string): Promise<Finding[]> {
  const r = await natrium(['analyze', path, '--json']);
  expect(r.code, r.stderr).toBeLessThan(2);
  return (JSON.parse(r.stdout.toString()) as { findings: Finding[] }).findings;
}

beforeAll(async () => {
  const a = await natrium(['capture', 'default', '--duration', '30', '--out', f('a.bin')]);
  const b = await natrium(['capture', 'three-wheeler-fleet-day', '--duration', '20', '--out', f('b.bin')]);
  if (a.code !== 0 || b.code !== 0) throw new Error(`capture: ${a.stderr} ${b.stderr}`);
  // a logger moved from one pack to another: two captures in one file
  writeFileSync(f('ab.bin'), Buffer.concat([readFileSync(f('a.bin')), readFileSync(f('b.bin'))]));
}, 120_000);

describe('natrium cut', () => {
  it('should split a capture of two devices where quality.device says, into the captures it was joined from', async () => {
    const device = (await findings(f('ab.bin'))).filter((x) => x.check === 'quality.device');
    expect(device).toHaveLength(1);
    expect(device[0]!.severity).toBe('error');
    const m = /natrium cut CAPTURE --to ([\d.]+) \/ --from ([\d.]+)\)/.exec(device[0]!.message);
    expect(m, device[0]!.message).not.toBeNull();
    const [first, second] = await Promise.all([
      natrium(['cut', f('ab.bin'), '--to', m![1]!, '--out', f('p1.bin')]),
      natrium(['cut', f('ab.bin'), '--from', m![2]!, '--out', f('p2.bin')]),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(first.stdout.length).toBe(0);
    expect(second.stderr).toMatch(
      new RegExp(
        `^natrium cut: .*ab\\.bin → .*p2\\.bin: \\d+ frames, [\\d.]+ MB, ${m![2]!.replace('.', '\\.')} s to [\\d.]+ s of the capture; the piece's times count from ${m![2]!.replace('.', '\\.')} s\\n$`,
      ),
    );
    expect(readFileSync(f('p1.bin'))).toEqual(readFileSync(f('a.bin')));
    // the second piece starts with a 0x00 of its own (its first run then counts as a frame, not presync)
    expect(readFileSync(f('p2.bin'))).toEqual(Buffer.concat([Buffer.from([0]), readFileSync(f('b.bin'))]));
    for (const p of ['p1.bin', 'p2.bin']) {
      const fs = await findings(f(p));
      expect(fs.filter((x) => x.check === 'quality.device' || x.check === 'quality.time')).toEqual([]);
    }
  }, 60_000);

  it('should write to stdout the piece it writes to a file', async () => {
    const [toFile, toStdout] = await Promise.all([
      natrium(['cut', f('a.bin'), '--from', '10', '--to', '20', '--out', f('mid.bin')]),
      natrium(['cut', f('a.bin'), '--from', '10', '--to', '20', '--out', '-']),
    ]);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toStdout.code, toStdout.stderr).toBe(0);
    expect(toStdout.stdout.length).toBeGreaterThan(1000);
    expect(toStdout.stdout).toEqual(readFileSync(f('mid.bin')));
    expect(toStdout.stderr).toMatch(/: \d+ frames, .* 10 s to 19\.9 s of the capture; the piece's times count from 10 s\n$/);
    // and the piece read back from stdin: decode - and analyze - (a pipe: cut … --out - | decode -)
    const [decoded, analysed] = await Promise.all([natrium(['decode', '-', '--json'], toStdout.stdout), natrium(['analyze', '-', '--json'], toStdout.stdout)]);
    expect(decoded.code, decoded.stderr).toBe(0);
    const lines = decoded.stdout.toString().trimEnd().split('\n');
    const frames = Number(/: (\d+) frames/.exec(toStdout.stderr)![1]);
    expect(lines).toHaveLength(frames + 1); // one line per message, then the counters
    expect(JSON.parse(lines[0]!) as { t_ms: number }).toMatchObject({ t_ms: expect.any(Number) });
    expect(JSON.parse(lines[frames]!) as { counters: { frames: number } }).toMatchObject({ counters: { frames } });
    expect(analysed.code, analysed.stderr).toBeLessThan(2);
    expect((JSON.parse(analysed.stdout.toString()) as { input: { duration_s: number } }).input.duration_s).toBeCloseTo(9.9, 6);
  }, 60_000);

  it('should write nothing and exit 2 for a window with no frame', async () => {
    const r = await natrium(['cut', f('a.bin'), '--from', '1000', '--out', f('none.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^natrium: .*a\.bin: \(window\): no frame in \[1000 s, the end\) \(its frames run up to 30 s; .*\)\n$/);
    expect(existsSync(f('none.bin'))).toBe(false);
  }, 60_000);
});
