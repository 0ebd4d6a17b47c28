/**
 * Start-up of the emulated BMS as a serial device (what `natrium emulate` runs): a scenario with
 * the BMS firmware emulator (device/model.ts) in an EmulatedDevice (protocol/device.ts) speaking
 * protocol/PROTOCOL.md on a port: a real serial device or pty end (`port`), or an in-process mock
 * (`port: null`, at `mockPath`; a host in the same process opens it with `DeviceMockBinding`
 * from protocol/node/mock-port.ts, e.g. `openPort(DeviceMockBinding, emu.path, baud)` from
 * protocol/node/serial.ts). Node-only: it opens ports.
 *
 * Three ways to run device time:
 * - `speed: X` (a number): X device seconds per wall second (protocol/node/realtime.ts). The line
 *   is paced to `baudRate` on device time; when the port cannot take more (flow control), the
 *   line holds and telemetry overflows its queue (whole frames dropped, counted).
 * - `speed: 'max'`: as fast as the machine and the reader allow (device/run.ts,
 *   runAsFastAsPossible): `chunk_ms` of device time at a time, then a yield to the event loop.
 *   No chunk starts while the port is blocked, nor, on a mock port, while the host has more than
 *   MAX_SPEED_BACKLOG_BYTES unread or (with `waitForHost`, the default) no host has it open yet;
 *   so a host in the same process (e.g. `natrium demo`) misses nothing for being slow or late.
 *   Without `waitForHost` (a mock that no code in the process will open: `natrium emulate --mock`
 *   from a shell) the device runs on with nothing attached, as a UART does, its bytes unheard
 *   (MockDevicePort.unheardBytes). The line is still paced to `baudRate` on device time (a high
 *   baud rate lifts that ceiling).
 * - `manual: true`: no driver; the caller advances `emu.device` (tests).
 * `done` resolves when the driver stops: at `duration_s` of device time, or on `stop()`.
 */
import { EmulatedDevice } from '../../protocol/device.ts';
import type { LinkFaultRates } from '../../protocol/linkfaults.ts';
import { MockDevicePort, createMockDevice } from '../../protocol/node/mock-port.ts';
import { runRealtime, type RealtimeRun } from '../../protocol/node/realtime.ts';
import { openSerialPort, portDeviceEnd, type DeviceEnd } from '../../protocol/node/serial.ts';
import { type Scenario } from '../../sim/scenario.ts';
import { ScenarioModel } from '../model.ts';
import { runAsFastAsPossible } from '../run.ts';
import { loadScenario } from '../../sim/node/load.ts';

/** The port could not be opened (missing, not a serial device, locked by another process). */
export class PortOpenError extends Error {
  constructor(
    readonly port: string,
    readonly reason: string,
  ) {
    super(`${port}: ${reason}`);
  }
}

/** The mock device's path when none is given. */
export const DEFAULT_MOCK_PATH = '/dev/natrium-mock0';
/** At speed 'max' on a mock port: unread bytes at which the device waits for the host. */
export const MAX_SPEED_BACKLOG_BYTES = 64 * 1024;

export interface EmulatorOptions {
  /** A serial device or pty to open, or null for a mock. */
  port: string | null;
  /** Mock device path (when port is null; default DEFAULT_MOCK_PATH). */
  mockPath?: string;
  /** A name from sim/scenarios/, a path to a scenario file, or a loaded scenario. */
  scenario: string | Scenario;
  /** Device seconds per wall second, or 'max' (see the file comment). */
  speed: number | 'max';
  /** Line rate the output is paced to, bit/s. */
  baudRate: number;
  /** Stop at this device time, s (default: never; a scenario's own duration ends only the scenario). */
  duration_s?: number;
  linkFaults?: LinkFaultRates | null;
  /** Host watchdog (PROTOCOL.md §11.3; default off): HOST_COMM_LOSS when the host falls silent. */
  hostWatchdog?: boolean;
  /** Seed of the link faults (default the scenario's). */
  seed?: number;
  /** Do not start a driver: the caller advances `device` (tests). */
  manual?: boolean;
  /**
   * At speed 'max' on a mock port: hold device time while no host has the port open (default
   * true). False when none will ever open it: the device then runs on, its bytes unheard.
   */
  waitForHost?: boolean;
  /** At speed 'max': device time per chunk, ms (default device/run.ts DEFAULT_CHUNK_MS). */
  chunk_ms?: number;
  /** Called by the driver with the device time reached, ms. */
  onAdvance?: (t_ms: number) => void;
}

export interface Emulator {
  /** Where the device is (the mock path or the port). */
  readonly path: string;
  readonly device: EmulatedDevice;
  readonly model: ScenarioModel;
  readonly end: DeviceEnd;
  /** The real-time driver (null when manual or at speed 'max'). */
  readonly realtime: RealtimeRun | null;
  /** Resolves when the driver stops (`duration_s` reached, or `stop()`); rejects if the device throws. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

async function openPortOrFail(port: string, baudRate: number): Promise<Awaited<ReturnType<typeof openSerialPort>>> {
  try {
    return await openSerialPort(port, baudRate);
  } catch (e) {
    // serialport's messages repeat "Error:"; one line, without the prefixes
    throw new PortOpenError(port, (e as Error).message.replace(/^(Error:?\s*)+/i, '').split('\n')[0]!);
  }
}

/** Starts the emulator (see the file comment); PortOpenError when `port` cannot be opened. */
export async function startEmulator(o: EmulatorOptions): Promise<Emulator> {
  const sc = typeof o.scenario === 'string' ? loadScenario(o.scenario) : o.scenario;
  const model = new ScenarioModel(sc, { duration_s: o.duration_s, hostWatchdog: o.hostWatchdog });
  const path = o.port ?? o.mockPath ?? DEFAULT_MOCK_PATH;
  const end: DeviceEnd = o.port === null ? createMockDevice(path) : portDeviceEnd(await openPortOrFail(o.port, o.baudRate));
  const max = o.speed === 'max';
  const device = new EmulatedDevice(model, (b) => end.write(b), {
    baudRate: o.baudRate,
    faults: o.linkFaults ?? null,
    seed: o.seed ?? sc.seed,
    // at speed 'max' the driver waits for the port instead (no chunk starts while it is full)
    blocked: max ? undefined : () => end.blocked(),
  });
  end.onData = (b) => device.receive(b);
  const until_ms = o.duration_s === undefined ? Infinity : o.duration_s * 1000;
  const abort = new AbortController();
  let realtime: RealtimeRun | null = null;
  let done: Promise<void>;
  if (o.manual) {
    done = new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
  } else if (max) {
    const waitForHost = o.waitForHost ?? true;
    done = runAsFastAsPossible(device, {
      until_ms,
      chunk_ms: o.chunk_ms,
      blocked: () => end.blocked() || (end instanceof MockDevicePort && ((waitForHost && !end.hostOpen) || end.backlogBytes > MAX_SPEED_BACKLOG_BYTES)),
      onAdvance: o.onAdvance,
      signal: abort.signal,
    });
  } else {
    realtime = runRealtime(device, { speed: o.speed as number, until_ms, onAdvance: o.onAdvance });
    done = realtime.done;
  }
  let stopped = false;
  return {
    path,
    device,
    model,
    end,
    realtime,
    done,
    async stop() {
      if (stopped) return;
      stopped = true;
      realtime?.stop();
      abort.abort();
      await done.catch(() => undefined); // the driver's failure is reported through `done`
      await end.close();
    },
  };
}
