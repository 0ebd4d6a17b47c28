/**
 * A buffered CSV file writer for traces (Node-only edge), with an output guard: more than
 * `maxRows` data rows or `maxBytes` bytes stop the run (InputError, exit 2) instead of filling
 * a disk. A write error (a full disk, /dev/full) names the file. `discard()` removes a file a
 * failed run left half-written.
 */
import { closeSync, fstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { InputError } from '../sim/errors.ts';

/** Default guard of `--max-rows` (sim traces and `sim cell`). */
export const DEFAULT_MAX_ROWS = 10_000_000;
/** Largest trace file written, bytes (4 GiB). */
export const MAX_OUTPUT_BYTES = 4 * 1024 ** 3;

export class CsvWriter {
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;
  private rows = 0;
  private bytes = 0;
  private closed = false;
  /** A regular file (only those are removed by discard(), never a device). */
  private readonly regular: boolean;

  /** `headerLines`: whole lines before the data rows (a meta line, the column names). */
  constructor(
    readonly path: string,
    headerLines: string[],
    private readonly maxRows = DEFAULT_MAX_ROWS,
    private readonly maxBytes = MAX_OUTPUT_BYTES,
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new InputError(path, '(output)', `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    this.regular = fstatSync(this.fd).isFile();
    for (const h of headerLines) this.buf.push(h);
  }

  line(s: string): void {
    if (++this.rows > this.maxRows) {
      throw new InputError(this.path, '(output)', `more than --max-rows ${this.maxRows} rows: raise --max-rows or record fewer (--every N)`);
    }
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    const text = this.buf.join('\n') + '\n';
    this.buf = [];
    this.size = 0;
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > this.maxBytes) throw new InputError(this.path, '(output)', `more than ${this.maxBytes} bytes: record fewer rows (--every N)`);
    try {
      writeSync(this.fd, text);
    } catch (e) {
      throw new InputError(this.path, '(output)', `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
  }

  /** Close and remove the file (a run that failed leaves no partial output). */
  discard(): void {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
    if (!this.regular) return; // a device such as /dev/full
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

/** Fixed decimals without trailing noise; -0 prints as 0. */
export function fx(x: number, d: number): string {
  const s = x.toFixed(d);
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}
