import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeOutputDir } from '../../../analyzer/node/output.ts';

const tmp = mkdtempSync(join(tmpdir(), 'natrium-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('makeOutputDir', () => {
  it('makes the missing levels, and again is a no-op', () => {
    const d = join(tmp, 'a', 'b', 'c');
    makeOutputDir(d);
    expect(statSync(d).isDirectory()).toBe(true);
    expect(() => makeOutputDir(d)).not.toThrow();
  });

  it('names the file that stands where a folder should', () => {
    writeFileSync(join(tmp, 'f'), 'x');
    expect(() => makeOutputDir(join(tmp, 'f', 'x', 'y'))).toThrow(/\(output\): .*\/f is not a directory$/);
    expect(() => makeOutputDir(join(tmp, 'f'))).toThrow(/\(output\): exists and is not a directory$/);
  });

  it('refuses an empty path (it used to mean the current folder, or nothing)', () => {
    expect(() => makeOutputDir('')).toThrow(/^--out: "": an empty path/);
  });

  it('refuses /proc at once (Node 20 recursive mkdir spins there forever)', () => {
    expect(() => makeOutputDir('/proc/natrium-no-such/x')).toThrow(/^\/proc\/natrium-no-such\/x: \(output\): cannot create \(ENOENT\)$/);
  });
});
