/**
 * Live sources for `natrium view --mock SCENARIO` and `natrium view --port PATH`: the wire bytes a
 * BMS sends, handed to every subscriber of the server's /live stream (viewer/server/server.ts)
 * as they arrive. The mock is the demo's chain (device/ emulator on the in-process mock serial
 * port, opened by the host like a real one) at real-time speed; the port is a real serial device.
 * Nothing is kept here: each page keeps its own bounded window (viewer/src/engine/live.ts).
 */
import type { SerialPortStream } from '@serialport/stream';
import { startEmulator } from '../../device/node/emulator.ts';
import { DeviceMockBinding } from '../../protocol/node/mock-port.ts';
import { closePort, openPort, openSerialPort } from '../../protocol/node/serial.ts';
import type { LiveSource } from './server.ts';

export interface RunningSource extends LiveSource {
  describe: string;
  close(): Promise<void>;
}

/** Fans chunks out to subscribers. */
function fanOut(): { source: LiveSource; push(chunk: Uint8Array): void } {
  const subs = new Set<(c: Uint8Array) => void>();
  return {
    source: {
      subscribe(send) {
        subs.add(send);
        return () => subs.delete(send);
      },
    },
    push: (c) => {
      for (const s of subs) s(c);
    },
  };
}

const MOCK_PATH = '/dev/natrium-view0';

/** The scenario's emulated BMS on the mock port at `speed` device seconds per wall second. */
export async function mockSource(scenario: string, baudRate: number, speed = 1): Promise<RunningSource> {
  const emu = await startEmulator({ port: null, mockPath: MOCK_PATH, scenario, speed, baudRate });
  const host = await openPort(DeviceMockBinding, emu.path, baudRate);
  return hostSource(host, `mock BMS, scenario ${scenario}, ${baudRate} baud, ${speed}× real time`, async () => {
    await emu.stop();
  });
}

/** A real serial port. */
export async function portSource(path: string, baudRate: number): Promise<RunningSource> {
  const host = await openSerialPort(path, baudRate);
  return hostSource(host, `serial port ${path}, ${baudRate} baud`, async () => {});
}

function hostSource(host: SerialPortStream, describe: string, stop: () => Promise<void>): RunningSource {
  const f = fanOut();
  host.on('data', (chunk: Uint8Array) => f.push(chunk));
  return {
    ...f.source,
    describe,
    async close() {
      await closePort(host).catch(() => {});
      await stop();
    },
  };
}
