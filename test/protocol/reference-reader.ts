/**
 * A reader written straight from PROTOCOL.md section 7, one run at a time, with the plain COBS
 * decoder and the byte-wise CRC: slow and obvious, the reference the streaming Decoder's
 * classification of bad runs is checked against.
 */
import { COBS_ERROR, cobsDecode } from '../../protocol/cobs.ts';
import { crc32cBytewise } from '../../protocol/crc.ts';
import { MAX_ENCODED_FRAME_SIZE, MAX_FRAME_SIZE, MIN_FRAME_SIZE, PROTOCOL_VERSION } from '../../protocol/messages.ts';

export interface RunCounts {
  frames: number;
  crcErrors: number;
  cobsErrors: number;
  shortFrames: number;
  badVersions: number;
  oversizeRuns: number;
}

/** Classifies every run between two 0x00 of `bytes` (the runs before the first 0x00 and after the last are left out). */
export function classifyRuns(bytes: Uint8Array): RunCounts {
  const c: RunCounts = { frames: 0, crcErrors: 0, cobsErrors: 0, shortFrames: 0, badVersions: 0, oversizeRuns: 0 };
  const first = bytes.indexOf(0);
  if (first < 0) return c;
  let s = first + 1;
  for (let z = bytes.indexOf(0, s); z >= 0; s = z + 1, z = bytes.indexOf(0, s)) {
    const run = bytes.subarray(s, z);
    if (run.length === 0) continue; // rule 1
    if (run.length > MAX_ENCODED_FRAME_SIZE) {
      c.oversizeRuns++; // rule 2
      continue;
    }
    const f = new Uint8Array(run.length);
    const n = cobsDecode(run, f);
    if (n === COBS_ERROR) c.cobsErrors++; // rule 3
    else if (n < MIN_FRAME_SIZE) c.shortFrames++; // rule 4
    else if (n > MAX_FRAME_SIZE) c.oversizeRuns++;
    else if (crc32cBytewise(f, 0, n - 4) !== new DataView(f.buffer).getUint32(n - 4, true)) c.crcErrors++; // rule 5
    else if (f[0] !== PROTOCOL_VERSION) c.badVersions++; // rule 6
    else c.frames++;
  }
  return c;
}
