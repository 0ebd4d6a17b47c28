/**
 * A virtual serial device on @serialport/binding-mock: `createMockDevice(path)` makes a port the
 * host opens with `DeviceMockBinding` (through SerialPortStream, exactly as it would open a real
 * port with `serialport`'s binding), and gives the device end: bytes the host writes arrive at
 * `onData`, bytes the device `write`s arrive at the host's stream as 'data'. The mock yields
 * before each operation and splits reads into `maxReadSize` pieces (style.md habit 11); closing
 * the host port rejects its pending read with `canceled: true`.
 *
 * Pacing and link faults are the device's business (protocol/link.ts, protocol/linkfaults.ts):
 * an EmulatedDevice paces its output to the baud rate on device time and faults it, then writes
 * here. Bytes the device writes while no host has the port open are lost, as on a real line,
 * and counted in `unheardBytes`.
 */
import {
  MockBinding,
  type BindingInterface,
  type BindingPortInterface,
  type MockPortBinding,
  type OpenOptions,
  type PortInfo,
  type PortStatus,
  type SetOptions,
  type UpdateOptions,
} from './mock-binding.ts';

/** The device end of a mock port. */
export class MockDevicePort {
  /** Bytes the host wrote (set by the device). */
  onData: ((bytes: Uint8Array) => void) | null = null;
  /** Bytes written while the host had the port closed. */
  unheardBytes = 0;
  /** Bytes the host wrote, all of them, when made with `record: true`. */
  readonly recording: Uint8Array[] | null;
  private host: MockPortBinding | null = null;

  constructor(
    readonly path: string,
    record: boolean,
  ) {
    this.recording = record ? [] : null;
  }

  /** A mock line never pushes back (the host's unread bytes wait in the mock). */
  blocked(): boolean {
    return false;
  }

  /** Removes the device (DeviceEnd.close). */
  async close(): Promise<void> {
    removeMockDevice(this.path);
  }

  /**
   * Bytes written to the host and not yet read by it (0 while it has the port closed): what a
   * device running faster than real time waits on (device/node/emulator.ts at speed 'max').
   */
  get backlogBytes(): number {
    const h = this.host;
    return h !== null && h.isOpen ? h.port.data.length : 0;
  }

  /** True while a host has the port open. */
  get hostOpen(): boolean {
    return this.host !== null && this.host.isOpen;
  }

  /** Device → host bytes. */
  write(bytes: Uint8Array): void {
    const h = this.host;
    if (h === null || !h.isOpen) {
      this.unheardBytes += bytes.length;
      return;
    }
    h.emitData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** @internal host side: the port was opened / closed. */
  attach(host: MockPortBinding | null): void {
    this.host = host;
  }

  /** @internal host side: bytes written by the host. */
  hostWrote(bytes: Uint8Array): void {
    this.recording?.push(bytes);
    this.onData?.(bytes);
  }
}

const devices = new Map<string, MockDevicePort>();

export interface MockDeviceOptions {
  /** Largest read the host gets at once (default 1024; small values split frames across reads). */
  maxReadSize?: number;
  /** Keep every host write in `recording` (default false). */
  record?: boolean;
}

/** Makes (or replaces) the mock device at `path`. */
export function createMockDevice(path: string, options: MockDeviceOptions = {}): MockDevicePort {
  if (typeof path !== 'string' || path === '') throw new TypeError(`"path" must be a non-empty string: ${String(path)}`);
  const { maxReadSize = 1024, record = false } = options;
  if (!Number.isInteger(maxReadSize) || maxReadSize < 1) throw new TypeError(`"maxReadSize" must be a positive integer: ${String(maxReadSize)}`);
  MockBinding.createPort(path, { maxReadSize, echo: false, record: false });
  const d = new MockDevicePort(path, record);
  devices.set(path, d);
  return d;
}

/** Removes the mock device at `path` (a host that has it open keeps its port until it closes). */
export function removeMockDevice(path: string): void {
  devices.delete(path);
}

/** The host port of a mock device: MockBinding's port, with writes going to the device. */
class DevicePortBinding implements BindingPortInterface {
  constructor(
    private readonly inner: MockPortBinding,
    private readonly device: MockDevicePort,
  ) {
    device.attach(inner);
  }
  get openOptions(): Required<OpenOptions> {
    return this.inner.openOptions;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }
  async close(): Promise<void> {
    this.device.attach(null);
    await this.inner.close();
  }
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    return this.inner.read(buffer, offset, length);
  }
  async write(buffer: Buffer): Promise<void> {
    await this.inner.write(buffer);
    this.device.hostWrote(Uint8Array.from(buffer));
  }
  update(options: UpdateOptions): Promise<void> {
    return this.inner.update(options);
  }
  set(options: SetOptions): Promise<void> {
    return this.inner.set(options);
  }
  get(): Promise<PortStatus> {
    return this.inner.get();
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
}

/** The binding a host passes to SerialPortStream to open a mock device. */
export const DeviceMockBinding: BindingInterface<BindingPortInterface> = {
  async list(): Promise<PortInfo[]> {
    const all = await MockBinding.list();
    return all.filter((p) => devices.has(p.path));
  },
  async open(options: OpenOptions): Promise<BindingPortInterface> {
    const device = devices.get(options?.path);
    if (device === undefined) throw new Error(`no mock device at "${String(options?.path)}" (createMockDevice first)`);
    const inner = await MockBinding.open(options);
    return new DevicePortBinding(inner, device);
  },
};
