/**
 * A port that cannot be opened (missing, a regular file, locked by another process): `emulate`
 * and `stream` say so in one line naming the port and exit with code 2, like any bad argument,
 * and `stream --record` leaves no capture file behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closePort, openSerialPort } from '../../protocol/node/serial.ts';
import { hasSocat, ptyPair } from '../protocol/node/socat.ts';

if (!hasSocat) throw new Error('these tests need socat (apt-get install socat; .ci/run installs it)');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'natrium-port-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function natrium(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/natrium.js'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const regular = join(dir, 'not-a-port');
writeFileSync(regular, 'x');

describe.each([
  ['emulate', (port: string, _cap: string) => ['emulate', '--port', port, '--duration', '1']],
  ['stream', (port: string, cap: string) => ['stream', '--port', port, '--duration', '1', '--record', cap]],
])('natrium %s on a port it cannot open', (cmd, args) => {
  const expectOneLine = (r: { status: number | null; stderr: string }, port: string, cap: string) => {
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^natrium: --port ${port.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: \\S`));
    expect(existsSync(cap)).toBe(false);
  };

  it('should fail in one line, exit code 2, on a missing port', async () => {
    const port = join(dir, 'no-such-port');
    const cap = join(dir, `${cmd}-missing.bin`);
    expectOneLine(await natrium(...args(port, cap)), port, cap);
  });

  it('should fail in one line, exit code 2, on a regular file', async () => {
    const cap = join(dir, `${cmd}-regular.bin`);
    expectOneLine(await natrium(...args(regular, cap)), regular, cap);
  });

  it('should fail in one line, exit code 2, on a port another process holds', async () => {
    const pty = await ptyPair();
    const held = await openSerialPort(pty.a, 115200);
    try {
      const cap = join(dir, `${cmd}-locked.bin`);
      expectOneLine(await natrium(...args(pty.a, cap)), pty.a, cap);
    } finally {
      await closePort(held);
      await pty.close();
    }
  });
});
