/** A buffered CSV file writer for traces (Node-only edge). */
import { closeSync, openSync, writeSync } from 'node:fs';
import { InputError } from '../sim/errors.ts';

export class CsvWriter {
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;

  constructor(readonly path: string, header: string[]) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new InputError(path, '(output)', `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    this.line(header.join(','));
  }

  line(s: string): void {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Fixed decimals without trailing noise; -0 prints as 0. */
export function fx(x: number, d: number): string {
  const s = x.toFixed(d);
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}
