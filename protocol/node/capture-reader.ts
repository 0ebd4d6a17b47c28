/**
 * Reading capture files: streamed through the Decoder in 1 MiB chunks (a capture may be larger
 * than memory), with the same end rules as decodeCapture: a last frame without its 0x00 is
 * accepted if whole, otherwise counted in `incompleteBytes`, never an error.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { Decoder, type DecoderCounters, type DecoderOptions } from '../decoder.ts';
import type { Decoded } from '../messages.ts';

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

/** Decodes the capture at `path`, calling `onMessage` for each message; returns the counters. */
export function readCapture(path: string, onMessage: (m: Decoded) => void, options: Omit<DecoderOptions, 'onMessage'> = {}): DecoderCounters {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new CaptureFileError(path, (e as NodeJS.ErrnoException).code ?? String(e));
  }
  try {
    const d = new Decoder({ ...options, onMessage });
    const buf = new Uint8Array(CHUNK);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, null);
      } catch (e) {
        throw new CaptureFileError(path, (e as NodeJS.ErrnoException).code ?? String(e));
      }
      if (n === 0) break;
      d.push(buf.subarray(0, n));
    }
    d.finish();
    return d.counters;
  } finally {
    closeSync(fd);
  }
}
