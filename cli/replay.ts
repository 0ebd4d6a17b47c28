/**
 * natrium replay CAPTURE --port PATH [--speed X] [--baud N]
 *
 * Re-emits a capture on a serial port (or pty end) with its device timing: the bytes of each
 * frame go out when the frame's t_ms (unwrapped, PROTOCOL.md section 6), relative to the first
 * frame's, has passed on the wall clock divided by --speed. Every byte of the file is sent, in
 * order, unchanged (bytes that are not a valid frame go out with the frame before them, a cut
 * tail at the end), so what a reader records equals the capture.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { DeviceClock } from '../protocol/clock.ts';
import { Decoder } from '../protocol/decoder.ts';
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

/** A run of the capture: bytes up to and including a 0x00 (or the tail), and its frame's time. */
interface Run {
  bytes: Uint8Array;
  t_ms: number | null;
}

/** Splits a capture into runs, each with the device time of the frame it holds (null: none). */
export function* captureRuns(path: string, chunkSize = 1 << 20): Generator<Run> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, '(file)', code === 'ENOENT' ? 'no such file' : `cannot read: ${code ?? String(e)}`);
  }
  let t: number | null = null;
  const dec = new Decoder({
    dropDuplicates: false,
    onMessage: (m) => (t = m.t_ms),
    onSkip: (_type, _seq, t_ms) => (t = t_ms),
  });
  try {
    const buf = new Uint8Array(chunkSize);
    let carry: Uint8Array = new Uint8Array(0);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, chunkSize, null);
      } catch (e) {
        throw new InputError(path, '(file)', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      if (n === 0) break;
      const data = buf.subarray(0, n);
      let s = 0;
      for (let z = data.indexOf(0); z >= 0; z = data.indexOf(0, s)) {
        const part = data.subarray(s, z + 1);
        const bytes = carry.length === 0 ? part.slice() : concat(carry, part);
        carry = new Uint8Array(0);
        t = null;
        dec.push(bytes);
        yield { bytes, t_ms: t };
        s = z + 1;
      }
      if (s < n) carry = concat(carry, data.subarray(s));
    }
    if (carry.length > 0) {
      t = null;
      dec.push(carry);
      dec.finish();
      yield { bytes: carry, t_ms: t };
    }
  } finally {
    closeSync(fd);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
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
  const first = runs.next(); // opens the file: a missing capture fails before the port is touched

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
  for (let r = first; !r.done && !aborted; r = runs.next()) {
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
  process.stderr.write(`natrium replay: ${bytes} bytes, ${frames} frames in ${((performance.now() - start) / 1000).toFixed(2)} s${aborted ? ' (stopped)' : ''}\n`);
  if (portFailure !== null) {
    process.stderr.write(`natrium replay: ${path}: ${portFailure}\n`);
    return 1;
  }
  return 0;
}
