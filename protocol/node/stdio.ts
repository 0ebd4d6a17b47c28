/**
 * Synchronous reads and writes on stdin and stdout: when they are pipes, Node may have made them
 * non-blocking, so a read with nothing there yet, or a write with no room in the pipe, fails with
 * EAGAIN instead of waiting. The readers and writers that use readSync / writeSync on them wait a
 * little and try again.
 */
const CELL = new Int32Array(new SharedArrayBuffer(4));

/** True for the error a non-blocking descriptor gives when it would have to wait. */
export function wouldBlock(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'EAGAIN';
}

/** Waits 1 ms (blocking the thread, not spinning) before the read or write is tried again. */
export function pauseForPipe(): void {
  Atomics.wait(CELL, 0, 0, 1);
}
