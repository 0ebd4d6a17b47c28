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
 *
 * A capture that would not fit stops early rather than filling the disk first: once
 * FREE_CHECK_BYTES are written, the bytes per device second so far, times the device time still
 * to run, are compared with the space free on the file's file system (the default scenario at
 * the longest --duration allowed, 10⁸ s at 5.8 kB per device second, would be ~640 GB: refused
 * after its first MB instead of failing once the disk is full).
 */
import { closeSync, fstatSync, openSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../../sim/errors.ts';
import type { Scenario } from '../../sim/scenario.ts';
import { type CaptureOptions, type CaptureSummary, captureScenario } from '../capture.ts';

export interface CaptureFileOptions extends Omit<CaptureOptions, 'out'> {
  /** Bytes free for the file in directory `dir` (default: statfs of it; tests). */
  freeBytes?: (dir: string) => number;
}

/** Bytes gathered before each write to the file. */
export const WRITE_CHUNK_BYTES = 1 << 20;
/** Bytes written before the rest of the capture is projected and compared with the free space. */
export const FREE_CHECK_BYTES = 1 << 20;
/** Room kept for the projection's error (the rate may rise later in a scenario). */
const FREE_CHECK_MARGIN = 1.1;

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
  let written = 0;
  const flush = (bytes: Uint8Array): void => {
    try {
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      throw fileError(path, e); // e.g. ENOSPC
    }
    written += bytes.length;
  };
  const { freeBytes = freeBytesOf, ...capture } = opts;
  let checked = !regular;
  const onProgress = (t_s: number, total_s: number | null): void => {
    if (!checked && written + used >= FREE_CHECK_BYTES && t_s > 0 && total_s !== null) {
      checked = true;
      const sofar = written + used;
      const rest = (sofar / t_s) * Math.max(total_s - t_s, 0) * FREE_CHECK_MARGIN;
      const free = freeBytes(dirname(path));
      if (rest > free) {
        const rate = sofar / t_s;
        throw new InputError(
          path,
          '(file)',
          `the capture would take about ${size(sofar + rest)} (${size(rate)} per device second for ${Math.round(total_s)} s), ` +
            `more than the ${size(free)} free there: give a shorter duration`,
        );
      }
    }
    capture.onProgress?.(t_s, total_s);
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
    const summary = captureScenario(scenario, { ...capture, out, onProgress });
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

/** Bytes available to an unprivileged writer in `dir`'s file system (Infinity when unknown). */
function freeBytesOf(dir: string): number {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return Infinity;
  }
}

/** "27.3 GB", "5.9 kB": decimal units, three significant digits. */
function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(v) : v.toPrecision(3)} ${units[u]}`;
}
