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

/**
 * How long (wall ms) bytes handed to a port may wait unsent before the device end reports itself
 * blocked: the latency a slow port (a real UART behind a device run faster than real time) may
 * build up before the line holds. 2 s rides out a reader's start-up (`natrium stream --analyze`
 * on the other end of a pty at 1000× real time fell behind by over half a second while it
 * warmed up) and, on a 115200 baud UART, is ~23 kB: about the 16 KiB high-water mark this
 * replaces.
 */
export const PORT_MAX_LAG_MS = 2000;

/**
 * A DeviceEnd over an open port (a real device or a pty end).
 *
 * The writes of one turn of the event loop (a wake of the real-time driver runs many device
 * ticks, each handing over the bytes its line sent) go to the port as one write when the turn
 * ends: the port's binding writes one chunk at a time (a `write(2)` through libuv's thread pool
 * each), and a chunk of a frame or two could not carry 1000× real time.
 *
 * `blocked()` (flow control) is true while bytes handed over more than PORT_MAX_LAG_MS ago are
 * still unsent: a port that keeps up with the device never holds its line, whatever one wake
 * hands over at once (at 1000× real time a 10 ms wake carries ~54 kB of the default pack's
 * telemetry, and the first wakes, while the code is still cold, several hundred kB), while a port
 * slower than the device (a 115200 baud UART behind a device at 10× real time) holds the line
 * once its backlog is PORT_MAX_LAG_MS old, so the device's transmit queue overflows and drops
 * whole frames, as on a real device, instead of the backlog growing without bound.
 * `maxLag_ms` replaces PORT_MAX_LAG_MS.
 */
export function portDeviceEnd(port: SerialPortStream, options: { maxLag_ms?: number } = {}): DeviceEnd {
  const maxLag_ms = options.maxLag_ms ?? PORT_MAX_LAG_MS;
  if (typeof maxLag_ms !== 'number' || !(maxLag_ms >= 0)) throw new TypeError(`"maxLag_ms" must be a number >= 0: ${String(maxLag_ms)}`);
  let closing = false;
  let failed = false;
  let pending: Uint8Array[] = [];
  let flushQueued = false;
  // bytes handed to the port so far, and per write not yet completed: where it ends in that count, and when
  let handed = 0;
  let ends: number[] = [];
  let times: number[] = [];
  let head = 0;
  /** Forgets the writes the port has completed (`head` moves past them); true while some are left. */
  const settle = (): boolean => {
    const sent = handed - port.writableLength;
    while (head < ends.length && ends[head]! <= sent) head++;
    if (head > 64 && head * 2 > ends.length) {
      ends = ends.slice(head);
      times = times.slice(head);
      head = 0;
    }
    return head < ends.length;
  };
  const flush = (): void => {
    flushQueued = false;
    const parts = pending;
    if (parts.length === 0) return;
    pending = [];
    if (!port.isOpen || failed) return;
    const first = parts[0]!;
    const buf = parts.length === 1 ? Buffer.from(first.buffer, first.byteOffset, first.byteLength) : Buffer.concat(parts);
    settle(); // also for users that never ask `blocked()` (replay), so the records stay few
    handed += buf.length;
    ends.push(handed);
    times.push(performance.now());
    port.write(buf);
  };
  const end: DeviceEnd = {
    onData: null,
    write(bytes) {
      if (!port.isOpen || failed || bytes.length === 0) return;
      pending.push(bytes);
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(flush);
      }
    },
    blocked() {
      return settle() && performance.now() - times[head]! > maxLag_ms;
    },
    async close() {
      closing = true;
      flush();
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
    // closing it ourselves: the writes a port that did not drain in time still held are canceled
    // (nobody read them); that is the close asked for, not the port failing
    if (closing) return;
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
