/**
 * A capture (device/capture.ts) written to a file: the raw wire bytes (PROTOCOL.md section 14),
 * so `natrium decode`, the analyser and `natrium replay` read it like one recorded from a port.
 *
 * The bytes go through a user-space buffer of WRITE_CHUNK_BYTES written with fs.writeSync when
 * full (a device tick emits a few hundred bytes; one system call each would cost more than the
 * simulation), and the rest at the end: the file is complete when `captureToFile` returns. This
 * is not the crash-safe writer of protocol/node/capture-writer.ts: a capture that fails part-way
 * is removed, never left half-written, and so is the file when it cannot be opened or written
 * (InputError naming it; the CLI prints one line and exits with code 2). Only a regular file is
 * removed: a device given as the output (/dev/full, /dev/null) is never unlinked.
 */
import { closeSync, fstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { InputError } from '../../sim/errors.ts';
import type { Scenario } from '../../sim/scenario.ts';
import { type CaptureOptions, type CaptureSummary, captureScenario } from '../capture.ts';

export type CaptureFileOptions = Omit<CaptureOptions, 'out'>;

/** Bytes gathered before each write to the file. */
export const WRITE_CHUNK_BYTES = 1 << 20;

/** Runs `scenario` into a new capture file at `path` (replacing one that is there). */
export function captureToFile(path: string, scenario: Scenario, opts: CaptureFileOptions = {}): CaptureSummary {
  if (typeof path !== 'string' || path === '') throw new TypeError(`"path" must be a non-empty string: ${String(path)}`);
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw fileError(path, e);
  }
  const regular = fstatSync(fd).isFile();
  const buf = new Uint8Array(WRITE_CHUNK_BYTES);
  let used = 0;
  const flush = (bytes: Uint8Array): void => {
    try {
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      throw fileError(path, e); // e.g. ENOSPC
    }
  };
  const out = (bytes: Uint8Array): void => {
    if (used + bytes.length > buf.length) {
      flush(buf.subarray(0, used));
      used = 0;
      if (bytes.length > buf.length) {
        flush(bytes);
        return;
      }
    }
    buf.set(bytes, used);
    used += bytes.length;
  };
  try {
    const summary = captureScenario(scenario, { ...opts, out });
    flush(buf.subarray(0, used));
    closeSync(fd);
    return summary;
  } catch (e) {
    for (const undo of [() => closeSync(fd), () => regular && unlinkSync(path)]) {
      try {
        undo();
      } catch {
        // best effort: the error that matters is e
      }
    }
    throw e;
  }
}

function fileError(path: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  const problem =
    code === 'ENOENT'
      ? 'no such directory'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : `cannot write: ${code ?? String(e)}`;
  return new InputError(path, '(file)', problem);
}
