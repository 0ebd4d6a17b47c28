/**
 * Measures the CRC-32C implementations (`npx tsx test/protocol/crc-speed.ts`): slicing-by-8 with
 * byte loads (`crc32c`) and slicing-by-16 with DataView loads (`crc32cView`) against the one-table byte loop, over frame-sized buffers (216 B, a 100-cell CELL_VOLTAGES
 * frame) and a 64 KiB buffer. Median of 7 runs; prints MB/s.
 */
import { cpus } from 'node:os';
import { crc32c, crc32cBytewise, crc32cView } from '../../protocol/crc.ts';

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function measure(fn: (data: Uint8Array, start: number, end: number) => number, buf: Uint8Array, frameLen: number, totalBytes: number): number {
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    let done = 0;
    while (done < totalBytes) {
      for (let off = 0; off + frameLen <= buf.length; off += frameLen) sink ^= fn(buf, off, off + frameLen);
      done += buf.length - (buf.length % frameLen);
    }
    times.push((performance.now() - t0) / 1000);
    if (sink === 0.5) console.log(sink);
  }
  return totalBytes / 1e6 / medianOf(times);
}

let seed = 1;
const buf = new Uint8Array(1 << 16).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
const view = new DataView(buf.buffer);
const viaView = (_b: Uint8Array, s: number, e: number): number => crc32cView(view, s, e);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}`);
for (const len of [216, 65536]) {
  const s8 = measure(crc32c, buf, len, 200e6);
  const s8v = measure(viaView, buf, len, 200e6);
  const s1 = measure(crc32cBytewise, buf, len, 200e6);
  console.log(`${len} B: slicing-by-8 ${s8.toFixed(0)} MB/s, slicing-by-16 with DataView ${s8v.toFixed(0)} MB/s, bytewise ${s1.toFixed(0)} MB/s`);
}
