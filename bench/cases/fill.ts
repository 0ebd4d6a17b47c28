/**
 * decode-fill: decode throughput of the filler a capture may carry besides frames, on both of
 * the decoder's paths (the WebAssembly frame scanner, the JavaScript path):
 *
 * - `idle_*`: FILL_MB of 0x00. PROTOCOL.md section 3 lets a sender send 0x00 at any time (idle
 *   fill; each is an empty run, ignored), a UART line held low reads as 0x00, and a logger that
 *   preallocates its file leaves the unwritten rest zero.
 * - `ff_*`: FILL_MB of 0xFF (an erased flash page, a line held high): one run far past the
 *   largest frame, dropped up to the next 0x00.
 * - `padded_*`: a four-hour capture of the decode-24h telemetry with two 0x00 after every frame
 *   instead of one (a sender that idles between frames); `plain_*` the same capture as it is.
 *
 * Each is decoded REPS times in 64 KiB chunks through `Decoder.push` (`reuse: true`); medians.
 * Env: FILL_BENCH_MB (default 256), FILL_BENCH_REPS (default 5).
 */
import type { BenchCase } from '../case.ts';
import { median } from '../case.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { buildCapture, envInt } from './decode.ts';

const CHUNK = 1 << 16;
const PADDED_HOURS = 4;

export const cases: BenchCase[] = [
  {
    name: 'decode-fill',
    run() {
      const mb = envInt('FILL_BENCH_MB', 256);
      const reps = envInt('FILL_BENCH_REPS', 5);
      const idle = new Uint8Array(mb * 1e6);
      const ff = new Uint8Array(mb * 1e6).fill(0xff);
      const capture = buildCapture(PADDED_HOURS);
      let frameCount = 0;
      for (const b of capture) if (b === 0) frameCount++;
      const padded = new Uint8Array(capture.length + frameCount);
      for (let i = 0, o = 0; i < capture.length; i++) {
        padded[o++] = capture[i]!;
        if (capture[i] === 0) o++; // a second 0x00 (the array is zero)
      }
      let messages = 0;
      const decodeOnce = (bytes: Uint8Array, engine: 'auto' | 'js'): number => {
        const dec = new Decoder({ reuse: true, engine, onMessage: () => void messages++ });
        const t0 = performance.now();
        for (let p = 0; p < bytes.length; p += CHUNK) dec.push(bytes.subarray(p, p + CHUNK));
        dec.finish();
        return (performance.now() - t0) / 1000;
      };
      const out: Record<string, number> = {};
      for (const [name, bytes] of [
        ['idle', idle],
        ['ff', ff],
        ['padded', padded],
        ['plain', capture],
      ] as const) {
        for (const engine of ['auto', 'js'] as const) {
          const times: number[] = [];
          for (let r = 0; r < reps; r++) times.push(decodeOnce(bytes, engine));
          out[`${name}${engine === 'js' ? '_js' : ''}_mb_per_s`] = Math.round(bytes.length / 1e6 / median(times));
        }
      }
      return { ...out, fill_mb: mb, padded_mb: Math.round(padded.length / 1e5) / 10, messages: messages / (4 * reps), reps };
    },
  },
];
