/**
 * Node edge of the analyser: reads a capture (raw wire bytes) or a natrium sim trace (CSV) from
 * a file or stdin into a Timeline, streaming 1 MiB at a time so a capture larger than memory
 * still fits its columns. Which reader is used is decided by content, not by file name: a trace
 * starts with its `# natrium-trace/` line or its `time_s,` header (sim/trace.ts).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { DecoderCounters } from '../../protocol/decoder.ts';
import { pauseForPipe, wouldBlock } from '../../protocol/node/stdio.ts';
import { InputError } from '../../sim/errors.ts';
import type { InputMeta } from '../analyze.ts';
import { TimelineBuilder } from '../timeline/ingest.ts';
import type { Timeline } from '../timeline/store.ts';
import { HINT_BYTES, TraceError, TraceReader, looksLikeTrace, notCaptureHint } from '../timeline/trace.ts';

const CHUNK = 1 << 20;

export interface LoadedInput {
  timeline: Timeline;
  counters: DecoderCounters | null;
  lateFrames: number;
  seqLost: number;
  meta: InputMeta;
  /** The trace's meta line (scenario, chemistry, ns, np…), null for captures. */
  traceMeta: TraceReader['meta'] | null;
}

/** Throws the InputError (exit 2) for a file that cannot be opened or read. */
export function fail(path: string, e: unknown): never {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  throw new InputError(path, '(file)', code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`);
}

/** A regular file's size (the store is then sized from it), else 0 (a pipe, a terminal). */
function fileSize(fd: number): number {
  try {
    const st = fstatSync(fd);
    return st.isFile() ? st.size : 0;
  } catch {
    return 0;
  }
}

/**
 * Reads a file descriptor a chunk at a time into `onChunk` (the chunk is reused: valid during the
 * call), to its end or until `stop()` says so.
 */
export function pump(path: string, fd: number, onChunk: (b: Uint8Array) => void, stop?: () => boolean): void {
  const buf = new Uint8Array(CHUNK);
  while (stop?.() !== true) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, CHUNK, null);
    } catch (e) {
      if (wouldBlock(e)) {
        pauseForPipe(); // a non-blocking stdin with nothing yet (it spun on the CPU before)
        continue;
      }
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      fail(path, e);
    }
    if (n === 0) break;
    onChunk(buf.subarray(0, n));
  }
}

/**
 * A capture with no frame in its first this many bytes is not a capture (a real one has its first
 * frame within a few hundred bytes): reading stops instead of running on (`analyze /dev/zero`).
 */
export const NO_FRAME_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Loads a capture or trace from `path` ("-" = stdin). Throws InputError (exit 2) on a bad file.
 * A capture in a regular file fills a store sized from the file's size (TimelineBuilder's
 * `expectedBytes`) instead of one that doubles (`natrium analyze` of a 24 h capture: a median
 * 4.1 instead of 5.8 s wall over four interleaved runs, peak RSS 0.74 instead of 1.03–1.25 GB).
 */
export function loadInput(path: string, onProgress?: (bytes: number) => void): LoadedInput {
  let fd: number;
  const stdin = path === '-';
  try {
    fd = stdin ? 0 : openSync(path, 'r');
  } catch (e) {
    fail(path, e);
  }
  const name = stdin ? '-' : path;
  let bytes = 0;
  let kind: 'capture' | 'trace' | null = null;
  let builder: TimelineBuilder | null = null;
  let trace: TraceReader | null = null;
  const text = new TextDecoder('utf-8');
  /** The input's first bytes, kept for the error of an input with no frame. */
  let head: Uint8Array = new Uint8Array(0);
  const notCapture = (): string => notCaptureHint(head, 'not a capture or a natrium trace?');
  try {
    pump(name, fd, (chunk) => {
      if (kind === null) {
        head = chunk.slice(0, HINT_BYTES);
        kind = looksLikeTrace(chunk) ? 'trace' : 'capture';
        if (kind === 'trace') trace = new TraceReader();
        else builder = new TimelineBuilder({ expectedBytes: fileSize(fd) });
      }
      bytes += chunk.length;
      if (builder) {
        builder.push(chunk);
        if (bytes > NO_FRAME_LIMIT_BYTES && builder.counters.frames === 0) {
          throw new InputError(name, '(file)', `no natrium frames in the first ${NO_FRAME_LIMIT_BYTES} bytes (${notCapture()})`);
        }
      } else trace!.push(text.decode(chunk, { stream: true }));
      onProgress?.(bytes);
    });
    if (kind === null) throw new InputError(name, '(file)', 'empty: no capture frames and no trace rows');
    if (builder) {
      const b = builder as TimelineBuilder;
      b.finish();
      if (b.counters.frames === 0) {
        throw new InputError(name, '(file)', `no natrium frames in ${bytes} bytes (${notCapture()})`);
      }
      return {
        timeline: b.timeline,
        counters: { ...b.counters },
        lateFrames: b.assembler.lateFrames,
        seqLost: b.assembler.seqLost,
        meta: { name, kind: 'capture', bytes },
        traceMeta: null,
      };
    }
    const t = trace as unknown as TraceReader;
    t.push(text.decode());
    t.finish();
    return { timeline: t.timeline, counters: null, lateFrames: 0, seqLost: 0, meta: { name, kind: 'trace', bytes }, traceMeta: t.meta };
  } catch (e) {
    if (e instanceof TraceError) throw new InputError(name, `line ${e.line}: column ${e.column}`, e.problem);
    throw e;
  } finally {
    if (!stdin) closeSync(fd);
  }
}
