/**
 * Opening ports. One transport interface (style.md habit 11): a host or an emulated device talks
 * to a SerialPortStream; real devices and ptys use `serialport`'s native binding, mock devices
 * DeviceMockBinding (mock-port.ts), and nothing else differs.
 */
import type { BindingInterface } from './mock-binding.ts';
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';

/** Opens a real serial device or pty; resolves once it is open. */
export function openSerialPort(path: string, baudRate: number): Promise<SerialPortStream> {
  checkPort(path, baudRate);
  return new Promise((resolve, reject) => {
    const p = new SerialPort({ path, baudRate, autoOpen: false });
    p.open((e) => (e ? reject(e) : resolve(p)));
  });
}

/** Opens `path` through `binding` (e.g. DeviceMockBinding); resolves once it is open. */
export function openPort(binding: BindingInterface, path: string, baudRate: number): Promise<SerialPortStream> {
  checkPort(path, baudRate);
  return new Promise((resolve, reject) => {
    const p = new SerialPortStream({ binding, path, baudRate, autoOpen: false });
    p.open((e) => (e ? reject(e) : resolve(p)));
  });
}

/** Closes a port if it is open; resolves once closed. */
export function closePort(port: SerialPortStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!port.isOpen) {
      resolve();
      return;
    }
    port.close((e) => (e ? reject(e) : resolve()));
  });
}

/** Writes and waits until the bytes were handed to the binding. */
export function writePort(port: SerialPortStream, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (e) => {
      if (e) reject(e);
      else port.drain((d) => (d ? reject(d) : resolve()));
    });
  });
}

function checkPort(path: string, baudRate: number): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`"path" must be a non-empty string: ${String(path)}`);
  if (!Number.isInteger(baudRate) || baudRate <= 0) throw new TypeError(`"baudRate" must be a positive integer: ${String(baudRate)}`);
}

/** The device end of a line, as an emulator or a replayer sees it (a mock device or a real port). */
export interface DeviceEnd {
  /** Device → host bytes. */
  write(bytes: Uint8Array): void;
  /** Host → device bytes. */
  onData: ((bytes: Uint8Array) => void) | null;
  /** True while the port cannot take more (flow control). */
  blocked(): boolean;
  close(): Promise<void>;
  /**
   * Port errors (a real port: write failures, the device gone, the port closed by anyone but
   * `close`); set by the owner. Unset, they are printed to stderr.
   */
  onError?: ((e: Error) => void) | null;
}

/** The error message of a port closed under its user (the other end gone, an adapter unplugged). */
export const PORT_CLOSED = 'the port was closed (device gone?)';

/** Longest wait for a failing port to drain before it is closed anyway, ms. */
const CLOSE_DRAIN_MS = 2000;

/** Bytes a port may hold unsent before the device end reports itself blocked. */
export const PORT_HIGH_WATER = 16 * 1024;

/** A DeviceEnd over an open port (a real device or a pty end). */
export function portDeviceEnd(port: SerialPortStream): DeviceEnd {
  let closing = false;
  let failed = false;
  const end: DeviceEnd = {
    onData: null,
    write(bytes) {
      if (port.isOpen && !failed) port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
    blocked: () => port.writableLength > PORT_HIGH_WATER,
    async close() {
      closing = true;
      if (port.isOpen && !failed) {
        // a port that stopped working may never drain: close it anyway after a while
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, CLOSE_DRAIN_MS);
          port.drain(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      await closePort(port).catch(() => undefined);
    },
  };
  const fail = (e: Error): void => {
    failed = true;
    if (end.onError) end.onError(e);
    else process.stderr.write(`natrium: ${port.path}: ${e.message}\n`);
  };
  port.on('data', (b: Buffer) => end.onData?.(b));
  port.on('error', fail);
  port.on('close', () => {
    if (!closing && !failed) fail(new Error(PORT_CLOSED));
  });
  return end;
}
