/**
 * startEmulator at speed 'max' (device/node/emulator.ts) on the in-process mock port: the device
 * waits for a host, then runs as fast as the host reads, and the host misses nothing.
 * (The real-time emulator is exercised through `natrium emulate` in test/cli/protocol.test.ts.)
 */
import type { SerialPortStream } from '@serialport/stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../device/node/emulator.ts';
import { Decoder } from '../../../protocol/decoder.ts';
import { MessageType } from '../../../protocol/messages.ts';
import { DeviceMockBinding } from '../../../protocol/node/mock-port.ts';
import { closePort, openPort } from '../../../protocol/node/serial.ts';

const SHORT = fileURLToPath(new URL('../fixtures/capture-8s1p-short.json', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let emu: Emulator | null = null;
let port: SerialPortStream | null = null;
afterEach(async () => {
  if (port) await closePort(port);
  await emu?.stop();
  port = null;
  emu = null;
});

describe("startEmulator at speed 'max'", () => {
  it('should wait for a host, then stream every frame as fast as the host reads', async () => {
    const duration_s = 30;
    emu = await startEmulator({
      port: null,
      mockPath: '/dev/natrium-test-max',
      scenario: SHORT,
      speed: 'max',
      baudRate: 1_000_000,
      duration_s,
      chunk_ms: 200,
    });
    await sleep(30);
    expect(emu.device.time_ms).toBe(0); // nobody has the port open yet
    const dec = new Decoder();
    let lastStatus_ms = -1;
    const d = new Decoder({ onMessage: (m) => m.type === MessageType.PACK_STATUS && (lastStatus_ms = m.t_ms) });
    const p = await openPort(DeviceMockBinding, emu.path, 115200);
    port = p;
    p.on('data', (b: Buffer) => {
      dec.push(b);
      d.push(b);
    });
    const wall0 = performance.now();
    await emu.done;
    expect(performance.now() - wall0).toBeLessThan((duration_s * 1000) / 4); // far faster than real time
    expect(emu.device.time_ms).toBe(duration_s * 1000);
    await sleep(20); // the last bytes reach the host
    expect(dec.counters.messages).toBeGreaterThan(duration_s * 40);
    expect(dec.counters.seqMissing + dec.counters.crcErrors + dec.counters.cobsErrors).toBe(0);
    expect(emu.device.link.counters.framesDropped).toBe(0);
    expect(lastStatus_ms).toBeGreaterThan(duration_s * 1000 - 500);
  });

  it('should stop on stop()', async () => {
    emu = await startEmulator({ port: null, mockPath: '/dev/natrium-test-max-stop', scenario: SHORT, speed: 'max', baudRate: 1_000_000 });
    port = await openPort(DeviceMockBinding, emu.path, 115200);
    port.on('data', () => {});
    await sleep(50);
    const e = emu;
    await e.stop();
    await e.done;
    const t = e.device.time_ms;
    expect(t).toBeGreaterThan(0);
    await sleep(20);
    expect(e.device.time_ms).toBe(t);
  });
});
