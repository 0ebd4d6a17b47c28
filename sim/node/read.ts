/**
 * Reading the simulator's input files (chemistry, scenario, vehicle, ambient, cycle, current
 * profile, BMS configuration): the one place in sim/ that reads user files (Node-only).
 *
 * A file larger than MAX_INPUT_BYTES is refused before it is read (a regular file by its size;
 * a device or pipe such as /dev/zero once that many bytes have arrived), so a wrong path cannot
 * exhaust memory. A leading UTF-8 byte order mark is dropped. Errors are InputErrors naming the file (one line,
 * exit code 2).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.ts';

/** Largest input file the simulator reads: 64 MiB (a 1 Hz current profile of a year is ~20 MB). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * The text of `path` (UTF-8), named `label` in errors. `notFound` is the problem reported for a
 * missing file (e.g. with the list of presets).
 */
export function readInputText(path: string, label = path, notFound = 'no such file', limit = MAX_INPUT_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(label, '(file)', code === 'ENOENT' ? notFound : `cannot read: ${code ?? String(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(label, '(file)', 'is a directory, expected a file');
    if (st.isFile() && st.size > limit) throw new InputError(label, '(file)', `${st.size} bytes, larger than the ${limit}-byte limit for input files`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(1 << 20);
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        throw new InputError(label, '(file)', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      if (n === 0) break;
      total += n;
      if (total > limit) throw new InputError(label, '(file)', `more than the ${limit}-byte limit for input files`);
      chunks.push(buf.subarray(0, n));
    }
    const text = Buffer.concat(chunks, total).toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte order mark
  } finally {
    closeSync(fd);
  }
}
