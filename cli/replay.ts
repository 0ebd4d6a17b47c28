/**
 * natrium replay CAPTURE --port PATH [--speed X] [--baud N]
 *
 * Re-emits a capture on a serial port (or pty end) with its device timing: the bytes of each
 * frame go out when the frame's t_ms (unwrapped, PROTOCOL.md section 6), relative to the first
 * frame's, has passed on the wall clock divided by --speed. Every byte of the file is sent, in
 * order, unchanged (bytes that are not a valid frame go out with the frame before them, a cut
 * tail at the end), so what a reader records equals the capture.
 */
import { DeviceClock } from '../protocol/clock.ts';
import { CaptureFileError, captureRuns, type CaptureRun } from '../protocol/node/capture-reader.ts';
import { openSerialPort, portDeviceEnd, type DeviceEnd } from '../protocol/node/serial.ts';
import { InputError } from '../sim/errors.ts';
import { UsageError, num, parse } from './args.ts';

const USAGE = `usage: natrium replay CAPTURE --port PATH [--speed X] [--baud N]

Sends a capture file's bytes on a serial port with the timing of its frames (t_ms), --speed
times faster than recorded (default 1).`;

export interface ReplayMainOptions {
  /** Open the device end some other way (e.g. createMockDevice) instead of a serial port. */
  openEnd?: (path: string, baudRate: number) => Promise<DeviceEnd>;
  signal?: AbortSignal;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function main(argv: string[], opts: ReplayMainOptions = {}): Promise<number> {
  const { values, positionals } = parse(argv, { port: { type: 'string' }, speed: { type: 'string' }, baud: { type: 'string' } }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one CAPTURE file, got ${positionals.length}\n${USAGE}`);
  const path = values.port as string | undefined;
  if (path === undefined) throw new UsageError(`missing --port PATH\n${USAGE}`);
  const speed = num('speed', values.speed as string | undefined, 1, { gt: 0 });
  const baudRate = num('baud', values.baud as string | undefined, 115200, { integer: true, min: 1 });
  const file = positionals[0]!;
  const runs = captureRuns(file);
  const next = (): IteratorResult<CaptureRun> => {
    try {
      return runs.next();
    } catch (e) {
      if (e instanceof CaptureFileError) throw new InputError(file, '(file)', e.message.slice(file.length + 2));
      throw e;
    }
  };
  const first = next(); // opens the file: a missing capture fails before the port is touched

  let end: DeviceEnd;
  try {
    end = opts.openEnd ? await opts.openEnd(path, baudRate) : portDeviceEnd(await openSerialPort(path, baudRate));
  } catch (e) {
    throw new UsageError(`--port ${path}: ${(e as Error).message.replace(/^Error: /, '')}`);
  }
  let aborted = false;
  const abort = (): void => void (aborted = true);
  // the port failing (the device end gone) stops the replay with exit code 1
  let portFailure: string | null = null;
  end.onError = (e) => {
    portFailure ??= e.message;
    aborted = true;
  };
  opts.signal?.addEventListener('abort', abort, { once: true });
  process.once('SIGINT', abort);

  const clock = new DeviceClock();
  const start = performance.now();
  let origin = NaN;
  let due = 0; // wall ms after start
  let bytes = 0;
  let frames = 0;
  let batch: Uint8Array[] = [];
  const flush = async (): Promise<void> => {
    for (const b of batch) end.write(b);
    batch = [];
    while (end.blocked() && !aborted) await sleep(5);
  };
  for (let r = first; !r.done && !aborted; r = next()) {
    const run = r.value;
    if (run.t_ms !== null) {
      const t = clock.unwrap(run.t_ms);
      if (Number.isNaN(origin)) origin = t;
      due = Math.max(due, (t - origin) / speed);
      frames++;
    }
    const wait = start + due - performance.now();
    if (wait > 2) {
      await flush();
      const w = start + due - performance.now();
      if (w > 0) await sleep(w);
    }
    batch.push(run.bytes);
    bytes += run.bytes.length;
  }
  await flush();
  process.off('SIGINT', abort);
  await end.close();
  process.stderr.write(
    `natrium replay: ${bytes} bytes, ${frames} frames in ${((performance.now() - start) / 1000).toFixed(2)} s${aborted ? ' (stopped)' : ''}\n`,
  );
  if (portFailure !== null) {
    process.stderr.write(`natrium replay: ${path}: ${portFailure}\n`);
    return 1;
  }
  return 0;
}
