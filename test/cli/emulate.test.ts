/**
 * natrium emulate's account of dropped frames: it says why they were dropped and what to change
 * (the port held the line, or the baud rate cannot carry the telemetry).
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as emulateMain } from '../../cli/emulate.ts';
import { hasSocat, ptyPair, type PtyPair } from '../protocol/node/socat.ts';
import { stderrOf } from './stderr.ts';

if (!hasSocat) throw new Error('these tests need socat (apt-get install socat; .ci/run installs it)');

const SCENARIO = fileURLToPath(new URL('./fixtures/emulate-8s1p.json', import.meta.url));
let pty: PtyPair | null = null;

afterEach(async () => {
  await pty?.close();
  pty = null;
  vi.restoreAllMocks();
});

describe('natrium emulate: dropped frames explained', () => {
  it('says the port held the line when nobody reads it (a pty with no host)', async () => {
    pty = await ptyPair();
    const err = stderrOf();
    // ~1.5 MB of telemetry in ~4.5 s wall into a pty pair nobody reads: its buffers fill, the bytes
    // handed over grow older than 2 s, the line holds and the device's queue overflows
    const code = await emulateMain(['--port', pty.a, '--scenario', SCENARIO, '--speed', '1000', '--duration', '4500', '--baud', '1000000']);
    const text = err.join('');
    expect(code).toBe(0); // the writes still waiting when it closes the port are not a port failure
    const m = /stopped at [\d.]+ s device time; (\d+) frames \(\d+ bytes\) sent, (\d+) dropped \(queue full\)/.exec(text);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThan(Number(m![1]));
    expect(text).toMatch(
      /natrium emulate: the port took bytes slower than the device made them, so the line was held for [\d.]+ s of device time \([\d.]+ MB\/s went through at 1000× real time\); a lower --speed, or --speed max \(which waits for the port\), drops nothing\n/,
    );
    expect(text).not.toMatch(/need more than/);
  }, 20_000);

  it('hears Ctrl-C at a speed no machine keeps up with, and says what it ran at (one wake ran for ever before)', async () => {
    const err = stderrOf();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1500);
    const code = await emulateMain(['--mock', '/dev/natrium-cli-fast', '--scenario', SCENARIO, '--speed', '1e12'], { signal: ac.signal });
    expect(code).toBe(0);
    expect(err.join('')).toMatch(
      /natrium emulate: ran at \d+× real time, not the 1000000000000× asked: this machine could not keep up \(device time \d+ s behind the wall clock\)\n/,
    );
  }, 20_000);

  it('says the baud rate is too low when the line itself cannot carry the telemetry', async () => {
    const err = stderrOf();
    expect(await emulateMain(['--mock', '/dev/natrium-cli-slowline', '--scenario', SCENARIO, '--speed', 'max', '--duration', '60', '--baud', '1200'])).toBe(0);
    const text = err.join('');
    expect(Number(/, (\d+) dropped \(queue full\)/.exec(text)![1])).toBeGreaterThan(0);
    expect(text).toMatch(/natrium emulate: the telemetry rates need more than 1200 baud can carry; a higher --baud drops nothing\n/);
    expect(text).not.toMatch(/line was held/);
  }, 20_000);
});
