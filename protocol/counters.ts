/**
 * What a reader of the wire counts (PROTOCOL.md section 7, reader rules): frames and messages
 * delivered, runs rejected and why, bytes dropped, sequence gaps. The Decoder keeps them; the
 * analyser's data quality checks, `natrium decode` and the capture summaries report them.
 */
export interface DecoderCounters {
  /** Frames that passed COBS, length, CRC and version checks (delivered or skipped). */
  frames: number;
  /** Messages delivered. */
  messages: number;
  /** Wire bytes (delimiters excluded) of the frames counted in `frames`. */
  frameBytes: number;
  crcErrors: number;
  cobsErrors: number;
  /** Runs that decoded to fewer than MIN_FRAME_SIZE bytes. */
  shortFrames: number;
  /** Frames whose version byte is not PROTOCOL_VERSION. */
  badVersions: number;
  /** Runs longer than MAX_ENCODED_FRAME_SIZE (or decoding to more than MAX_FRAME_SIZE). */
  oversizeRuns: number;
  /** Wire bytes (delimiters excluded) of runs rejected by the checks above. */
  bytesDiscarded: number;
  /** Bytes before the first 0x00 that did not form a frame (a capture joined mid-frame); not an error. */
  presyncBytes: number;
  /** Frames of a type this reader does not know (skipped, not an error). */
  unknownTypes: number;
  /** Frames whose payload is shorter than its type needs. */
  truncatedPayloads: number;
  /** Frames whose payload holds a value the protocol does not define. */
  badValues: number;
  /**
   * Times the sequence number jumped forward by more than 1 (the clock not going back), or stood
   * with the clock ahead (the count went round: 65535 frames lost).
   */
  seqGaps: number;
  /** Frames missing according to those jumps. */
  seqMissing: number;
  /**
   * Times the sequence number went back (by 32768..65535 mod 2^16: sender restart or reordering)
   * or the clock did (a sender restart whose new count landed ahead of the old one, or on it).
   */
  seqBackwards: number;
  /** Frames with the same sequence number and clock as the frame before (dropped unless `dropDuplicates` is false). */
  duplicates: number;
  /** Bytes of a last frame cut short at the end of the input (set by `finish`); not an error. */
  incompleteBytes: number;
}

export function newCounters(): DecoderCounters {
  return {
    frames: 0,
    messages: 0,
    frameBytes: 0,
    crcErrors: 0,
    cobsErrors: 0,
    shortFrames: 0,
    badVersions: 0,
    oversizeRuns: 0,
    bytesDiscarded: 0,
    presyncBytes: 0,
    unknownTypes: 0,
    truncatedPayloads: 0,
    badValues: 0,
    seqGaps: 0,
    seqMissing: 0,
    seqBackwards: 0,
    duplicates: 0,
    incompleteBytes: 0,
  };
}

/**
 * Counts a valid frame's step from the valid frame before it (PROTOCOL.md section 6): `d` its
 * seq step mod 2^16, `dT` its clock step (`clockStep`: negative for a restart). True for a duplicate
 * (the same seq and clock: the link repeated the frame).
 */
export function countStep(c: DecoderCounters, d: number, dT: number): boolean {
  if (d === 0 && dT === 0) {
    c.duplicates++;
    return true;
  }
  if (d >= 0x8000 || dT < 0) {
    // the count went back, or the clock did (a reset restarts both, and the new count may land
    // ahead of the old one, or on it): a restart or a reordered frame
    c.seqBackwards++;
  } else if (d !== 1) {
    // d = 0 with the clock ahead is no repeat: the count went round
    c.seqGaps++;
    c.seqMissing += (d === 0 ? 0x10000 : d) - 1;
  }
  return false;
}
