/**
 * `natrium view` and the end of `natrium demo` as a user runs them: the server comes up on
 * 127.0.0.1, prints its URL, serves the viewer with its CSP and the named files; bad arguments
 * are one line and exit 2; another address warns; the demo prints the view command for what it
 * wrote. (The viewer is built first if viewer/dist is missing.)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from '../../viewer/server/server.ts';
import { ensureViewer } from '../../viewer/server/build.ts';

const BIN = fileURLToPath(new URL('../../bin/natrium.js', import.meta.url));
let dir = '';
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'natrium-view-cli-'));
  writeFileSync(join(dir, 'capture.bin'), Uint8Array.of(0, 1, 2, 3));
  await ensureViewer();
}, 120_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `natrium view ARGS`; resolves with its URL line and its stderr so far. */
function startView(args: string[]): Promise<{ url: string; stderr: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'view', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /natrium view: (http:\/\/\S+)\n/.exec(out);
      if (m) resolve({ url: m[1]!, stderr: err, child });
    });
    child.on('exit', (code) => reject(new Error(`view exited ${code}: ${err}`)));
  });
}

describe('natrium view', () => {
  it('serves the viewer and the named file on 127.0.0.1 until interrupted', async () => {
    const { url, child } = await startView([join(dir, 'capture.bin')]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CSP);
    expect(await index.text()).toContain('natrium viewer');
    const files = (await (await fetch(`${url}files.json`)).json()) as { name: string; url: string }[];
    expect(files).toEqual([{ name: 'capture.bin', url: 'files/0/capture.bin' }]);
    expect(new Uint8Array(await (await fetch(url + files[0]!.url)).arrayBuffer())).toEqual(Uint8Array.of(0, 1, 2, 3));
    expect((await fetch(`${url}%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 60_000);

  it('warns when bound to another address', async () => {
    const { stderr, child } = await startView([join(dir, 'capture.bin'), '--host', '0.0.0.0']);
    expect(stderr).toMatch(/WARNING: listening on 0\.0\.0\.0, not 127\.0\.0\.1: the viewer and its file are reachable from other machines/);
    child.kill('SIGTERM');
  }, 60_000);

  it('rejects bad arguments with one line and exit code 2', () => {
    const cases: [string[], RegExp][] = [
      [[], /^natrium: expected one or more FILEs/],
      [[join(dir, 'missing.bin')], /missing\.bin: \(file\): no such file/],
      [[dir], /\(file\): not a regular file/],
      [[join(dir, 'capture.bin'), '--port', '/dev/ttyX'], /live mode \(--mock, --port DEVICE\) takes no FILEs/],
      [['--mock', 'default', '--http-port', 'x'], /--http-port: expected a number/],
      [['--mock', 'default', '--port', '/dev/ttyX'], /give at most one of --mock and --port DEVICE/],
      [[join(dir, 'capture.bin'), '--port', '70000'], /--port: must be <= 65535/],
    ];
    for (const [args, re] of cases) {
      const r = spawnSync(process.execPath, [BIN, 'view', ...args], { encoding: 'utf8', timeout: 30_000 });
      expect([args, r.status]).toEqual([args, 2]);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('natrium demo', () => {
  it('ends by printing the natrium view command for what it wrote', () => {
    const out = join(dir, 'demo');
    const r = spawnSync(process.execPath, [BIN, 'demo', '--duration', '3', '--out', out], { encoding: 'utf8' });
    expect(r.stdout).toContain(`view       natrium view ${join(out, 'capture.bin')} ${join(out, 'report.json')}\n`);
  }, 60_000);
});
