/**
 * Capture files (PROTOCOL.md section 14) are the raw bytes as they came off the wire. The writer
 * appends each chunk as it arrives with fs.writeSync on a descriptor opened with 'a', so once
 * `write` returns the bytes are the operating system's: a process killed with SIGKILL loses at
 * most what it had not yet passed to `write`, and decodeCapture recovers every complete frame
 * before that (a frame cut short at the end is counted, not an error). No user-space buffer.
 * `fsync` (optional) also survives a machine crash, at a large cost per chunk.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

export interface CaptureWriterOptions {
  /** Start a new file instead of appending (default false: append). */
  truncate?: boolean;
  /** fsync after every chunk (default false). */
  fsync?: boolean;
}

export class CaptureWriter {
  /** Bytes written by this writer. */
  bytesWritten = 0;
  private fd: number | null;
  private readonly sync: boolean;

  constructor(
    readonly path: string,
    options: CaptureWriterOptions = {},
  ) {
    if (typeof path !== 'string' || path === '') throw new TypeError(`"path" must be a non-empty string: ${String(path)}`);
    const { truncate = false, fsync = false } = options;
    this.fd = openSync(path, truncate ? 'w' : 'a');
    this.sync = fsync;
  }

  /** Appends `bytes` (all of them, before returning). */
  write(bytes: Uint8Array): void {
    const fd = this.fd;
    if (fd === null) throw new Error(`capture "${this.path}" is closed`);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    this.bytesWritten += bytes.length;
    if (this.sync) fsyncSync(fd);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
