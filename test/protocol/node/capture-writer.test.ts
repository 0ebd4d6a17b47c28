import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { decodeCapture } from '../../../protocol/capture.ts';
import { CaptureWriter } from '../../../protocol/node/capture-writer.ts';
import { readCapture } from '../../../protocol/node/capture-reader.ts';
import { Encoder } from '../../../protocol/encoder.ts';
import { MessageType } from '../../../protocol/messages.ts';

const dir = mkdtempSync(join(tmpdir(), 'natrium-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CHILD = fileURLToPath(new URL('./capture-child.ts', import.meta.url));

describe('CaptureWriter', () => {
  it('should keep every frame a SIGKILLed writer reported as written', async () => {
    const path = join(dir, 'killed.bin');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')));
    const reported: number[] = [];
    let partial = '';
    child.stdout!.on('data', (b: Buffer) => {
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop()!;
      for (const l of lines) reported.push(Number(l));
      if (reported.length >= 2000 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
    expect(signal).toBe('SIGKILL');
    expect(code).toBeNull();
    expect(reported.length).toBeGreaterThanOrEqual(2000);

    const bytes = new Uint8Array(readFileSync(path));
    const { messages, counters } = decodeCapture(bytes);
    const got = new Set(messages.map((m) => m.seq));
    for (const seq of reported) expect(got.has(seq)).toBe(true);
    // a prefix of the stream, with at most a cut frame at its end, and no error
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i));
    expect(counters.crcErrors + counters.cobsErrors + counters.shortFrames + counters.oversizeRuns + counters.seqMissing).toBe(0);
    expect(readCapture(path, () => {})).toEqual(counters);
  }, 20_000);

  it('should append to an existing capture unless told to truncate', () => {
    const path = join(dir, 'append.bin');
    const enc = new Encoder();
    enc.encode({ type: MessageType.CMD_REQUEST_INFO }, 1);
    const first = enc.take();
    enc.encode({ type: MessageType.CMD_RESET_FAULTS }, 2);
    const second = enc.take();
    let w = new CaptureWriter(path, { truncate: true });
    w.write(first);
    w.close();
    w = new CaptureWriter(path);
    w.write(second);
    w.close();
    expect(decodeCapture(new Uint8Array(readFileSync(path))).messages.map((m) => m.type)).toEqual([MessageType.CMD_REQUEST_INFO, MessageType.CMD_RESET_FAULTS]);
    expect(() => w.write(first)).toThrow(/closed/);
  });
});
