/**
 * Runs an EmulatedDevice as fast as the machine allows, without starving the rest of the
 * program: device time advances in chunks (`chunk_ms` of device time each), and between chunks
 * the loop yields to the event loop, so that whatever reads the device's output in the same
 * process (a host on the in-process mock port, protocol/node/mock-port.ts; a viewer) gets to
 * run. `blocked()` is the flow control: while it returns true no further chunk starts (the
 * reader has not caught up), so nothing is lost for want of a reader; the line's own pacing
 * (the device's baud rate, protocol/link.ts) still applies within device time.
 *
 * Isomorphic (no Node APIs): the yield is a macrotask, `setImmediate` where the runtime has it
 * (Node: it runs after pending I/O, and timers get their turn every loop), else a MessageChannel
 * message (browsers: one task each), else `setTimeout(0)`. In Node a MessageChannel would not
 * do: a port delivers up to a thousand chained messages before the loop moves on.
 *
 * The real-time counterpart, against the wall clock, is protocol/node/realtime.ts.
 */
import type { EmulatedDevice } from '../protocol/device.ts';

export interface FastRunOptions {
  /** Stop at this device time, ms (Infinity: until `signal` or `stopWhen` stops the run). */
  until_ms: number;
  /** Device time run between two yields, ms (default DEFAULT_CHUNK_MS). */
  chunk_ms?: number;
  /** While this returns true no further chunk starts (polled every BLOCKED_POLL_MS of wall time). */
  blocked?: () => boolean;
  /** Called after each chunk with the device time reached, ms. */
  onAdvance?: (t_ms: number) => void;
  /** Stops the run (the promise resolves) at the next yield. */
  signal?: AbortSignal;
  /** Checked before each chunk; true stops the run. */
  stopWhen?: () => boolean;
}

/** Default device time per chunk, ms (a hundred 10 ms device ticks). */
export const DEFAULT_CHUNK_MS = 1000;
/** Wall time between two looks at a blocked reader, ms. */
export const BLOCKED_POLL_MS = 1;

/**
 * Advances `device` to `until_ms` (the last whole tick at or before it) in chunks, yielding
 * between them. Resolves when the time is reached, `stopWhen()` returns true or `signal` aborts;
 * rejects with whatever the device throws.
 */
export async function runAsFastAsPossible(device: EmulatedDevice, opts: FastRunOptions): Promise<void> {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`"opts" must be an object: ${String(opts)}`);
  const { until_ms, chunk_ms = DEFAULT_CHUNK_MS, blocked, onAdvance, signal, stopWhen } = opts;
  if (typeof until_ms !== 'number' || !(until_ms >= 0)) throw new TypeError(`"until_ms" must be a number >= 0: ${String(until_ms)}`);
  if (typeof chunk_ms !== 'number' || !(chunk_ms > 0) || !Number.isFinite(chunk_ms)) {
    throw new TypeError(`"chunk_ms" must be a positive number: ${String(chunk_ms)}`);
  }
  const turn = yielder();
  try {
    for (;;) {
      if (signal?.aborted || device.time_ms + device.tick_ms > until_ms + 1e-9 || stopWhen?.()) return;
      while (blocked?.()) {
        await sleep(BLOCKED_POLL_MS);
        if (signal?.aborted) return;
      }
      device.advanceTo(Math.min(until_ms, device.time_ms + chunk_ms));
      onAdvance?.(device.time_ms);
      await turn.next();
    }
  } finally {
    turn.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Yielder {
  /** Resolves at the next macrotask. */
  next(): Promise<void>;
  close(): void;
}

/** The cheapest macrotask the runtime offers (see the file comment). */
function yielder(): Yielder {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') {
    return { next: () => new Promise<void>((resolve) => void immediate(resolve)), close() {} };
  }
  if (typeof globalThis.MessageChannel === 'function') {
    const ch = new MessageChannel();
    let pending: (() => void) | null = null;
    ch.port1.onmessage = () => {
      const r = pending;
      pending = null;
      r?.();
    };
    return {
      next: () =>
        new Promise<void>((resolve) => {
          pending = resolve;
          ch.port2.postMessage(null);
        }),
      close() {
        ch.port1.close();
        ch.port2.close();
      },
    };
  }
  return { next: () => sleep(0), close() {} };
}
