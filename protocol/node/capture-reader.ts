/**
 * Reading capture files: streamed through the Decoder in 1 MiB chunks (a capture may be larger
 * than memory), with the same end rules as decodeCapture: a last frame without its 0x00 is
 * accepted if whole, otherwise counted in `incompleteBytes`, never an error. `readCapture` yields
 * messages (decode, analyze); `captureRuns` yields every byte with its frame's time (replay).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Decoder, type DecoderCounters, type DecoderOptions } from '../decoder.ts';
import type { Decoded } from '../messages.ts';
import { pauseForPipe, wouldBlock } from './stdio.ts';

/** The file could not be opened or read; `code` is the system error code (ENOENT, EISDIR, ...). */
export class CaptureFileError extends Error {
  readonly captureFile = true;
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`}`);
  }
}

const CHUNK = 1 << 20;

/**
 * The file's bytes in chunks of up to `chunkSize` (the buffer is reused: copy what you keep);
 * "-" reads stdin (a pipe: `natrium cut … --out - | natrium decode -`). CaptureFileError when it
 * cannot be opened or read. The one place captures are read from disk.
 */
function* captureChunks(path: string, chunkSize = CHUNK): Generator<Uint8Array> {
  const stdin = path === '-';
  let fd: number;
  try {
    fd = stdin ? 0 : openSync(path, 'r');
  } catch (e) {
    throw new CaptureFileError(path, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  try {
    const buf = new Uint8Array(chunkSize);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, chunkSize, null);
      } catch (e) {
        if (wouldBlock(e)) {
          pauseForPipe(); // a non-blocking stdin with nothing yet
          continue;
        }
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EOF') return;
        throw new CaptureFileError(path, code ?? String(e));
      }
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    if (!stdin) closeSync(fd);
  }
}

/** Decodes the capture at `path`, calling `onMessage` for each message; returns the counters. */
export function readCapture(path: string, onMessage: (m: Decoded) => void, options: Omit<DecoderOptions, 'onMessage'> = {}): DecoderCounters {
  const chunks = captureChunks(path);
  const first = chunks.next(); // opens the file before a decoder is made
  const d = new Decoder({ ...options, onMessage });
  for (let c = first; !c.done; c = chunks.next()) d.push(c.value);
  d.finish();
  return d.counters;
}

/** A run of a capture: its bytes up to and including a 0x00 (or the cut tail), and the time of the frame it holds. */
export interface CaptureRun {
  bytes: Uint8Array;
  /** t_ms of the frame in the run (valid, or skipped as unknown / duplicate / bad payload); null: none. */
  t_ms: number | null;
}

/**
 * The capture at `path` as runs, every byte of the file in order exactly once (what a replay
 * sends), each with its frame's device time, decoded by the same rules as readCapture
 * (duplicates kept). The file is opened at the first `next()`.
 */
export function* captureRuns(path: string, chunkSize = CHUNK): Generator<CaptureRun> {
  let t: number | null; // set by the decoder callbacks during each push
  const dec = new Decoder({
    dropDuplicates: false,
    onMessage: (m) => (t = m.t_ms),
    onSkip: (_type, _seq, t_ms) => (t = t_ms),
  });
  let carry: Uint8Array = new Uint8Array(0);
  for (const data of captureChunks(path, chunkSize)) {
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
    if (s < data.length) carry = concat(carry, data.subarray(s));
  }
  if (carry.length > 0) {
    t = null;
    dec.push(carry);
    dec.finish();
    yield { bytes: carry, t_ms: t };
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}
