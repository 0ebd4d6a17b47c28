import type { SerialPortStream } from '@serialport/stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EmulatedDevice, type DeviceOptions } from '../../../protocol/device.ts';
import { HostSession } from '../../../protocol/host.ts';
import { BmsState, MessageType, type Decoded } from '../../../protocol/messages.ts';
import { DeviceMockBinding, createMockDevice, removeMockDevice, type MockDevicePort } from '../../../protocol/node/mock-port.ts';
import { closePort, openPort } from '../../../protocol/node/serial.ts';
import { FakeModel } from '../fake-model.ts';

const PATH = '/dev/natrium-test-mock';
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Rig {
  model: FakeModel;
  device: EmulatedDevice;
  dev: MockDevicePort;
  port: SerialPortStream;
  host: HostSession;
  msgs: Decoded[];
  /** Runs device time forward `ms` in 10 ms ticks, letting the host read after each. */
  run(ms: number): Promise<void>;
  /** Runs until `p` settles (at most `limit_ms` of device time). */
  until<T>(p: Promise<T>, limit_ms?: number): Promise<T>;
}

let open: SerialPortStream | null = null;

async function rig(opts: DeviceOptions = {}, maxReadSize = 7): Promise<Rig> {
  const model = new FakeModel({ ns: 24, sensors: 6 });
  const dev = createMockDevice(PATH, { maxReadSize, record: true });
  const device = new EmulatedDevice(model, (b) => dev.write(b), { baudRate: 115200, ...opts });
  dev.onData = (b) => device.receive(b);
  const port = await openPort(DeviceMockBinding, PATH, 115200);
  open = port;
  const msgs: Decoded[] = [];
  const host = new HostSession((b) => port.write(Buffer.from(b)), { onMessage: (m) => msgs.push(m) });
  port.on('data', (b: Buffer) => host.receive(b));
  const run = async (ms: number): Promise<void> => {
    const end = device.time_ms + ms;
    while (device.time_ms < end) {
      device.advanceTo(device.time_ms + 10);
      await turn();
    }
  };
  const until = async <T>(p: Promise<T>, limit_ms = 2000): Promise<T> => {
    let settled = false;
    const q = p.finally(() => (settled = true));
    const end = device.time_ms + limit_ms;
    while (!settled && device.time_ms < end) {
      device.advanceTo(device.time_ms + 10);
      await turn();
    }
    return q;
  };
  return { model, device, dev, port, host, msgs, run, until };
}

afterEach(async () => {
  if (open) await closePort(open);
  open = null;
  removeMockDevice(PATH);
});

describe('mock serial device (binding-mock)', () => {
  it('should answer INFO and state commands and stream telemetry the host decodes', async () => {
    const r = await rig();
    await r.run(200);
    const a = await r.until(r.host.command({ type: MessageType.CMD_REQUEST_INFO }));
    expect(a.type).toBe(MessageType.ACK);
    expect(r.host.info?.ns).toBe(24);
    const s = await r.until(r.host.command({ type: MessageType.CMD_SET_STATE, state: BmsState.NORMAL }));
    expect(s.type).toBe(MessageType.ACK);
    await r.run(300);
    expect(r.host.status?.state).toBe(BmsState.NORMAL);
    const bad = await r.until(r.host.command({ type: MessageType.CMD_SET_STATE, state: BmsState.ERROR }));
    expect(bad.type).toBe(MessageType.NACK);
    await r.run(1000);
    const types = new Set(r.msgs.map((m) => m.type));
    for (const t of [MessageType.INFO, MessageType.PACK_STATUS, MessageType.CELL_VOLTAGES, MessageType.TEMPERATURES, MessageType.BALANCING]) {
      expect(types).toContain(t);
    }
    const c = r.host.counters;
    expect(c.crcErrors + c.cobsErrors + c.seqMissing + c.presyncBytes).toBe(0);
    // the host's commands reached the device through the binding: 3 frames recorded
    expect(r.dev.recording!.length).toBe(3);
    // telemetry carries the device's own clock
    const status = r.msgs.filter((m) => m.type === MessageType.PACK_STATUS);
    expect(status.at(-1)!.t_ms).toBeGreaterThan(status[0]!.t_ms);
  });

  it('should pace telemetry to the baud rate', async () => {
    const r = await rig({ baudRate: 9600, rates: { [MessageType.CELL_VOLTAGES]: 50 } }, 64);
    await r.run(3000);
    // 9600 baud: 960 bytes/s; the decoder saw at most that much (plus one tick)
    const c = r.host.counters;
    const received = c.frameBytes + c.frames; // runs + their delimiters
    expect(received).toBeLessThanOrEqual(960 * 3 + 10);
    expect(received).toBeGreaterThan(960 * 3 - 200);
    // 50 Hz of 52-byte chunks does not fit: whole frames were dropped and counted as missing
    expect(r.device.link.counters.framesDropped).toBeGreaterThan(0);
    expect(c.crcErrors + c.cobsErrors).toBe(0);
  });

  it('should count injected link faults exactly', async () => {
    const r = await rig({
      faults: {
        dropFrame: 0.03,
        corruptFrame: 0.03,
        duplicateFrame: 0.03,
        delayFrame: 0.05,
        dropByte: 0.0005,
        corruptByte: 0.0005,
        duplicateByte: 0.0005,
        delay_ms: 40,
      },
      seed: 12345,
    });
    const faults = r.device.faults!;
    faults.enabled = false;
    await r.run(100); // the first frames clean: the reader knows where the sequence starts
    faults.enabled = true;
    await r.run(20_000);
    faults.enabled = false;
    await r.run(500); // clean tail: losses at the end show up as a gap
    const f = faults.counters;
    const c = r.host.counters;
    expect(f.framesDropped).toBeGreaterThan(5);
    expect(f.framesCorrupted).toBeGreaterThan(5);
    expect(f.framesDuplicated).toBeGreaterThan(5);
    expect(f.framesDelayed).toBeGreaterThan(5);
    expect(f.framesByteDamaged).toBeGreaterThan(5);
    expect(r.device.link.counters.framesDropped).toBe(0);
    expect(c.duplicates).toBe(f.framesDuplicated);
    expect(c.crcErrors + c.cobsErrors + c.shortFrames + c.oversizeRuns + c.badVersions).toBe(f.framesCorrupted + f.framesByteDamaged);
    expect(c.seqMissing).toBe(f.framesDropped + f.framesCorrupted + f.framesByteDamaged);
    expect(c.messages).toBe(r.device.link.counters.framesSent - (f.framesDropped + f.framesCorrupted + f.framesByteDamaged));
  });

  it('should lose (and count) what the device sends while no host has the port open', async () => {
    const r = await rig();
    await r.run(100);
    await closePort(r.port);
    open = null;
    const before = r.dev.unheardBytes;
    r.device.advanceTo(r.device.time_ms + 500);
    expect(r.dev.unheardBytes).toBeGreaterThan(before);
    expect(r.dev.hostOpen).toBe(false);
  });

  it('should refuse to open a path with no mock device', async () => {
    await expect(openPort(DeviceMockBinding, '/dev/natrium-nothing', 115200)).rejects.toThrow(/no mock device/);
  });
});
