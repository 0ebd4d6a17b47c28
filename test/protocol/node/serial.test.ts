import type { SerialPortStream } from '@serialport/stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatedDevice } from '../../../protocol/device.ts';
import { HostSession } from '../../../protocol/host.ts';
import { BmsState, MessageType } from '../../../protocol/messages.ts';
import { runRealtime, type RealtimeRun } from '../../../protocol/node/realtime.ts';
import { MockBinding } from '../../../protocol/node/mock-binding.ts';
import { closePort, openPort, openSerialPort, portDeviceEnd, type DeviceEnd } from '../../../protocol/node/serial.ts';
import { FakeModel } from '../fake-model.ts';
import { hasSocat, ptyPair, type PtyPair } from './socat.ts';

let pty: PtyPair | null = null;
let hostPort: SerialPortStream | null = null;
let end: DeviceEnd | null = null;
let rt: RealtimeRun | null = null;

afterEach(async () => {
  rt?.stop();
  if (hostPort) await closePort(hostPort);
  await end?.close();
  await pty?.close();
  pty = null;
  hostPort = null;
  end = null;
  rt = null;
});

const waitFor = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.skipIf(!hasSocat)('real serial path (serialport over a socat pty pair)', () => {
  it('should answer INFO and state commands and stream telemetry the host decodes', async () => {
    pty = await ptyPair();
    const model = new FakeModel({ ns: 16 });
    end = portDeviceEnd(await openSerialPort(pty.a, 115200));
    const device = new EmulatedDevice(model, (b) => end!.write(b), { baudRate: 115200, blocked: () => end!.blocked() });
    end.onData = (b) => device.receive(b);
    hostPort = await openSerialPort(pty.b, 115200);
    const port = hostPort;
    const host = new HostSession((b) => port.write(Buffer.from(b)));
    port.on('data', (b: Buffer) => host.receive(b));
    rt = runRealtime(device, { speed: 4 });

    const a = await host.command({ type: MessageType.CMD_REQUEST_INFO });
    expect(a.type).toBe(MessageType.ACK);
    await waitFor(() => host.info !== null);
    expect(host.info!.ns).toBe(16);
    const s = await host.command({ type: MessageType.CMD_SET_STATE, state: BmsState.CHARGE });
    expect(s.type).toBe(MessageType.ACK);
    await waitFor(() => host.status?.state === BmsState.CHARGE);
    const t = await host.command({ type: MessageType.CMD_SET_RATE, messageType: MessageType.PACK_STATUS, rate_Hz: 200 });
    expect(t.type).toBe(MessageType.NACK);
    const n0 = host.counters.messages;
    await waitFor(() => host.counters.messages > n0 + 50);
    const c = host.counters;
    expect(c.crcErrors + c.cobsErrors + c.shortFrames + c.seqMissing + c.duplicates).toBe(0);
    expect(model.executed).toEqual([`state ${BmsState.CHARGE}`]);
  });

  it('should count injected link faults exactly through a real pty', async () => {
    pty = await ptyPair();
    end = portDeviceEnd(await openSerialPort(pty.a, 115200));
    const device = new EmulatedDevice(new FakeModel({ ns: 16 }), (b) => end!.write(b), {
      baudRate: 115200,
      blocked: () => end!.blocked(),
      faults: {
        dropFrame: 0.04,
        corruptFrame: 0.04,
        duplicateFrame: 0.04,
        delayFrame: 0.05,
        corruptByte: 0.0005,
        dropByte: 0.0005,
        duplicateByte: 0.0005,
        delay_ms: 20,
      },
      seed: 4242,
      rates: { [MessageType.PACK_STATUS]: 50, [MessageType.CELL_VOLTAGES]: 50 },
    });
    const faults = device.faults!;
    faults.enabled = false;
    hostPort = await openSerialPort(pty.b, 115200);
    const host = new HostSession(() => {});
    hostPort.on('data', (b: Buffer) => host.receive(b));
    rt = runRealtime(device, { speed: 20 });
    await waitFor(() => host.counters.frames > 5); // the reader knows where the sequence starts
    faults.enabled = true;
    await waitFor(() => faults.counters.frames > 600, 10_000);
    faults.enabled = false;
    const n = host.counters.messages;
    await waitFor(() => host.counters.messages > n + 100, 10_000); // clean frames after the last faulted one
    const f = faults.counters;
    const c = host.counters;
    expect(f.framesDropped * f.framesCorrupted * f.framesDuplicated * f.framesByteDamaged).toBeGreaterThan(0);
    expect(c.duplicates).toBe(f.framesDuplicated);
    expect(c.crcErrors + c.cobsErrors + c.shortFrames + c.oversizeRuns + c.badVersions).toBe(f.framesCorrupted + f.framesByteDamaged);
    expect(c.seqMissing).toBe(f.framesDropped + f.framesCorrupted + f.framesByteDamaged + device.link.counters.framesDropped);
  }, 20_000);
});

describe('the device end of a port (portDeviceEnd)', () => {
  const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  // a binding-mock port whose writes complete only when the test says so (a port that is slow
  // to take bytes: a real UART, a pty nobody reads)
  async function heldPort(path: string) {
    MockBinding.createPort(path, { echo: false, record: false });
    const port = await openPort(MockBinding, path, 115200);
    const writes: number[] = [];
    const waiting: (() => void)[] = [];
    (port.port as unknown as { write(b: Buffer): Promise<void> }).write = (b) => {
      writes.push(b.length);
      return new Promise<void>((r) => waiting.push(r));
    };
    const release = (): void => {
      for (const r of waiting.splice(0)) r();
    };
    return { port, writes, release };
  }

  it('should hand the writes of one turn to the port as one write', async () => {
    const { port, writes, release } = await heldPort('/dev/natrium-end-1');
    end = portDeviceEnd(port);
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    for (let i = 0; i < 1000; i++) end.write(bytes.subarray(i % 3, (i % 3) + 100));
    expect(writes).toEqual([]); // not before the turn ends
    await turn();
    expect(writes).toEqual([100_000]);
    end.write(bytes.subarray(0, 7));
    await turn();
    release();
    await sleep(5);
    release();
    expect(writes).toEqual([100_000, 7]);
    MockBinding.reset();
  });

  it('should block only once bytes have waited unsent for longer than its lag', async () => {
    const { port, release } = await heldPort('/dev/natrium-end-2');
    end = portDeviceEnd(port, { maxLag_ms: 300 });
    for (let i = 0; i < 1000; i++) end.write(new Uint8Array(100));
    expect(end.blocked()).toBe(false);
    await turn();
    // 100 kB unsent (far over any fixed high-water mark), but handed over just now
    expect(port.writableLength).toBe(100_000);
    expect(end.blocked()).toBe(false);
    await sleep(400);
    expect(end.blocked()).toBe(true);
    release();
    await sleep(5);
    expect(port.writableLength).toBe(0);
    expect(end.blocked()).toBe(false);
    // a new write waits behind nothing old: not blocked until it is old itself
    end.write(new Uint8Array(10));
    await turn();
    expect(end.blocked()).toBe(false);
    await sleep(400);
    expect(end.blocked()).toBe(true);
    release();
    await sleep(5);
    expect(end.blocked()).toBe(false);
    MockBinding.reset();
  });
});
