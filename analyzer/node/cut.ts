/**
 * `natrium cut` as a library call: the frames of a capture file (or stdin) inside a window of its
 * device time, written as a capture of their own (analyzer/timeline/cut.ts), streaming a chunk at
 * a time. The piece goes to a temporary file beside `out`, renamed into place when it is whole,
 * so a failed cut leaves no half-written file behind; "-" writes to stdout. Reading stops once no
 * later frame can fall inside the window.
 */
import { closeSync, fstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pauseForPipe, wouldBlock } from '../../protocol/node/stdio.ts';
import { InputError } from '../../sim/errors.ts';
import { CaptureCutter, type CutSummary } from '../timeline/cut.ts';
import { looksLikeTrace } from '../timeline/trace.ts';
import { NO_FRAME_LIMIT_BYTES, fail, pump } from './input.ts';

export interface CutFileResult extends CutSummary {
  /** Bytes of the input read. */
  bytesRead: number;
  /** The reader of stdout (`out` "-") closed it, as `| head` does: the cut stopped there. */
  outputClosed: boolean;
}

/** The reader of the output pipe went away. */
class OutputClosed extends Error {}

/** Bytes of the piece gathered per write. */
const OUT_BLOCK = 1 << 20;

/** Writes all of `b` to `fd`; a full non-blocking pipe (stdout read by a slower command) is waited for. */
function writeAll(fd: number, b: Uint8Array): void {
  for (let p = 0; p < b.length;) {
    try {
      p += writeSync(fd, b, p, b.length - p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') throw new OutputClosed();
      if (!wouldBlock(e)) throw e;
      pauseForPipe();
    }
  }
}

/** A time for a message: seconds with the clock's ms, no trailing zeros. */
export function seconds(t_s: number): string {
  return Number.isFinite(t_s) ? `${Number(t_s.toFixed(3))} s` : String(t_s);
}

/**
 * Cuts [from_s, to_s) out of the capture at `input` ("-" = stdin) into `out` ("-" = stdout).
 * Throws InputError (exit 2): an unreadable input, a sim trace, no frame at all, no frame in the
 * window (no output is written then), `out` being the input itself or unwritable.
 */
export function cutFile(input: string, out: string, window: { from_s: number; to_s: number }): CutFileResult {
  const stdin = input === '-';
  let fd: number;
  try {
    fd = stdin ? 0 : openSync(input, 'r');
  } catch (e) {
    fail(input, e);
  }
  let outFd = -1;
  let tmp: string | null = null;
  try {
    // a regular file (or a new one) is written beside and renamed; a device or a fifo is written as it is
    const direct = out === '-' ? false : !outputIsFile(fd, input, out);
    const openOut = (): number => {
      if (out === '-') return 1;
      const t = direct ? out : join(dirname(out), `.${basename(out)}.${process.pid}.part`);
      try {
        const o = openSync(t, 'w');
        if (!direct) tmp = t;
        return o;
      } catch (e) {
        throw new InputError(out, '(file)', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
    };
    const put = (b: Uint8Array): void => {
      if (outFd < 0) outFd = openOut();
      try {
        writeAll(outFd, b);
      } catch (e) {
        if (e instanceof OutputClosed) throw e;
        throw new InputError(out, '(file)', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
    };
    // the piece's bytes are gathered and written OUT_BLOCK at a time (a write per frame took 4/5 of the time)
    const block = new Uint8Array(OUT_BLOCK);
    let blockLen = 0;
    const flush = (): void => {
      if (blockLen > 0) put(block.subarray(0, blockLen));
      blockLen = 0;
    };
    const cutter = new CaptureCutter(window, (b) => {
      if (blockLen + b.length > OUT_BLOCK) flush();
      if (b.length > OUT_BLOCK)
        put(b); // a run longer than a block (line noise)
      else {
        block.set(b, blockLen);
        blockLen += b.length;
      }
    });
    let bytesRead = 0;
    let s: CutSummary;
    try {
      pump(
        input,
        fd,
        (chunk) => {
          if (bytesRead === 0 && looksLikeTrace(chunk))
            throw new InputError(
              input,
              '(file)',
              'is a natrium sim trace, not a capture: cut takes captures (a trace is CSV: keep the rows you want by time_s)',
            );
          bytesRead += chunk.length;
          cutter.push(chunk);
          if (bytesRead > NO_FRAME_LIMIT_BYTES && cutter.framesRead === 0) {
            throw new InputError(input, '(file)', `no natrium frames in the first ${NO_FRAME_LIMIT_BYTES} bytes (not a capture?)`);
          }
        },
        () => cutter.done,
      );
      s = cutter.finish();
      flush();
    } catch (e) {
      if (e instanceof OutputClosed) return { ...cutter.finish(), bytesRead, outputClosed: true };
      throw e;
    }
    if (s.framesRead === 0)
      throw new InputError(input, '(file)', bytesRead === 0 ? 'empty: no capture frames' : `no natrium frames in ${bytesRead} bytes (not a capture?)`);
    if (s.frames === 0) {
      const edge = (t: number, end: string): string => (Number.isFinite(t) ? seconds(t) : end);
      const span = s.stoppedEarly ? `none from its start up to ${seconds(s.end_s)}, where reading stopped` : `its frames run up to ${seconds(s.end_s)}`;
      throw new InputError(
        input,
        '(window)',
        `no frame in [${edge(window.from_s, 'the start')}, ${edge(window.to_s, 'the end')}) (${span}; times are s from the capture's first frame, as in its report)`,
      );
    }
    if (tmp !== null) {
      closeSync(outFd);
      outFd = -1;
      renameSync(tmp, out);
      tmp = null;
    }
    return { ...s, bytesRead, outputClosed: false };
  } finally {
    if (outFd > 1) closeSync(outFd);
    if (tmp !== null) {
      try {
        unlinkSync(tmp);
      } catch {
        // gone already
      }
    }
    if (!stdin) closeSync(fd);
  }
}

/**
 * True when `out` is a regular file or not there yet; false for a device or a fifo (/dev/null,
 * /dev/stdout). Refuses the input itself (under any name) and a directory.
 */
function outputIsFile(fd: number, input: string, out: string): boolean {
  let o;
  try {
    o = statSync(out);
  } catch {
    return true; // not there yet
  }
  if (o.isDirectory()) throw new InputError(out, '(file)', 'is a directory');
  if (!o.isFile()) return false;
  const i = fstatSync(fd); // stdin too: `cut - < cap.bin --out cap.bin`
  if (o.ino === i.ino && o.dev === i.dev)
    throw new InputError(out, '(file)', `is the input capture${input === '-' ? ' (stdin)' : ` ${input}`}: write the piece to another file`);
  return true;
}
