/**
 * natrium emulate (--port PATH | --mock [PATH]) [--scenario S] [--speed X] [--baud N]
 *                 [--duration S] [--link-faults K=P,...] [--seed N] [--host-watchdog]
 *
 * Runs the emulated BMS (a scenario with the BMS firmware emulator, device/model.ts) as a
 * serial device speaking protocol/PROTOCOL.md: telemetry at the session's rates, INFO every 5 s,
 * commands answered. Device time runs at `--speed` times the wall clock (`--speed max`: as fast
 * as the reader keeps up, or, on a mock no in-process host opens, as fast as the machine allows); the line is paced to `--baud` on device time (so an accelerated
 * device also sends faster). The start-up is device/node/emulator.ts; this file parses the
 * arguments and prints.
 *
 * --port PATH opens a serial device or a pty end (e.g. one end of
 *   `socat -d -d pty,raw,echo=0,link=/tmp/bmsA pty,raw,echo=0,link=/tmp/bmsB`; a host then opens
 *   the other end, e.g. `natrium stream --port /tmp/bmsB`).
 * --mock [PATH] makes an in-process mock device (@serialport/binding-mock) at PATH (default
 *   /dev/natrium-mock0). Only code in the same process can attach to it: import
 *   `DeviceMockBinding` from protocol/node/mock-port.ts and open PATH with it through
 *   `new SerialPortStream({ binding: DeviceMockBinding, path, baudRate })` (or `openPort`
 *   from protocol/node/serial.ts). Scripts and tests call `startEmulator`
 *   (device/node/emulator.ts) or `main` with `onReady`, then attach.
 *
 * --host-watchdog turns on the device's host watchdog (PROTOCOL.md §11.3), as on a rig: once a
 *   host has sent a command, HOST_COMM_LOSS is raised when it falls silent. Off by default, so a
 *   stream that only listens does not drive the device to ERROR.
 * --link-faults applies seeded faults to the device → host bytes (protocol/linkfaults.ts), e.g.
 *   `dropFrame=0.01,corruptByte=0.0005,delayFrame=0.02,delay_ms=80`.
 */
import { DEFAULT_MOCK_PATH, PortOpenError, startEmulator, type Emulator } from '../device/node/emulator.ts';
import { MockDevicePort } from '../protocol/node/mock-port.ts';
import { isInputError } from '../sim/errors.ts';
import { UsageError, linkFaultsOption, num, parse } from './args.ts';

const USAGE = `usage: natrium emulate (--port PATH | --mock [PATH]) [--scenario S] [--speed X] [--baud N]
                       [--duration SECONDS] [--link-faults KEY=P,...] [--seed N] [--host-watchdog]

Runs the emulated BMS as a serial device (protocol/PROTOCOL.md) until Ctrl-C or --duration
(simulated seconds). --scenario: a name from sim/scenarios/ or a JSON path (default: default).
--speed: simulated seconds per wall second (default 1), or max: as fast as the host reads
(a --mock that nothing in this process opens runs on, its bytes unheard).
--baud: line rate the output is paced to, 10 bits per byte (default 115200). --mock: an
in-process mock port (default path ${DEFAULT_MOCK_PATH}), for hosts in the same process (see
cli/emulate.ts). --host-watchdog: once a host has sent a command, raise HOST_COMM_LOSS when it
falls silent (its tiers: the BMS configuration's host_comm_loss thresholds; default off).`;

/** A port that cannot be opened is bad input naming the port (exit 2), as in natrium stream. */
async function startOrExplain(port: string | undefined, start: () => Promise<Emulator>): Promise<Emulator> {
  try {
    return await start();
  } catch (e) {
    if (e instanceof PortOpenError) throw new UsageError(`--port ${e.port}: ${e.reason}`);
    if (port === undefined || isInputError(e) || e instanceof UsageError) throw e;
    throw new UsageError(`--port ${port}: ${(e as Error).message.replace(/^Error: /, '')}`);
  }
}

export interface EmulateMainOptions {
  /** Called once the device is up (an in-process host attaches here). */
  onReady?: (emu: Emulator) => void;
  /** Stops the emulator when aborted. */
  signal?: AbortSignal;
}

export async function main(argv: string[], opts: EmulateMainOptions = {}): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      port: { type: 'string' },
      mock: { type: 'boolean', default: false },
      scenario: { type: 'string', default: 'default' },
      speed: { type: 'string' },
      baud: { type: 'string' },
      duration: { type: 'string' },
      'link-faults': { type: 'string' },
      seed: { type: 'string' },
      'host-watchdog': { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const mock = values.mock as boolean;
  const port = values.port as string | undefined;
  if (mock === (port !== undefined)) throw new UsageError(`give exactly one of --port PATH and --mock\n${USAGE}`);
  if (!mock && positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n${USAGE}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"\n${USAGE}`);
  const speed = values.speed === 'max' ? 'max' : num('speed', values.speed as string | undefined, 1, { gt: 0 });
  const baudRate = num('baud', values.baud as string | undefined, 115200, { integer: true, min: 1 });
  const duration_s = values.duration === undefined ? undefined : num('duration', values.duration as string, 0, { gt: 0 });
  const seed = values.seed === undefined ? undefined : num('seed', values.seed as string, 0, { integer: true, min: 0 });
  const linkFaults = linkFaultsOption(values['link-faults'] as string | undefined);

  const emu = await startOrExplain(port, () =>
    startEmulator({
      port: mock ? null : port!,
      mockPath: mock ? (positionals[0] ?? DEFAULT_MOCK_PATH) : undefined,
      scenario: values.scenario as string,
      speed,
      baudRate,
      duration_s,
      linkFaults,
      seed,
      hostWatchdog: values['host-watchdog'] as boolean,
      // only a host in this process (onReady) can open the mock: without one, `--speed max` would
      // wait for it forever, so the device runs on with nothing attached
      waitForHost: opts.onReady !== undefined,
    }),
  );
  const info = emu.model.info();
  process.stderr.write(
    `natrium emulate: ${mock ? 'mock device' : 'port'} ${emu.path}, ${info.ns}s${info.np}p ${info.chemistry}, ` +
      `${baudRate} baud, speed ${speed}${values['host-watchdog'] ? ', host watchdog on' : ''}${mock ? ' (attach in-process with DeviceMockBinding)' : ''}\n`,
  );
  const wall0 = performance.now();
  opts.onReady?.(emu);
  // the port failing (the device end gone, a USB adapter unplugged) stops the emulator
  let portFailure: string | null = null;
  emu.end.onError = (e) => {
    if (portFailure !== null) return;
    portFailure = e.message;
    void emu.stop();
  };
  const stopOn = (): void => void emu.stop();
  process.once('SIGINT', stopOn);
  process.once('SIGTERM', stopOn);
  opts.signal?.addEventListener('abort', stopOn, { once: true });
  await emu.done;
  const wall_s = (performance.now() - wall0) / 1000; // the run, not the port's drain on closing
  await emu.stop();
  process.off('SIGINT', stopOn);
  process.off('SIGTERM', stopOn);
  const s = emu.device.session.counters;
  const l = emu.device.link.counters;
  process.stderr.write(
    `natrium emulate: stopped at ${(emu.device.time_ms / 1000).toFixed(1)} s device time; ` +
      `${l.framesSent} frames (${l.bytesSent} bytes) sent, ${l.framesDropped} dropped (queue full); ` +
      `${s.commands} commands, ${s.acks} ACK, ${s.nacks} NACK${emu.model.ended ? '; scenario ended' : ''}` +
      (emu.end instanceof MockDevicePort && emu.end.unheardBytes > 0 ? `; ${emu.end.unheardBytes} bytes unheard (no host had the mock open)` : '') +
      '\n',
  );
  // a device slower than the speed asked: every tick still runs, later than due (realtime.ts);
  // said when it ended a quarter of a second or more behind the wall clock at under 90 % of the speed
  const behind_s = emu.realtime === null ? 0 : emu.realtime.lag_ms / (speed as number) / 1000;
  const ran = emu.device.time_ms / 1000 / wall_s;
  if (behind_s >= 0.25 && ran < 0.9 * (speed as number)) {
    process.stderr.write(
      `natrium emulate: ran at ${Math.round(ran)}× real time, not the ${speed}× asked: ` +
        `this machine could not keep up (device time ${Math.round(emu.realtime!.lag_ms / 1000)} s behind the wall clock)\n`,
    );
  }
  if (l.framesDropped > 0) process.stderr.write(`natrium emulate: ${dropHint(emu, speed, baudRate, wall_s)}\n`);
  if (portFailure !== null) {
    process.stderr.write(`natrium emulate: ${emu.path}: ${portFailure}\n`);
    return 1;
  }
  return 0;
}

/** Why frames were dropped, and what to change: the port held the line, or the line is too slow. */
function dropHint(emu: Emulator, speed: number | 'max', baudRate: number, wall_s: number): string {
  const held_s = emu.device.held_ms / 1000;
  if (held_s > 0) {
    const mb_s = emu.device.link.counters.bytesSent / 1e6 / wall_s;
    return (
      `the port took bytes slower than the device made them, so the line was held for ${held_s.toFixed(1)} s of device time ` +
      `(${mb_s.toFixed(1)} MB/s went through at ${speed}× real time); a lower --speed, or --speed max (which waits for the port), drops nothing`
    );
  }
  return `the telemetry rates need more than ${baudRate} baud can carry; a higher --baud drops nothing`;
}
