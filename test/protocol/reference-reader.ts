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

/**
 * Classifies every run ended by a 0x00 of `bytes` (the bytes after the last 0x00 are left out).
 * The run before the first 0x00 counts as a frame if it is one; otherwise it is pre-sync and
 * counts as nothing (PROTOCOL.md section 7, last paragraph).
 */
export function classifyRuns(bytes: Uint8Array): RunCounts {
  const c: RunCounts = { frames: 0, crcErrors: 0, cobsErrors: 0, shortFrames: 0, badVersions: 0, oversizeRuns: 0 };
  let s = 0;
  for (let z = bytes.indexOf(0); z >= 0; s = z + 1, z = bytes.indexOf(0, s)) {
    const why = classify(bytes.subarray(s, z));
    if (why === 'frames' || (why !== null && s > 0)) c[why]++;
  }
  return c;
}

/** What one run (no 0x00 in it) is: a frame, a kind of bad run, or null for an empty run. */
function classify(run: Uint8Array): keyof RunCounts | null {
  if (run.length === 0) return null; // rule 1
  if (run.length > MAX_ENCODED_FRAME_SIZE) return 'oversizeRuns'; // rule 2
  const f = new Uint8Array(run.length);
  const n = cobsDecode(run, f);
  if (n === COBS_ERROR) return 'cobsErrors'; // rule 3
  if (n < MIN_FRAME_SIZE) return 'shortFrames'; // rule 4
  if (n > MAX_FRAME_SIZE) return 'oversizeRuns';
  if (crc32cBytewise(f, 0, n - 4) !== new DataView(f.buffer).getUint32(n - 4, true)) return 'crcErrors'; // rule 5
  if (f[0] !== PROTOCOL_VERSION) return 'badVersions'; // rule 6
  return 'frames';
}
