/**
 * A port that goes away under a running command (the device end closed, a USB adapter
 * unplugged), over a real socat pty pair: `emulate`, `stream` and `replay` each stop, say so in
 * one line naming the port, and exit with code 1; `stream` keeps every byte it recorded.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main as emulateMain } from '../../cli/emulate.ts';
import { main as replayMain } from '../../cli/replay.ts';
import { main as streamMain } from '../../cli/stream.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { MessageType } from '../../protocol/messages.ts';
import { closePort, openSerialPort, writePort } from '../../protocol/node/serial.ts';
import { hasSocat, ptyPair, type PtyPair } from '../protocol/node/socat.ts';
import { stderrOf } from './stderr.ts';

if (!hasSocat) throw new Error('these tests need socat (apt-get install socat; .ci/run installs it)');

const dir = mkdtempSync(join(tmpdir(), 'natrium-port-loss-'));
let pty: PtyPair | null = null;

afterEach(async () => {
  await pty?.close();
  pty = null;
  vi.restoreAllMocks();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('a serial port lost under a running command', () => {
  it('stops the emulator with exit code 1 and names the port', async () => {
    pty = await ptyPair();
    const err = stderrOf();
    const run = emulateMain(['--port', pty.a, '--speed', '5']);
    await sleep(500);
    await pty.close();
    expect(await run).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`natrium emulate: ${pty.a}: .+\\n$`));
  });

  it('stops stream with exit code 1, names the port and keeps the recorded bytes', async () => {
    pty = await ptyPair();
    const p = pty;
    const cap = join(dir, 'lost.bin');
    const err: string[] = [];
    const run = streamMain(['--port', p.b, '--record', cap], { stdout: () => undefined, stderr: (s) => err.push(s), tty: false });
    // a few frames into the other end, then the device end is gone
    const enc = new Encoder();
    for (let k = 0; k < 5; k++) enc.encode({ type: MessageType.ACK, commandSeq: k, commandType: 0x81 }, k);
    const bytes = enc.take();
    await sleep(300);
    const dev = await openSerialPort(p.a, 115200);
    await writePort(dev, bytes);
    await sleep(300);
    await closePort(dev);
    await p.close();
    expect(await run).toBe(1);
    expect(err.at(-1)).toMatch(new RegExp(`^natrium stream: ${p.b}: .+\\n$`));
    expect(new Uint8Array(readFileSync(cap))).toEqual(bytes);
  });

  it('stops replay with exit code 1 and names the port', async () => {
    pty = await ptyPair();
    const cap = join(dir, 'replay.bin');
    const enc = new Encoder();
    for (let k = 0; k < 100; k++) enc.encode({ type: MessageType.ACK, commandSeq: k, commandType: 0x81 }, k * 100); // 10 s of device time
    writeFileSync(cap, enc.take());
    const err = stderrOf();
    const run = replayMain([cap, '--port', pty.a]);
    await sleep(500);
    await pty.close();
    expect(await run).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`natrium replay: ${pty.a}: .+\\n$`));
  });
});
